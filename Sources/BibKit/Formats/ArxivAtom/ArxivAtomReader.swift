/// Reads arXiv API Atom feeds, from both the legacy API and the one that replaced it in
/// November 2025.
///
/// Elements are matched by namespace URI and local name, in any order. Each entry becomes a
/// preprint (`article`) with the id and version, the full author list with affiliations,
/// both dates, the primary and all categories (terms that are not arXiv categories, such as
/// MSC or ACM classes, become keywords), the comment (as the note), the journal reference,
/// the publisher DOI and the abs and pdf links. An error feed becomes an error carrying
/// arXiv's message, never a paper; an entry without id or title is skipped with a warning.
public struct ArxivAtomReader: BibliographyReader {
  /// Feeds of at least this many bytes are read a batch at a time by
  /// ``batches(_:options:)`` (see ArxivAtomBatches.swift), in pieces of about `pieceBytes`.
  public var batchThreshold = 8 << 20
  public var pieceBytes = 1 << 20

  public init() {}

  static let atom = "http://www.w3.org/2005/Atom"
  static let arxiv = "http://arxiv.org/schemas/atom"
  static let opensearch = "http://a9.com/-/spec/opensearch/1.1/"

  /// The namespaces and element names the reader matches, by index.
  private enum NS { static let atom = 0, arxiv = 1, opensearch = 2 }
  private enum Name {
    static let entry = 0, id = 1, title = 2, summary = 3, published = 4, updated = 5, author = 6
    static let name = 7, link = 8, category = 9, primaryCategory = 10, affiliation = 11, comment = 12
    static let journalRef = 13, doi = 14, totalResults = 15, startIndex = 16, itemsPerPage = 17
  }
  static let vocabulary = XMLVocabulary(
    namespaces: [atom, arxiv, opensearch],
    names: [
      "entry", "id", "title", "summary", "published", "updated", "author", "name", "link", "category",
      "primary_category", "affiliation", "comment", "journal_ref", "doi", "totalResults", "startIndex",
      "itemsPerPage",
    ])

  /// What one `<entry>` holds, before it becomes a paper.
  struct Entry {
    var line = 0
    var id: String?
    var title: String?
    var summary: String?
    var published: String?
    var updated: String?
    var authors: [(name: String, affiliations: [String])] = []
    var links: [[(name: String, value: String)]] = []
    var categories: [String] = []
    var primaryCategory: String?
    var comment: String?
    var journalRef: String?
    var doi: String?
  }

  public func read(_ input: [UInt8], options: ReadOptions) throws(BibError) -> ReadResult {
    var diagnostics: [Diagnostic] = []
    let source = options.source

    func location(_ line: Int, _ column: Int = 1) -> SourceLocation {
      SourceLocation(file: source, line: line, column: column)
    }
    func report(_ d: Diagnostic) throws(BibError) {
      if options.strict, d.severity == .error { throw BibError(d) }
      diagnostics.append(d)
    }

    let scan: Scan
    do {
      scan = try Self.scanned(input, url: Self.documentURL(options), options: options)
    } catch {
      try report(
        Diagnostic(.error, "arxiv.xml", error.message, at: location(error.line, error.column)))
      return ReadResult(papers: [], diagnostics: diagnostics, metadata: SourceMetadata())
    }

    // Entries that are not papers are reported in order; the papers were made beside the
    // reading, on every core for a large feed.
    for e in scan.others { try report(e.diagnostic(source: source)) }
    return ReadResult(papers: scan.papers, diagnostics: diagnostics, metadata: scan.metadata)
  }

  /// What an entry is: an error feed's message (an id naming /api/errors, or an entry titled
  /// Error by arXiv's API), a hollow entry (no id or title), or a paper.
  enum Role { case apiError, hollow, paper }

  static func role(of e: Entry) -> Role {
    if (e.id ?? "").containsBytes("/api/errors") || (e.title == "Error" && e.authors.first?.name == "arXiv api core") {
      return .apiError
    }
    guard let id = e.id, !id.isEmpty, let title = e.title, !title.isEmpty else { return .hollow }
    return .paper
  }

  /// The name libxml2 is given for the document: the source, else `feed.xml`.
  static func documentURL(_ options: ReadOptions) -> String { options.source ?? "feed.xml" }

  /// An entry that is not a paper, as much of it as its diagnostic needs.
  struct Other {
    var role: Role
    var line: Int
    var summary: String?

    /// What the read reports for it: arXiv's error message, or a skipped entry.
    func diagnostic(source: String?) -> Diagnostic {
      let at = SourceLocation(file: source, line: line, column: 1)
      if role == .apiError {
        return Diagnostic(.error, "arxiv.api-error", "arXiv API error: \(summary ?? "no message")", at: at)
      }
      return Diagnostic(.warning, "arxiv.hollow-entry", "entry without id or title skipped", at: at)
    }
  }

  /// Makes the papers of `scan`'s entries and notes the entries that are not papers, then
  /// lets the entries go (on the core that read them).
  static func makePapers(_ scan: inout Scan, options: ReadOptions) {
    scan.papers.reserveCapacity(scan.pending.count)
    for e in scan.pending {
      let r = role(of: e)
      if r == .paper {
        scan.papers.append(paper(from: e, rawID: e.id ?? "", title: e.title ?? "", options: options))
      } else {
        scan.others.append(Other(role: r, line: e.line, summary: e.summary))
      }
    }
    scan.pending = []
  }

  /// What a feed holds before its entries become papers.
  struct Scan {
    var pending: [Entry] = []
    /// Once made (``makePapers(_:options:)``, which empties `pending`): the papers, and the
    /// entries that are not papers.
    var papers: [Paper] = []
    var others: [Other] = []
    var metadata = SourceMetadata()
    /// Whether `totalResults` was seen (its value may not be a number).
    var sawTotal = false
  }

  /// Reads a feed's entries and feed-level totals. `lineShift` is added to the line of each
  /// entry (for a chunk that does not start at the top of the input). With `keysOnly`, an
  /// entry keeps only what its citation key is made from (``keyFacts(_:options:)``): id,
  /// title, dates, and the names of the first author and of the first with a name.
  static func scan(_ bytes: [UInt8], url: String, lineShift: Int = 0, keysOnly: Bool = false) throws(XMLFailure) -> Scan {
    var handler = ScanHandler(lineShift: lineShift, keysOnly: keysOnly)
    try XMLStreamReader.parse(bytes, url: url, vocabulary: Self.vocabulary, into: &handler)
    return handler.result
  }

  /// ``scan(_:url:lineShift:keysOnly:)`` with `keysOnly`, read by ``XMLQuickScan`` rather
  /// than libxml2: the same result, or nil for a document outside what that reads.
  static func quickKeyScan(_ bytes: [UInt8], lineShift: Int = 0) -> Scan? {
    var handler = ScanHandler(lineShift: lineShift, keysOnly: true)
    let done = bytes.withUnsafeBufferPointer { XMLQuickScan.run($0, vocabulary: Self.vocabulary, into: &handler) }
    return done ? handler.result : nil
  }

  /// The state of ``scan(_:url:lineShift:keysOnly:)`` as it reads events.
  struct ScanHandler: XMLEventHandler {
    let lineShift: Int
    let keysOnly: Bool
    var result = Scan()
    var depth = 0
    /// The character data since the last tag: the first `textCount` bytes of `text`. The
    /// array only grows; emptying it is setting the count, where `removeAll` would cost as
    /// much as a short copy at every tag.
    var text: [UInt8] = []
    var textCount = 0
    // The entry being read, mutated in place; `inEntry` says whether one is open.
    var entry = Entry()
    var inEntry = false

    init(lineShift: Int, keysOnly: Bool) {
      self.lineShift = lineShift
      self.keysOnly = keysOnly
    }

    /// Only links and categories of an entry are read for their attributes, and not when
    /// only keys are read.
    func wantsAttributes(of element: XMLName) -> Bool {
      guard inEntry, !keysOnly else { return false }
      switch (element.namespace, element.name) {
      case (NS.atom, Name.link), (NS.atom, Name.category), (NS.arxiv, Name.primaryCategory): return true
      default: return false
      }
    }

    func term(_ attributes: [(name: String, value: String)]) -> String? {
      attributes.first { $0.name == "term" }.flatMap { $0.value.isEmpty ? nil : $0.value }
    }

    mutating func clearText() {
      textCount = 0
    }

    mutating func handle(_ event: XMLEvent, line: Int) throws(XMLFailure) {
      switch event {
      case .start(let element, let attributes):
        depth += 1
        clearText()
        if element == XMLName(namespace: NS.atom, name: Name.entry), depth == 2 {
          entry = Entry(line: line + lineShift)
          inEntry = true
        } else if inEntry {
          switch (element.namespace, element.name) {
          case (NS.atom, Name.author): entry.authors.append((name: "", affiliations: []))
          case _ where keysOnly: break
          case (NS.atom, Name.link): entry.links.append(attributes)
          case (NS.atom, Name.category):
            if let term = term(attributes) { entry.categories.append(term) }
          case (NS.arxiv, Name.primaryCategory):
            if let term = term(attributes) { entry.primaryCategory = term }
          default: break
          }
        }
      case .text(let t):
        guard let from = t.baseAddress, !t.isEmpty else { break }
        let end = textCount + t.count
        if end > text.count { text.append(contentsOf: repeatElement(0, count: end - text.count)) }
        let at = textCount
        text.withUnsafeMutableBufferPointer { to in (to.baseAddress! + at).update(from: from, count: t.count) }
        textCount = end
      case .end(let element):
        // `depth` counts the element that ends until the end of this event.
        defer {
          depth -= 1
          clearText()
        }
        let (text, count) = (text, textCount)
        func value() -> String {
          text.withUnsafeBufferPointer { TextFolding.collapse(UnsafeBufferPointer(rebasing: $0[..<count])) }
        }
        if inEntry {
          switch (element.namespace, element.name) {
          case (NS.atom, Name.id) where depth == 3: entry.id = value()
          case (NS.atom, Name.title) where depth == 3: entry.title = value()
          case (NS.atom, Name.summary) where !keysOnly: entry.summary = value()
          case (NS.atom, Name.published): entry.published = value()
          case (NS.atom, Name.updated) where depth == 3: entry.updated = value()
          case (NS.atom, Name.name):
            // A key needs the first author (an API error is told by its name) and the
            // first with a name; the names after those are not made when only keys are read.
            guard let last = entry.authors.indices.last else { break }
            if keysOnly, last > 0, entry.authors.contains(where: { !$0.name.isEmpty }) { break }
            entry.authors[last].name = value()
          case (NS.arxiv, Name.affiliation) where !keysOnly:
            let a = value()
            if !entry.authors.isEmpty, !a.isEmpty { entry.authors[entry.authors.count - 1].affiliations.append(a) }
          case (NS.arxiv, Name.comment) where !keysOnly: entry.comment = value()
          case (NS.arxiv, Name.journalRef) where !keysOnly: entry.journalRef = value()
          case (NS.arxiv, Name.doi) where !keysOnly: entry.doi = value()
          case (NS.atom, Name.entry):
            inEntry = false
            result.pending.append(entry)
            entry = Entry()
          default: break
          }
        } else if depth == 2, element.namespace == NS.opensearch {
          switch element.name {
          case Name.totalResults:
            let v = value()
            result.metadata.declaredPaperCount = Int(v)
            result.sawTotal = true
            result.metadata.metrics.append(.init(name: "totalResults", value: v))
          case Name.startIndex, Name.itemsPerPage:
            result.metadata.metrics.append(.init(name: ArxivAtomReader.vocabulary.names[element.name], value: value()))
          default: break
          }
        }
      }
    }
  }

  /// `http://arxiv.org/abs/2305.16300v2` → (`2305.16300`, 2); old ids keep their archive.
  public static func splitID(_ raw: String) -> (id: String, version: Int?) {
    // The prefixes, the `v` and the digits are ASCII: the work is on bytes.
    var u = Substring(raw).utf8
    for prefix in idPrefixes where u.starts(with: prefix) {
      u = u.dropFirst(prefix.count)
    }
    // A version is `v` and a number after a digit.
    if let v = u.lastIndex(of: UInt8(ascii: "v")), v > u.startIndex,
      ASCII.isDigit(u[u.index(before: v)]),
      let n = Int(Substring(u[u.index(after: v)...]))
    {
      return (String(Substring(u[..<v])), n)
    }
    return (String(Substring(u)), nil)
  }

  /// What ``splitID(_:)`` takes off the front, in this order.
  static let idPrefixes: [[UInt8]] = ["https://arxiv.org/abs/", "http://arxiv.org/abs/", "arXiv:", "arxiv:"].map { Array($0.utf8) }

  /// An arXiv category (`cs.LG`, `hep-th`, `cond-mat.mes-hall`), as opposed to MSC or ACM
  /// class strings (`35K57`, `I.2.6`).
  static func isArxivCategory(_ term: String) -> Bool {
    // `archive` or `archive.subject`: the archive lower-case ASCII letters and hyphens, the
    // subject ASCII letters and hyphens; both non-empty.
    var archive = 0
    var subject = 0
    var dots = 0
    for c in term.utf8 {
      if c == UInt8(ascii: ".") {
        dots += 1
        if dots > 1 { return false }
      } else if dots == 0 {
        guard ASCII.isLower(c) || c == UInt8(ascii: "-") else { return false }
        archive += 1
      } else {
        guard ASCII.isLower(c) || ASCII.isUpper(c) || c == UInt8(ascii: "-") else { return false }
        subject += 1
      }
    }
    return archive > 0 && (dots == 0 || subject > 0)
  }

  /// The date of a timestamp (`2023-11-27T00:00:00Z`): its first ten bytes, which a date
  /// needs to be ASCII.
  static func date(_ s: String?) -> PartialDate? {
    guard let s, s.utf8.count >= 10 else { return nil }
    return PartialDate(iso: String(decoding: s.utf8.prefix(10), as: UTF8.self))
  }

  /// An author's name as a person: a collaboration is a literal name.
  static func author(_ name: String) -> Person {
    name.containsBytesIgnoringASCIICase("collaboration") ? Person.literal(name) : Person(parsing: name)
  }

  /// The date a paper is issued: the first version's or the current one's, as `options` say,
  /// else the other.
  static func issued(first: PartialDate?, current: PartialDate?, options: ReadOptions) -> PartialDate? {
    options.arxivDate == .updated ? (current ?? first) : (first ?? current)
  }

  static func paper(from e: Entry, rawID: String, title: String, options: ReadOptions) -> Paper {
    var p = Paper(kind: .article)
    map(e, rawID: rawID, title: title, options: options, into: &p)
    return p
  }

  /// The mapping of ``paper(from:rawID:title:options:)``, filling in `p` (made in place, so
  /// that the paper is not copied on its way out).
  private static func map(_ e: Entry, rawID: String, title: String, options: ReadOptions, into p: inout Paper) {
    let (id, version) = splitID(rawID)
    p.title = RichText.parsingInlineMath(title)
    // Into one array made at its size, not a filtered copy and then a mapped one.
    var authors: [Person] = []
    authors.reserveCapacity(e.authors.count)
    for a in e.authors where !a.name.isEmpty {
      var person = author(a.name)
      person.affiliations = a.affiliations
      authors.append(person)
    }
    p.authors = authors
    p.firstVersionDate = date(e.published)
    p.currentVersionDate = date(e.updated)
    p.issued = issued(first: p.firstVersionDate, current: p.currentVersionDate, options: options)
    p.categories = e.categories.filter(isArxivCategory)
    p.keywords = e.categories.filter { !isArxivCategory($0) }
    let primary = e.primaryCategory ?? p.categories.first
    p.identifiers.arxiv = ArxivIdentifier(id: id, version: version, primaryCategory: primary)
    if let primary, !p.categories.contains(primary) { p.categories.insert(primary, at: 0) }
    if let doi = e.doi, !doi.isEmpty { p.identifiers.doi = doi }
    p.abstract = e.summary.flatMap { $0.isEmpty ? nil : $0 }
    p.note = e.comment.flatMap { $0.isEmpty ? nil : $0 }
    if let j = e.journalRef, !j.isEmpty {
      p.extraFields.append(ExtraField(source: "arxiv", name: "journal-ref", value: j))
    }
    // The abs page first, then the PDF; a DOI link is already the DOI.
    var abs: String?
    var pdf: String?
    for link in e.links {
      func attribute(_ name: String) -> String? { link.first { $0.name == name }?.value }
      guard let href = attribute("href") else { continue }
      let title = attribute("title")
      if title == "doi" || href.containsBytes("doi.org/") { continue }
      if title == "pdf" || attribute("type") == "application/pdf" || href.containsBytes("/pdf/") {
        pdf = pdf ?? href
      } else if attribute("rel") == "alternate" || href.containsBytes("/abs/") {
        abs = abs ?? href
      }
    }
    p.urls = [abs, pdf].compactMap { $0 }
  }
}
