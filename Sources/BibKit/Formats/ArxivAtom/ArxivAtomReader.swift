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
  public init() {}

  static let atom = "http://www.w3.org/2005/Atom"
  static let arxiv = "http://arxiv.org/schemas/atom"
  static let opensearch = "http://a9.com/-/spec/opensearch/1.1/"

  /// What one `<entry>` holds, before it becomes a paper.
  struct Entry {
    var line = 0
    var id: String?
    var title: String?
    var summary: String?
    var published: String?
    var updated: String?
    var authors: [(name: String, affiliations: [String])] = []
    var links: [[String: String]] = []
    var categories: [String] = []
    var primaryCategory: String?
    var comment: String?
    var journalRef: String?
    var doi: String?
  }

  public func read(_ input: [UInt8], options: ReadOptions) throws(BibError) -> ReadResult {
    var papers: [Paper] = []
    var diagnostics: [Diagnostic] = []
    var metadata = SourceMetadata()
    var stack: [(ns: String, name: String)] = []
    var text = ""
    var entry: Entry?
    var pending: [Entry] = []
    let source = options.source

    func location(_ line: Int, _ column: Int = 1) -> SourceLocation {
      SourceLocation(file: source, line: line, column: column)
    }
    func report(_ d: Diagnostic) throws(BibError) {
      if options.strict, d.severity == .error { throw BibError(d) }
      diagnostics.append(d)
    }

    do {
      try XMLStreamReader.parse(input, url: source ?? "feed.xml") {
        (event: XMLEvent, line: Int) throws(XMLFailure) in
        switch event {
        case .start(let ns, let name, let attributes):
          stack.append((ns, name))
          text = ""
          if ns == Self.atom, name == "entry", stack.count == 2 {
            entry = Entry(line: line)
          } else if entry != nil {
            switch (ns, name) {
            case (Self.atom, "author"): entry?.authors.append((name: "", affiliations: []))
            case (Self.atom, "link"): entry?.links.append(attributes)
            case (Self.atom, "category"):
              if let term = attributes["term"], !term.isEmpty { entry?.categories.append(term) }
            case (Self.arxiv, "primary_category"):
              if let term = attributes["term"], !term.isEmpty { entry?.primaryCategory = term }
            default: break
            }
          }
        case .text(let t):
          text += t
        case .end(let ns, let name):
          defer {
            stack.removeLast()
            text = ""
          }
          if var e = entry {
            switch (ns, name) {
            case (Self.atom, "id") where stack.count == 3: e.id = TextFolding.collapse(text)
            case (Self.atom, "title") where stack.count == 3: e.title = TextFolding.collapse(text)
            case (Self.atom, "summary"): e.summary = TextFolding.collapse(text)
            case (Self.atom, "published"): e.published = TextFolding.collapse(text)
            case (Self.atom, "updated") where stack.count == 3: e.updated = TextFolding.collapse(text)
            case (Self.atom, "name"):
              if !e.authors.isEmpty { e.authors[e.authors.count - 1].name = TextFolding.collapse(text) }
            case (Self.arxiv, "affiliation"):
              let a = TextFolding.collapse(text)
              if !e.authors.isEmpty, !a.isEmpty { e.authors[e.authors.count - 1].affiliations.append(a) }
            case (Self.arxiv, "comment"): e.comment = TextFolding.collapse(text)
            case (Self.arxiv, "journal_ref"): e.journalRef = TextFolding.collapse(text)
            case (Self.arxiv, "doi"): e.doi = TextFolding.collapse(text)
            case (Self.atom, "entry"):
              entry = nil
              pending.append(e)
              return
            default: break
            }
            entry = e
          } else if stack.count == 2 {
            let value = TextFolding.collapse(text)
            switch (ns, name) {
            case (Self.opensearch, "totalResults"):
              metadata.declaredPaperCount = Int(value)
              metadata.metrics.append(.init(name: "totalResults", value: value))
            case (Self.opensearch, "startIndex"), (Self.opensearch, "itemsPerPage"):
              metadata.metrics.append(.init(name: name, value: value))
            default: break
            }
          }
        }
      }
    } catch {
      try report(
        Diagnostic(.error, "arxiv.xml", error.message, at: location(error.line, error.column)))
      return ReadResult(papers: [], diagnostics: diagnostics, metadata: metadata)
    }

    for e in pending {
      // An error feed: one entry whose id names /api/errors, or titled Error by arXiv's API.
      if (e.id ?? "").contains("/api/errors")
        || (e.title == "Error" && e.authors.first?.name == "arXiv api core")
      {
        try report(
          Diagnostic(
            .error, "arxiv.api-error", "arXiv API error: \(e.summary ?? "no message")",
            at: location(e.line)))
        continue
      }
      guard let rawID = e.id, !rawID.isEmpty, let title = e.title, !title.isEmpty else {
        try report(
          Diagnostic(.warning, "arxiv.hollow-entry", "entry without id or title skipped", at: location(e.line)))
        continue
      }
      papers.append(Self.paper(from: e, rawID: rawID, title: title, options: options))
    }
    return ReadResult(papers: papers, diagnostics: diagnostics, metadata: metadata)
  }

  /// `http://arxiv.org/abs/2305.16300v2` → (`2305.16300`, 2); old ids keep their archive.
  public static func splitID(_ raw: String) -> (id: String, version: Int?) {
    var s = Substring(raw)
    for prefix in ["https://arxiv.org/abs/", "http://arxiv.org/abs/", "arXiv:", "arxiv:"]
    where s.hasPrefix(prefix) {
      s = s.dropFirst(prefix.count)
    }
    if let v = s.lastIndex(of: "v"), let n = Int(s[s.index(after: v)...]), v > s.startIndex,
      s[s.index(before: v)].isNumber
    {
      return (String(s[..<v]), n)
    }
    return (String(s), nil)
  }

  /// An arXiv category (`cs.LG`, `hep-th`, `cond-mat.mes-hall`), as opposed to MSC or ACM
  /// class strings (`35K57`, `I.2.6`).
  static func isArxivCategory(_ term: String) -> Bool {
    let parts = term.split(separator: ".", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count), let archive = parts.first, !archive.isEmpty,
      archive.allSatisfy({ ($0.isLowercase && $0.isASCII) || $0 == "-" })
    else { return false }
    if parts.count == 2 {
      return !parts[1].isEmpty && parts[1].allSatisfy { $0.isASCII && ($0.isLetter || $0 == "-") }
    }
    return true
  }

  static func date(_ s: String?) -> PartialDate? {
    guard let s, s.count >= 10 else { return nil }
    return PartialDate(iso: String(s.prefix(10)))
  }

  static func paper(from e: Entry, rawID: String, title: String, options: ReadOptions) -> Paper {
    let (id, version) = splitID(rawID)
    var p = Paper(kind: .article)
    p.title = RichText.parsingInlineMath(title)
    p.authors = e.authors.filter { !$0.name.isEmpty }.map { a in
      var person =
        a.name.lowercased().contains("collaboration") ? Person.literal(a.name) : Person(parsing: a.name)
      person.affiliations = a.affiliations
      return person
    }
    p.firstVersionDate = date(e.published)
    p.currentVersionDate = date(e.updated)
    p.issued = options.arxivDate == .updated ? (p.currentVersionDate ?? p.firstVersionDate) : (p.firstVersionDate ?? p.currentVersionDate)
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
      guard let href = link["href"] else { continue }
      if link["title"] == "doi" || href.contains("doi.org/") { continue }
      if link["title"] == "pdf" || link["type"] == "application/pdf" || href.contains("/pdf/") {
        pdf = pdf ?? href
      } else if link["rel"] == "alternate" || href.contains("/abs/") {
        abs = abs ?? href
      }
    }
    p.urls = [abs, pdf].compactMap { $0 }
    return p
  }
}
