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
    let tape: JSONTape
    do {
      tape = try JSONTape(document: input, maxDepth: 256)
    } catch {
      let d = Diagnostic(
        .error, "csl-json.syntax", error.message,
        at: SourceLocation(file: options.source, line: error.line, column: error.column, offset: error.offset))
      if options.strict { throw BibError(d) }
      return ReadResult(papers: [], diagnostics: [d])
    }
    let items: [Int]
    switch tape.kind(0) {
    case .array: items = tape.children(0)
    case .object: items = [0]
    default:
      let d = Diagnostic(
        .error, "csl-json.shape", "expected an array of CSL items or one item",
        at: SourceLocation(file: options.source, line: 1, column: 1))
      if options.strict { throw BibError(d) }
      return ReadResult(papers: [], diagnostics: [d])
    }
    // Items are independent: they are mapped on every core.
    let source = options.source
    var (papers, found) = Parallel.compactMap(items.count) { n, d in
      Self.paper(tape, item: items[n], index: n, diagnostics: &d, source: source)
    }
    diagnostics += found
    var seen: [CitationKeys.FoldedKey: Int] = [:]
    let objects = items.indices.filter { tape.kind(items[$0]) == .object }
    Self.dropRepeatedKeys(&papers, items: objects, seen: &seen, source: source, into: &diagnostics)
    if options.fillsMissingKeys { CitationKeys.fillMissing(&papers) }
    return ReadResult(papers: papers, diagnostics: diagnostics)
  }

  /// ``CitationKeys/dropRepeated(_:seen:place:repeated:)`` for papers read from the items
  /// whose places in the array (from 0) are `items`, one each, with a warning for the item
  /// whose key repeats an earlier item's (`seen` maps keys in lower case to the place of the
  /// item that has each).
  static func dropRepeatedKeys(
    _ papers: inout [Paper], items: [Int], seen: inout [CitationKeys.FoldedKey: Int], source: String?, into diagnostics: inout [Diagnostic]
  ) {
    CitationKeys.dropRepeated(&papers, seen: &seen, place: { items[$0] }) { i, key, first in
      diagnostics.append(
        Diagnostic(
          .warning, "csl-json.duplicate-key",
          "item \(items[i] + 1): repeated key '\(key)' (first in item \(first + 1)); it gets a generated key",
          at: SourceLocation(file: source, line: 1, column: 1)))
    }
  }

  /// The paper for the item at node `item` of `tape`, the item at `index` (from 0) of the
  /// array; none, with a warning, when the item is not an object.
  static func paper(_ tape: JSONTape, item: Int, index: Int, diagnostics: inout [Diagnostic], source: String?) -> Paper? {
    guard tape.kind(item) == .object else {
      diagnostics.append(
        Diagnostic(.warning, "csl-json.item", "item \(index + 1) is not an object; skipped",
          at: SourceLocation(file: source, line: 1, column: 1)))
      return nil
    }
    var p = Paper(kind: .document)
    map(tape, item, index: index, into: &p, diagnostics: &diagnostics, source: source)
    return p
  }

  /// The mapping of ``paper(_:item:index:diagnostics:source:)``, filling in `p` (made in
  /// place, so that the paper is not copied on its way out).
  private static func map(
    _ t: JSONTape, _ item: Int, index: Int, into p: inout Paper, diagnostics: inout [Diagnostic], source: String?
  ) {
    // Each key is looked up once: a mapped key by its place in `Key`, the member that
    // first has it (keys compared in lower case); others by a scan of the few there are.
    // `firsts` are the key nodes of the members that are the first with their key, in order.
    let table = Key.table
    var found = [Int](repeating: -1, count: Key.names.count)
    var firsts: [(key: Int, mapped: Key?)] = []
    firsts.reserveCapacity(16)
    var unmapped: [String] = []
    var member = item + 1
    let end = t.nodes[item].next
    while member < end {
      let key = member
      member = t.nodes[key + 1].next
      // Keys are lower case already, as a rule: lowercased() only when one is not.
      switch t.lookupLowered(key, in: table) {
      case .known(let c):
        guard found[c] < 0 else { continue }
        found[c] = key + 1
        firsts.append((key, Key(rawValue: c)))
      case .unknown(let name):
        guard !unmapped.contains(name) else { continue }
        unmapped.append(name)
        firsts.append((key, nil))
      }
    }
    /// The value node of a mapped key, or nil.
    func node(_ key: Key) -> Int? {
      let n = found[key.rawValue]
      return n < 0 ? nil : n
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
      if let s = t.text(v) {
        if s.isEmpty { keep |= key.bit }
        return s.isEmpty ? nil : s
      }
      keep |= key.bit
      warn("'\(key.name)' is not a string or number; kept as it came")
      return nil
    }

    // Not `text(.id) ?? text(.citationKey)`: a local function called from the autoclosure
    // of `??` has its captured variables checked for exclusive access at run time.
    if let id = text(.id) { p.citationKey = id } else { p.citationKey = text(.citationKey) }
    if let v = node(.type), let s = t.text(v), PaperKind(s).isCSLType {
      p.kind = PaperKind(s)
    } else if let v = node(.type) {
      p.originalType = t.text(v) ?? t.node(v).jsonText
      warn("type '\(p.originalType ?? "")' is not a CSL type; read as document")
    }
    // Markup around no text (`<i></i>`, or `<<b></b>i>`, which reads as an empty `<i>`) is no
    // title: the writer writes none, so nothing else would read back the same.
    if let s = text(.title) { p.title = CSLRichText.parse(s).nonEmpty }
    if let s = text(.containerTitle) { p.containerTitle = CSLRichText.parse(s).nonEmpty }
    for role in [Key.author, .editor, .translator] {
      guard let v = node(role) else { continue }
      guard t.kind(v) == .array else {
        keep |= role.bit
        continue
      }
      var people: [Person] = []
      var names = 0
      var e = v + 1
      while e < t.nodes[v].next {
        names += 1
        if let person = person(t, e) { people.append(person) }
        e = t.nodes[e].next
      }
      if people.count < names { keep |= role.bit }
      switch role {
      case .author: p.authors = people
      case .editor: p.editors = people
      default: p.translators = people
      }
    }
    if let v = node(.issued) {
      if let d = date(t, v) { p.issued = d } else { keep |= Key.issued.bit }
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
      p.keywords = k.splitOmittingEmpty(bytes: { $0 == ASCII.comma }, characters: { $0 == "," }, asciiSeparatorsOnly: true)
        .map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
    }
    if let v = node(.categories), t.kind(v) == .array { p.categories = t.children(v).compactMap(t.text) }

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
    if let v = node(.custom), t.kind(v) == .object {
      // Room for the members at once (most are other formats' fields).
      p.extraFields.reserveCapacity(firsts.count + (t.nodes[v].next - v) / 2)
      var c = v + 1
      while c < t.nodes[v].next {
        applyCustom(t, key: c, to: &p)
        c = t.nodes[c + 1].next
      }
    }

    for (key, mapped) in firsts {
      if let mapped, keep & mapped.bit == 0 { continue }
      p.extraFields.append(ExtraField(source: "csl-json", name: t.text(key) ?? "", value: t.node(key + 1).jsonText))
    }
    // Kept keys come back from the writer sorted; keep them sorted from the start.
    p.extraFields.sort { ($0.source, $0.name) < ($1.source, $1.name) }
  }

  /// The `custom` members this reader takes for facts of the model (``applyCustom(_:key:to:)``).
  static let ownCustomMembers: Set<String> = [
    "authors-truncated", "year-inferred", "code-badge", "code", "links", "first-version-date",
    "current-version-date", "arxiv-version", "arxiv-primary-category", "kind", "original-type",
    "arxiv-id", "urls", "isbn", "issn",
  ]

  /// The prefix of a `custom` member that is a key of the item kept as it came.
  static let keptPrefixBytes = Array((FormatID.cslJSON.rawValue + "-").utf8)

  /// Reads one `custom` entry, the key at node `key` and its value after it, back into the
  /// model (the inverse of `Paper.extensionFields`).
  static func applyCustom(_ tape: JSONTape, key: Int, to p: inout Paper) {
    let v = key + 1
    // Decided on the name's bytes first: a key kept as it came whose own name the writer
    // could not use (see `CSLJSONWriter.customName(kept:)`), or another format's extra
    // field, the usual member; none of the names below starts with these prefixes but
    // `arxiv-`.
    let (kept, extra) = tape.withText(key) { b -> (String?, (source: String, name: String)?) in
      if b.hasPrefix(keptPrefixBytes) {
        return (String(decoding: UnsafeBufferPointer(rebasing: b[keptPrefixBytes.count...]), as: UTF8.self), nil)
      }
      return (nil, ExtraField.foreignName(b, readBy: .cslJSON))
    }
    if let kept {
      p.extraFields.append(ExtraField(source: "csl-json", name: kept, value: tape.node(v).jsonText))
      return
    }
    let t = tape.text(v)
    if let extra, extra.source != "arxiv", let t {
      p.extraFields.append(ExtraField(source: extra.source, name: extra.name, value: t))
      return
    }
    let name = tape.text(key) ?? ""
    let flag = tape.kind(v) == .trueValue || t == "true"
    func texts() -> [String]? { tape.kind(v) == .array ? tape.children(v).compactMap(tape.text) : nil }
    switch name {
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
      if let a = texts() { p.urls = a }
    case "isbn":
      if let a = texts() { p.identifiers.isbn = a }
    case "issn":
      if let a = texts() { p.identifiers.issn = a }
    default:
      if let extra, let t {
        p.extraFields.append(ExtraField(source: extra.source, name: extra.name, value: t))
      } else {
        p.extraFields.append(ExtraField(source: "csl-json", name: name, value: tape.node(v).jsonText))
      }
    }
  }

  /// The keys of a CSL name object, and of a date object, that the mapping reads.
  enum NameKey: Int {
    case family, given, nonDroppingParticle, droppingParticle, suffix, literal
    static let table = NameTable(["family", "given", "non-dropping-particle", "dropping-particle", "suffix", "literal"])
  }

  enum DateKey: Int {
    case dateParts, circa
    static let table = NameTable(["date-parts", "circa"])
  }

  /// The person of the name at node `v`: an object of name parts (keys in any case), or a
  /// string or number taken as a literal name.
  static func person(_ t: JSONTape, _ v: Int) -> Person? {
    guard t.kind(v) == .object else {
      if let s = t.text(v) { return Person(literal: s) }
      return nil
    }
    var p = Person()
    var key = v + 1
    while key < t.nodes[v].next {
      let value = key + 1
      defer { key = t.nodes[value].next }
      guard case .known(let k) = t.lookupLowered(key, in: NameKey.table), let s = t.text(value), !s.isEmpty else {
        continue
      }
      switch NameKey(rawValue: k)! {
      case .family: p.family = s
      case .given: p.given = s
      case .nonDroppingParticle: p.particle = s
      case .droppingParticle: p.droppingParticle = s
      case .suffix: p.suffix = s
      case .literal: p.literal = s
      }
    }
    return p.isEmptyName ? nil : p
  }

  /// A CSL date: `{"date-parts": [[y, m, d]]}` (numbers or numeric strings), with `circa`,
  /// or an EDTF-like string `2020`, `2020-03`, `2020-03-04`. Ranges, seasons and literals
  /// give nil and are kept as written.
  static func date(_ t: JSONTape, _ v: Int) -> PartialDate? {
    if let s = t.text(v) { return PartialDate(iso: s.trimmingSpaces()) }
    guard t.kind(v) == .object else { return nil }
    var parts: Int?
    var circa = false
    var key = v + 1
    while key < t.nodes[v].next {
      let value = key + 1
      defer { key = t.nodes[value].next }
      // `season`, `literal`, `raw` and any other key: a date the model cannot hold.
      guard case .known(let k) = t.lookupLowered(key, in: DateKey.table) else { return nil }
      switch DateKey(rawValue: k)! {
      case .dateParts: parts = value
      case .circa:
        let s = t.text(value)
        circa = t.kind(value) == .trueValue || s == "1" || s == "true"
      }
    }
    // One list of one to three parts.
    guard let outer = parts, t.kind(outer) == .array, outer + 1 < t.nodes[outer].next,
      t.nodes[outer + 1].next == t.nodes[outer].next, t.kind(outer + 1) == .array
    else { return nil }
    // Up to three parts, each an integer (digits as a number are read on their bytes).
    var nums: [Int] = []
    nums.reserveCapacity(3)
    var part = outer + 2
    while part < t.nodes[outer + 1].next {
      guard nums.count < 3, let n = t.digits(part) ?? t.text(part).flatMap({ Int($0.trimmingSpaces()) }) else {
        return nil
      }
      nums.append(n)
      part = t.nodes[part].next
    }
    guard !nums.isEmpty else { return nil }
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
