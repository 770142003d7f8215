/// Reads CSL-JSON leniently: an array of items or a single item; keys in any case; numbers as
/// strings or numbers; dates as date-parts, EDTF strings, `raw` or `literal`; a missing or
/// unknown type becomes `document` with the original kept. Unknown keys, and `custom` entries
/// no mapping knows, are kept so they are written back. What BibKit's writer puts in `custom`
/// (the truncated-list and inferred-year flags, code links, …) is read back into the model.
public struct CSLJSONReader: BibliographyReader {
  /// Arrays of at least this many bytes are read a batch at a time by
  /// ``batches(_:options:)`` (see CSLJSONBatches.swift), batches of `batchBytes` of input.
  public var batchThreshold = 8 << 20
  public var batchBytes = 1 << 20

  public init() {}

  /// CSL variables the model has a place for, by lower-cased key.
  enum Key: Int, CaseIterable {
    case id, citationKey, type, title, containerTitle, author, editor, translator
    case issued, publisher, publisherPlace, volume, issue, page, edition, number
    case genre, doi, url, isbn, issn, pmid, pmcid, abstract, note, language
    case keyword, categories, custom

    static let names = [
      "id", "citation-key", "type", "title", "container-title", "author", "editor", "translator",
      "issued", "publisher", "publisher-place", "volume", "issue", "page", "edition", "number",
      "genre", "doi", "url", "isbn", "issn", "pmid", "pmcid", "abstract", "note", "language",
      "keyword", "categories", "custom",
    ]
    static let table = NameTable(names)

    var name: String { Self.names[rawValue] }
    var bit: UInt64 { 1 << UInt64(rawValue) }
  }

  public func read(_ input: [UInt8], options: ReadOptions) throws(BibError) -> ReadResult {
    var diagnostics: [Diagnostic] = []
    var parser = JSONParser(input, maxDepth: 256)
    let root: JSONNode
    do {
      root = try parser.parseDocument()
    } catch {
      let d = Diagnostic(
        .error, "csl-json.syntax", error.message,
        at: SourceLocation(file: options.source, line: error.line, column: error.column, offset: error.offset))
      if options.strict { throw BibError(d) }
      return ReadResult(papers: [], diagnostics: [d])
    }
    let items: [JSONNode]
    switch root {
    case .array(let a): items = a
    case .object: items = [root]
    default:
      let d = Diagnostic(
        .error, "csl-json.shape", "expected an array of CSL items or one item",
        at: SourceLocation(file: options.source, line: 1, column: 1))
      if options.strict { throw BibError(d) }
      return ReadResult(papers: [], diagnostics: [d])
    }
    // Items are independent: they are mapped on every core.
    let source = options.source
    var (papers, found) = Parallel.compactMap(items.count) { n, d in Self.paper(item: items[n], index: n, diagnostics: &d, source: source) }
    diagnostics += found
    CitationKeys.fillMissing(&papers)
    return ReadResult(papers: papers, diagnostics: diagnostics)
  }

  /// The paper for the item at `index` (from 0) of the array; none, with a warning, when the
  /// item is not an object.
  static func paper(item: JSONNode, index: Int, diagnostics: inout [Diagnostic], source: String?) -> Paper? {
    guard case .object(let members) = item else {
      diagnostics.append(
        Diagnostic(.warning, "csl-json.item", "item \(index + 1) is not an object; skipped",
          at: SourceLocation(file: source, line: 1, column: 1)))
      return nil
    }
    return paper(members, index: index, diagnostics: &diagnostics, source: source)
  }

  static func paper(_ members: [(String, JSONNode)], index: Int, diagnostics: inout [Diagnostic], source: String?)
    -> Paper
  {
    var p = Paper(kind: .document)
    map(members, index: index, into: &p, diagnostics: &diagnostics, source: source)
    return p
  }

  /// The mapping of ``paper(_:index:diagnostics:source:)``, filling in `p` (made in place,
  /// so that the paper is not copied on its way out).
  private static func map(
    _ members: [(String, JSONNode)], index: Int, into p: inout Paper, diagnostics: inout [Diagnostic], source: String?
  ) {
    // Each key is looked up once: a mapped key by its place in `Key`, the member that
    // first has it (keys compared in lower case); others by a scan of the few there are.
    // `firsts` are the members that are the first with their key, in order.
    let table = Key.table
    var found = [Int](repeating: -1, count: Key.names.count)
    var firsts: [(member: Int, mapped: Key?)] = []
    firsts.reserveCapacity(members.count)
    var unmapped: [String] = []
    for (n, (k, _)) in members.enumerated() {
      // Keys are lower case already, as a rule: lowercased() only when one is not.
      switch table.lookupLowered(k) {
      case .known(let c):
        guard found[c] < 0 else { continue }
        found[c] = n
        firsts.append((n, Key(rawValue: c)))
      case .unknown(let key):
        guard !unmapped.contains(key) else { continue }
        unmapped.append(key)
        firsts.append((n, nil))
      }
    }
    func node(_ key: Key) -> JSONNode? {
      let n = found[key.rawValue]
      return n < 0 ? nil : members[n].1
    }
    func warn(_ message: String) {
      diagnostics.append(
        Diagnostic(.warning, "csl-json.value", "item \(index + 1): \(message)",
          at: SourceLocation(file: source, line: 1, column: 1)))
    }
    var keep: UInt64 = 0  // mapped keys whose value did not fit, kept as they came
    // An empty string is no value: kept as it came, so it is written back, but not mapped
    // (the writers leave empty fields out).
    func text(_ key: Key) -> String? {
      guard let v = node(key) else { return nil }
      if let t = v.text {
        if t.isEmpty { keep |= key.bit }
        return t.isEmpty ? nil : t
      }
      keep |= key.bit
      warn("'\(key.name)' is not a string or number; kept as it came")
      return nil
    }

    p.citationKey = text(.id) ?? text(.citationKey)
    if let t = node(.type)?.text, PaperKind.cslTypes.contains(t) {
      p.kind = PaperKind(t)
    } else {
      p.originalType = node(.type).map { $0.text ?? $0.jsonText }
      if node(.type) != nil { warn("type '\(p.originalType ?? "")' is not a CSL type; read as document") }
    }
    // Markup around no text (`<i></i>`, or `<<b></b>i>`, which reads as an empty `<i>`) is no
    // title: the writer writes none, so nothing else would read back the same.
    if let t = text(.title) { p.title = CSLRichText.parse(t).nonEmpty }
    if let t = text(.containerTitle) { p.containerTitle = CSLRichText.parse(t).nonEmpty }
    for role in [Key.author, .editor, .translator] {
      guard let v = node(role) else { continue }
      guard case .array(let names) = v else {
        keep |= role.bit
        continue
      }
      let people = names.compactMap(person)
      if people.count < names.count { keep |= role.bit }
      switch role {
      case .author: p.authors = people
      case .editor: p.editors = people
      default: p.translators = people
      }
    }
    if let v = node(.issued) {
      if let d = date(v) { p.issued = d } else { keep |= Key.issued.bit }
    }
    p.publisher = text(.publisher)
    p.publisherPlace = text(.publisherPlace)
    p.volume = text(.volume)
    p.issue = text(.issue)
    p.pages = text(.page)
    p.edition = text(.edition)
    p.number = text(.number)
    p.genre = text(.genre)
    p.identifiers.doi = text(.doi)
    if let u = text(.url) { p.urls = [u] }
    if let v = text(.isbn) { p.identifiers.isbn = [v] }
    if let v = text(.issn) { p.identifiers.issn = [v] }
    p.identifiers.pmid = text(.pmid)
    p.identifiers.pmcid = text(.pmcid)
    p.abstract = text(.abstract)
    p.note = text(.note)
    p.language = text(.language)
    if let k = text(.keyword) {
      p.keywords = k.splitOmittingEmpty(bytes: { $0 == ASCII.comma }, characters: { $0 == "," })
        .map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
    }
    if case .array(let cats)? = node(.categories) { p.categories = cats.compactMap(\.text) }

    // The arXiv encoding the writer uses: number arXiv:ID, publisher arXiv, the arXiv DOI and URL.
    if let n = p.number, n.lowercased().hasPrefix("arxiv:") {
      let (id, version) = ArxivAtomReader.splitID(String(n.dropFirst(6)))
      p.identifiers.arxiv = ArxivIdentifier(id: id, version: version)
      p.number = nil
    }
    if p.identifiers.arxiv == nil, let doi = p.identifiers.doi, doi.lowercased().hasPrefix("10.48550/arxiv.") {
      p.identifiers.arxiv = ArxivIdentifier(id: String(doi.dropFirst("10.48550/arxiv.".count)))
    }
    if let ax = p.identifiers.arxiv, ax.id != nil {
      if p.publisher == "arXiv", p.kind == .article { p.publisher = nil }
      if let doi = p.identifiers.doi, doi.lowercased() == ax.doi?.lowercased() { p.identifiers.doi = nil }
      if p.urls == [ax.absURL ?? ""] { p.urls = [] }
    }
    if let first = p.categories.first, ArxivAtomReader.isArxivCategory(first), first.contains(".") || first.contains("-") {
      var ax = p.identifiers.arxiv ?? ArxivIdentifier()
      ax.primaryCategory = first
      p.identifiers.arxiv = ax
    }

    // custom: BibKit's own extension fields, foreign extras, then anything else.
    if case .object(let custom)? = node(.custom) {
      for (k, v) in custom {
        applyCustom(k, v, to: &p)
      }
    }

    for (n, key) in firsts {
      if let key, keep & key.bit == 0 { continue }
      p.extraFields.append(ExtraField(source: "csl-json", name: members[n].0, value: members[n].1.jsonText))
    }
    // Kept keys come back from the writer sorted; keep them sorted from the start.
    p.extraFields.sort { ($0.source, $0.name) < ($1.source, $1.name) }
  }

  /// Reads one `custom` entry back into the model (the inverse of `Paper.extensionFields`).
  static func applyCustom(_ key: String, _ v: JSONNode, to p: inout Paper) {
    let t = v.text
    // Another format's extra field, the usual member: decided on the name's bytes before
    // the names below, none of which starts with these prefixes but `arxiv-`.
    var name = key
    let extra = name.withUTF8 { ExtraField.foreignName($0, readBy: .cslJSON) }
    if let extra, extra.source != "arxiv", let t {
      p.extraFields.append(ExtraField(source: extra.source, name: extra.name, value: t))
      return
    }
    let flag = v == .bool(true) || t == "true"
    switch key {
    case "authors-truncated" where flag: p.authorsTruncated = true
    case "year-inferred" where flag && p.issued != nil: p.issued?.yearInferred = true
    case "code-badge" where flag: p.hasCode = true
    case "code" where t != nil: p.codeLinks = t!.split(separator: " ").map(String.init)
    case "links" where t != nil: p.relatedLinks = t!.split(separator: " ").map(String.init)
    case "first-version-date" where t.flatMap(PartialDate.init(iso:)) != nil:
      p.firstVersionDate = PartialDate(iso: t!)
    case "current-version-date" where t.flatMap(PartialDate.init(iso:)) != nil:
      p.currentVersionDate = PartialDate(iso: t!)
    case "arxiv-version" where Int(t ?? "") != nil && p.identifiers.arxiv != nil:
      p.identifiers.arxiv?.version = Int(t!)
    case "arxiv-primary-category" where t != nil:
      var ax = p.identifiers.arxiv ?? ArxivIdentifier()
      ax.primaryCategory = t
      p.identifiers.arxiv = ax
    case "kind" where t != nil: p.kind = PaperKind(t!)
    case "original-type" where t != nil: p.originalType = t
    case "arxiv-id" where t != nil:
      var ax = p.identifiers.arxiv ?? ArxivIdentifier()
      ax.id = t
      p.identifiers.arxiv = ax
    case "urls":
      if case .array(let a) = v { p.urls = a.compactMap(\.text) }
    case "isbn":
      if case .array(let a) = v { p.identifiers.isbn = a.compactMap(\.text) }
    case "issn":
      if case .array(let a) = v { p.identifiers.issn = a.compactMap(\.text) }
    default:
      if let extra, let t {
        p.extraFields.append(ExtraField(source: extra.source, name: extra.name, value: t))
      } else {
        p.extraFields.append(ExtraField(source: "csl-json", name: key, value: v.jsonText))
      }
    }
  }

  static func person(_ v: JSONNode) -> Person? {
    guard case .object(let members) = v else {
      if let t = v.text { return Person(literal: t) }
      return nil
    }
    var p = Person()
    for (k, val) in members {
      guard let t = val.text, !t.isEmpty else { continue }
      switch k.lowercased() {
      case "family": p.family = t
      case "given": p.given = t
      case "non-dropping-particle": p.particle = t
      case "dropping-particle": p.droppingParticle = t
      case "suffix": p.suffix = t
      case "literal": p.literal = t
      default: continue
      }
    }
    return p.isEmptyName ? nil : p
  }

  /// A CSL date: `{"date-parts": [[y, m, d]]}` (numbers or numeric strings), with `circa`,
  /// or an EDTF-like string `2020`, `2020-03`, `2020-03-04`. Ranges, seasons and literals
  /// give nil and are kept as written.
  static func date(_ v: JSONNode) -> PartialDate? {
    if let t = v.text { return PartialDate(iso: t.trimmingSpaces()) }
    guard case .object(let members) = v else { return nil }
    var parts: JSONNode?
    var circa = false
    for (k, val) in members {
      switch k.lowercased() {
      case "date-parts": parts = val
      case "circa": circa = val == .bool(true) || val.text == "1" || val.text == "true"
      case "season", "literal", "raw": return nil
      default: return nil
      }
    }
    guard case .array(let outer)? = parts, outer.count == 1, case .array(let inner) = outer[0],
      (1...3).contains(inner.count)
    else { return nil }
    let nums = inner.compactMap { $0.text.flatMap { Int($0.trimmingSpaces()) } }
    guard nums.count == inner.count else { return nil }
    var d = PartialDate(year: nums[0], approximate: circa)
    if nums.count >= 2 {
      guard (1...12).contains(nums[1]) else { return nil }
      d.month = nums[1]
      if nums.count == 3 {
        guard (1...PartialDate.daysIn(month: nums[1], year: nums[0])).contains(nums[2]) else { return nil }
        d.day = nums[2]
      }
    }
    return d
  }
}
