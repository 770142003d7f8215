#if canImport(Glibc)
  import Glibc
#endif

/// Reads BibTeX and BibLaTeX as people have it: `{}` or `()` entries, `@string`, `@preamble`,
/// `@comment`, `#` concatenation, predefined months, crossref and xdata inheritance in any
/// order, biblatex aliases and the arXiv conventions of arXiv, DBLP and Google Scholar.
///
/// Lenient: an error inside an entry is reported at its line and the reader goes on at the
/// next `@` that starts a line. Duplicate fields keep the first, with a warning. A repeated
/// key (compared case-insensitively) keeps the first entry; the later one is reported and
/// skipped, as BibTeX does. Input that is not valid UTF-8 is read as Windows-1252, with a
/// warning.
public struct BibTeXReader: BibliographyReader {
  /// Inputs of at least this many bytes are read a batch at a time by
  /// ``batches(_:options:)`` (see BibTeXBatches.swift).
  public var batchThreshold = 8 << 20
  /// Input bytes per chunk of a batch; a batch has one chunk per core.
  public var batchChunkBytes = 256 << 10

  public init() {}

  public func read(_ input: [UInt8], options: ReadOptions) throws(BibError) -> ReadResult {
    var diagnostics: [Diagnostic] = []
    let bytes = Windows1252.decodedInput(input, code: "bibtex.encoding", source: options.source, into: &diagnostics)
    let (entries, preambles) = try Self.entries(bytes, options: options, diagnostics: &diagnostics)
    let papers = Self.mapConsuming(entries, source: options.source, diagnostics: &diagnostics)
    if papers.isEmpty, !bytes.isEmpty, !diagnostics.contains(where: { $0.severity == .error }),
      preambles.isEmpty, !Sniffing.looksLikeBibTeX(bytes)
    {
      diagnostics.append(
        Diagnostic(.error, "bibtex.no-entries", "no BibTeX entries found",
          at: SourceLocation(file: options.source, line: 1, column: 1)))
    }
    var metadata = SourceMetadata()
    metadata.preambles = preambles
    return ReadResult(papers: papers, diagnostics: diagnostics, metadata: metadata)
  }

  /// The entries to map, in input order, repeated keys dropped and inheritance done, in a
  /// buffer that holds the only reference to them (``mapConsuming`` frees it); and the
  /// preambles.
  static func entries(
    _ bytes: [UInt8], options: ReadOptions, diagnostics: inout [Diagnostic]
  ) throws(BibError) -> (UnsafeMutableBufferPointer<RawEntry>, [String]) {
    let parser = BibTeXParser.parsed(bytes: bytes, source: options.source)
    diagnostics += parser.diagnostics
    if options.strict, let e = diagnostics.first(where: { $0.severity == .error }) {
      throw BibError(e)
    }

    // Repeated keys: the first entry wins.
    var firstLine: [String: Int] = [:]
    firstLine.reserveCapacity(parser.entries.count)
    var entries: [RawEntry] = []
    entries.reserveCapacity(parser.entries.count)
    // Entries that take fields from others (crossref or xdata), by index.
    var inheriting: [Int] = []
    for e in parser.entries where isFirst(e, firstLine: &firstLine, source: options.source, diagnostics: &diagnostics) {
      if e.index(of: .crossref) != nil || e.index(of: .xdata) != nil { inheriting.append(entries.count) }
      entries.append(e)
    }
    // @xdata entries are kept too: BibTeX lists them, and the round trip writes them back.
    // Only those entries change; the others are resolved as they are.
    if !inheriting.isEmpty {
      let byKey = Dictionary(entries.map { ($0.key.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
      for k in inheriting {
        entries[k] = Inheritance.resolve(entries[k], byKey: byKey, source: options.source, diagnostics: &diagnostics)
      }
    }
    let buffer = UnsafeMutableBufferPointer<RawEntry>.allocate(capacity: entries.count)
    _ = buffer.initialize(fromContentsOf: entries)
    return (buffer, parser.preambles)
  }

  /// Whether `e` is the first entry with its key (compared case-insensitively), which it
  /// then records in `firstLine`; a later one is reported.
  static func isFirst(
    _ e: RawEntry, firstLine: inout [String: Int], source: String?, diagnostics: inout [Diagnostic]
  ) -> Bool {
    let k = e.key.lowercased()
    if let line = firstLine[k] {
      diagnostics.append(
        Diagnostic(
          .warning, "bibtex.duplicate-key",
          "repeated key '\(e.key)' (first at line \(line)); this entry is skipped",
          at: SourceLocation(file: source, line: e.line, column: e.column, offset: e.offset)))
      return false
    }
    firstLine[k] = e.line
    return true
  }

  // MARK: Mapping

  /// Maps entries to papers on every core, in input order; entries are independent once
  /// inheritance is done. Each entry is moved out of `entries` and freed on the core that
  /// mapped it, and `entries` is deallocated.
  static func mapConsuming(
    _ entries: UnsafeMutableBufferPointer<RawEntry>, source: String?, diagnostics: inout [Diagnostic]
  ) -> [Paper] {
    let papers = mapMoving(entries, source: source, diagnostics: &diagnostics)
    entries.deallocate()
    return papers
  }

  /// Maps entries to papers as ``mapConsuming`` does, moving each entry out of `entries`,
  /// which is left uninitialized and not deallocated.
  static func mapMoving(
    _ entries: UnsafeMutableBufferPointer<RawEntry>, source: String?, diagnostics: inout [Diagnostic]
  ) -> [Paper] {
    let n = entries.count
    nonisolated(unsafe) let input = entries
    var found: [[Diagnostic]] = []
    let papers = [Paper](unsafeUninitializedCapacity: n) { out, count in
      nonisolated(unsafe) let out = out
      found = Parallel.chunks(n) { range -> [Diagnostic] in
        var d: [Diagnostic] = []
        for i in range {
          let e = (input.baseAddress! + i).move()
          (out.baseAddress! + i).initialize(to: paper(from: e, diagnostics: &d, source: source))
        }
        return d
      }
      count = n
    }
    for d in found { diagnostics += d }
    return papers
  }

  /// Decoded page text with each run of hyphens and dashes made one hyphen, the range
  /// separator.
  static func pageRange(_ decoded: String) -> String {
    var pages = ""
    for ch in decoded {
      if ch == "–" || ch == "—" || ch == "-" {
        if !pages.hasSuffix("-") { pages.append("-") }
      } else {
        pages.append(ch)
      }
    }
    return pages
  }

  /// ``pageRange(_:)`` of the decoded value, computed on the bytes (each run of hyphens made
  /// one), for a `pages` value of ASCII with no byte LaTeX decoding changes but `-` (`12--34`,
  /// `e101`). `nil` for any other value, and for an empty one.
  static func plainPages(_ v: String) -> String? {
    var v = v
    return v.withUTF8 { b -> String? in
      guard !b.isEmpty, b.first != 0x20, b.last != 0x20 else { return nil }
      var previous: UInt8 = 0
      var hyphenRuns = false
      for c in b {
        switch c {
        case 0x21...0x7E where !LaTeXDecoding.isSpecial(c) || c == UInt8(ascii: "-"):
          if c == UInt8(ascii: "-"), previous == c { hyphenRuns = true }
        case 0x20: if previous == 0x20 { return nil }
        default: return nil
        }
        previous = c
      }
      guard hyphenRuns else { return String(decoding: b, as: UTF8.self) }
      var out: [UInt8] = []
      out.reserveCapacity(b.count)
      for c in b where !(c == UInt8(ascii: "-") && out.last == c) { out.append(c) }
      return String(decoding: out, as: UTF8.self)
    }
  }

  static func paper(from e: RawEntry, diagnostics: inout [Diagnostic], source: String?) -> Paper {
    var p = Paper(citationKey: e.key, kind: BibTeXMapping.kind(forType: e.type), originalType: e.type)
    map(e, into: &p, diagnostics: &diagnostics, source: source)
    return p
  }

  /// The mapping of ``paper(from:diagnostics:source:)``, filling in `p` (made in place, so
  /// that the paper is not copied on its way out).
  private static func map(_ e: RawEntry, into p: inout Paper, diagnostics: inout [Diagnostic], source: String?) {
    // Which of the entry's fields the mapping consumed, by position. Written through a
    // pointer: the local functions below write it, and a captured variable would be checked
    // for exclusive access at run time on every write.
    let used = UnsafeMutableBufferPointer<Bool>.allocate(capacity: Swift.max(1, e.fields.count))
    used.initialize(repeating: false)
    defer { used.deallocate() }
    func use(_ name: KnownField) { if let k = e.index(of: name) { used[k] = true } }
    // An empty value stays an extra field, so it is written back as it came.
    func take(_ name: KnownField) -> String? {
      guard let k = e.index(of: name), !e.fields[k].value.isEmpty else { return nil }
      used[k] = true
      return e.fields[k].value
    }
    /// A field decoded to plain text; one that decodes to nothing stays an extra field.
    func takePlain(_ name: KnownField) -> String? {
      guard let k = e.index(of: name), !e.fields[k].value.isEmpty else { return nil }
      let v = LaTeXDecoding.plain(e.fields[k].value)
      guard !v.trimmingSpaces().isEmpty else { return nil }
      used[k] = true
      return v
    }
    func warn(_ f: RawField, _ message: String) {
      diagnostics.append(
        Diagnostic(.warning, "bibtex.field", "'\(e.key)': \(message)",
          at: SourceLocation(file: source, line: f.line, column: f.column)))
    }

    // People.
    for role in [KnownField.author, .editor, .translator] {
      guard let f = e.field(role) else { continue }
      var names = BibTeXNames.splitList(f.value)
      var truncated = false
      if names.count > 1, names.last?.lowercased() == "others" {
        names.removeLast()
        truncated = true
      }
      if truncated, role != .author { continue }  // kept as written, below
      // One pass, into one array: empty names and names with no letters are counted and
      // dropped.
      var people: [Person] = []
      people.reserveCapacity(names.count)
      var empty = 0
      var letterless = 0
      for name in names {
        guard !name.isEmpty else {
          empty += 1
          continue
        }
        let person = BibTeXNames.person(name)
        if person.isEmptyName { letterless += 1 } else { people.append(person) }
      }
      if empty > 0 { warn(f, "\(role.name) list has \(empty) empty name(s); dropped") }
      if letterless > 0 { warn(f, "\(role.name) list has a name with no letters; dropped") }
      use(role)
      switch role {
      case .author:
        p.authors = people
        p.authorsTruncated = truncated
      case .editor: p.editors = people
      default: p.translators = people
      }
    }

    if let f = take(.title) { p.title = LaTeXDecoding.richText(f) }
    if let container = BibTeXMapping.containerField(forType: e.type) {
      let names: [KnownField] = container == "journal" ? [.journal, .journaltitle] : [.booktitle]
      if let name = names.first(where: { e.field($0) != nil }), let f = take(name) {
        p.containerTitle = LaTeXDecoding.richText(f)
      }
    } else if let f = e.field(.howpublished), !f.value.isEmpty, !f.value.contains("\\url"),
      !f.value.contains("\\href"), !f.value.hasPrefix("http")
    {
      // Where the type has no container field, the writer puts the container here.
      use(.howpublished)
      p.containerTitle = LaTeXDecoding.richText(f.value)
    }

    // Dates: biblatex `date` wins; else year, month, day.
    if let f = e.field(.date), let d = PartialDate(iso: f.value) {
      use(.date)
      p.issued = d
      // year, month and day that agree with the date say nothing more.
      // year, month and day say nothing more; where they disagree, date wins (as in biber).
      for name in [KnownField.year, .month, .day] {
        guard let x = e.field(name) else { continue }
        use(name)
        let agrees =
          name == .year ? x.value == String(d.year)
          : name == .month ? BibTeXMapping.month(x.value) == d.month : Int(x.value) == d.day
        if !agrees { warn(x, "\(name.name) '\(x.value)' disagrees with date '\(f.value)'; the date is kept") }
      }
    } else if let y = e.field(.year), (1...4).contains(y.value.utf8.count), y.value.allBytes(ASCII.isDigit),
      let year = Int(y.value)
    {
      use(.year)
      var d = PartialDate(year: year)
      if let m = e.field(.month), let month = BibTeXMapping.month(m.value) {
        use(.month)
        d.month = month
        if let dd = e.field(.day), let day = Int(dd.value), (1...PartialDate.daysIn(month: month, year: year)).contains(day) {
          use(.day)
          d.day = day
        }
      }
      p.issued = d
    }

    if let v = takePlain(.volume) { p.volume = v }
    if p.kind == .articleJournal || e.type == "article" {
      if let v = takePlain(.number) ?? takePlain(.issue) { p.issue = v }
      if let v = takePlain(.eid) { p.number = v }
    } else if let v = takePlain(.number) {
      p.number = v
    }
    if let k = e.index(of: .pages), let pages = plainPages(e.fields[k].value) {
      // The common page range, ASCII with nothing for LaTeX to decode: the same as below.
      used[k] = true
      p.pages = pages
    } else if let raw = takePlain(.pages) {
      p.pages = pageRange(raw)
    }
    if let v = takePlain(.edition) { p.edition = v }
    let publisherField = BibTeXMapping.publisherKnownField(forType: e.type)
    if let v = takePlain(publisherField) { p.publisher = v }
    if let v = takePlain(.address) ?? takePlain(.location) { p.publisherPlace = v }
    if let v = takePlain(.type) { p.genre = v }
    // Notes and abstracts stay TeX; characters BibTeX keeps literally but LaTeX would not
    // (a bare %, &, #) are escaped, as the writer would.
    if let f = take(.note) { p.note = texNormalized(f) }
    if let f = take(.abstract) { p.abstract = texNormalized(f) }
    if let v = takePlain(.language) { p.language = v }
    if let v = takePlain(.keywords) { p.keywords = Self.keywords(v) }
    if let f = take(.doi) { p.identifiers.doi = normalizedDOI(f) }
    if let f = take(.url) { p.urls = [f] }
    if let f = take(.isbn) { p.identifiers.isbn = [f] }
    if let f = take(.issn) { p.identifiers.issn = [f] }
    if let f = take(.pmid) { p.identifiers.pmid = f }
    if let f = take(.pmcid) { p.identifiers.pmcid = f }

    // arXiv: eprint + archivePrefix/eprinttype, DBLP's CoRR volume, Scholar's journal text.
    let prefix = (e.field(.archiveprefix) ?? e.field(.eprinttype))?.value.lowercased()
    if let f = e.field(.eprint), prefix == "arxiv" || (prefix == nil && looksLikeArxivID(f.value)) {
      let (id, version) = ArxivAtomReader.splitID(f.value.trimmingSpaces())
      use(.eprint)
      if e.field(.archiveprefix) != nil { use(.archiveprefix) }
      if e.field(.eprinttype) != nil { use(.eprinttype) }
      let cls = e.field(.primaryclass) ?? e.field(.eprintclass)
      if let k = cls?.known { use(k) }
      p.identifiers.arxiv = ArxivIdentifier(id: id, version: version, primaryCategory: cls?.value)
    } else if let j = p.containerTitle?.plainText, let id = arxivID(inJournal: j, volume: p.volume) {
      p.identifiers.arxiv = ArxivIdentifier(id: id)
    }
    if p.categories.isEmpty, let c = p.identifiers.arxiv?.primaryCategory { p.categories = [c] }
    // A category without an id (a profile entry written by BibKit).
    if p.identifiers.arxiv == nil, e.field(.eprint) == nil, let c = take(.primaryclass) {
      p.identifiers.arxiv = ArxivIdentifier(primaryCategory: c)
      if p.categories.isEmpty { p.categories = [c] }
    }
    let read = BibTeXMapping.kindRead(
      type: e.type, hasArxivID: p.identifiers.arxiv?.id != nil, container: p.containerTitle?.plainText,
      entrysubtype: nil)
    if read == .article { p.kind = .article }
    // The arXiv DOI and abs URL are derived from the id; keep only ones that say more.
    if let ax = p.identifiers.arxiv, ax.id != nil {
      if let doi = p.identifiers.doi, doi.lowercased() == ax.doi?.lowercased() { p.identifiers.doi = nil }
      if p.urls == [ax.absURL ?? ""] { p.urls = [] }
    }
    if p.kind == .articleJournal {
      p.kind = BibTeXMapping.kindRead(type: e.type, hasArxivID: false, container: nil, entrysubtype: e.field(.entrysubtype)?.value)
    }

    // The fields BibKit's writer uses for facts BibTeX has no field for.
    if let f = take(.arxivVersion), let v = Int(f), p.identifiers.arxiv != nil {
      p.identifiers.arxiv?.version = v
    } else if e.field(.arxivVersion) != nil {
      if let k = e.index(of: .arxivVersion) { used[k] = false }
    }
    if take(.yearInferred) == "true", p.issued != nil { p.issued?.yearInferred = true }
    if take(.dateApproximate) == "true", p.issued != nil { p.issued?.approximate = true }
    // Written as escaped text (`legal\_case`), so read as text.
    if let v = takePlain(.originalType) { p.originalType = v }
    if let v = takePlain(.kind), PaperKind(v).isCSLType { p.kind = PaperKind(v) }
    if let f = take(.firstVersionDate), let d = PartialDate(iso: f) { p.firstVersionDate = d }
    if let f = take(.currentVersionDate), let d = PartialDate(iso: f) { p.currentVersionDate = d }
    if let f = take(.code) { p.codeLinks = f.split(separator: " ").map(String.init) }
    if take(.codeBadge) == "true" { p.hasCode = true }
    if let f = take(.links) { p.relatedLinks = f.split(separator: " ").map(String.init) }
    if let f = take(.urls) { p.urls = f.split(separator: " ").map(String.init) }
    if let f = take(.categories) {
      p.categories = f.split(separator: ",").map { String($0).trimmingSpaces() }
    }
    if take(.authorsTruncated) == "true" { p.authorsTruncated = true }

    // Everything else, in input order, so it is written back as it came; fields the writer
    // named `<format>-<name>` for another format's extras go back to that format.
    var foreign = false
    // Room for them at once (an entry of the bench input has eight or so), and each field
    // read in place rather than copied whole.
    var remaining = 0
    for k in e.fields.indices where !used[k] { remaining += 1 }
    if remaining > 0 { p.extraFields.reserveCapacity(p.extraFields.count + remaining) }
    for k in e.fields.indices where !used[k] {
      var name = e.fields[k].name
      // Another format's extras are written as escaped text, so they are read as text.
      if let (source, rest) = name.withUTF8({ ExtraField.foreignName($0, readBy: .bibtex) }) {
        p.extraFields.append(ExtraField(source: source, name: rest, value: LaTeXDecoding.plain(e.fields[k].value)))
        foreign = true
      } else {
        p.extraFields.append(ExtraField(source: "bibtex", name: name, value: e.fields[k].value))
      }
    }
    // Fields of other formats first, as the writer writes them, then this format's own.
    if foreign {
      let foreign = p.extraFields.filter { $0.source != "bibtex" }
      p.extraFields = foreign + p.extraFields.filter { $0.source == "bibtex" }
    }
    // The type is kept when it is not the one the writer would choose for the kind.
    if p.originalType == BibTeXWriter.defaultType(kind: p.kind, genre: p.genre) { p.originalType = nil }
    if p.citationKey?.isEmpty ?? true {
      p.citationKey = CitationKeys.baseKey(for: p)
      diagnostics.append(
        Diagnostic(.warning, "bibtex.empty-key", "entry without a key; named '\(p.citationKey!)'",
          at: SourceLocation(file: source, line: e.line, column: e.column)))
    }
  }

  /// A keyword list: parts between commas and semicolons, trimmed, empty ones dropped. Split
  /// as by Characters, where a mark that combines with the comma makes it no separator; on
  /// the bytes where that gives the same parts.
  static func keywords(_ v: String) -> [String] {
    v.splitOmittingEmpty(
      bytes: { $0 == ASCII.comma || $0 == UInt8(ascii: ";") }, characters: { $0 == "," || $0 == ";" },
      asciiSeparatorsOnly: true).map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
  }

  /// An abstract or note as the model keeps it: TeX, except that the characters the writer
  /// escapes (`\&`, `\%`, `\#`, `\_`, `\textasciicircum{}` outside math) are plain characters.
  static func texNormalized(_ s: String) -> String {
    guard s.containsByte(UInt8(ascii: "\\")) else { return s }
    // `\textbraceleft{}` and `\textbraceright{}` are the writer's form of braces that do not
    // nest; they become braces again only when the braces of the result do not nest either.
    let withBraces = texNormalized(s, braces: true)
    guard withBraces.braces else { return withBraces.text }
    var copy = withBraces.text
    let nests = copy.withUTF8 { LaTeXEncoding.bracesNest($0) }
    return nests ? texNormalized(s, braces: false).text : withBraces.text
  }

  /// One pass of ``texNormalized(_:)``, on the UTF-8 bytes: every mark it looks for is
  /// ASCII, and the bytes of other characters never look like one.
  static func texNormalized(_ s: String, braces: Bool) -> (text: String, braces: Bool) {
    var copy = s
    return copy.withUTF8 { b in
      let n = b.count
      var out: [UInt8] = []
      out.reserveCapacity(n)
      var inMath = false
      var converted = false
      var i = 0
      // Whether `word` follows the backslash at `i`; if so, `i` moves past them both.
      func skipCommand(_ word: StaticString) -> Bool {
        let m = word.utf8CodeUnitCount
        guard i + 1 + m <= n, word.withUTF8Buffer({ memcmp(b.baseAddress! + i + 1, $0.baseAddress!, m) == 0 }) else {
          return false
        }
        i += 1 + m
        return true
      }
      while i < n {
        // The run up to the next backslash or dollar, in one copy.
        var j = i
        while j < n, b[j] != UInt8(ascii: "\\"), b[j] != UInt8(ascii: "$") { j += 1 }
        if j > i {
          out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<j]))
          i = j
          if i == n { break }
        }
        let c = b[i]
        if c == UInt8(ascii: "$") { inMath.toggle() }
        guard c == UInt8(ascii: "\\"), i + 1 < n else {
          out.append(c)
          i += 1
          continue
        }
        let next = b[i + 1]
        if next == UInt8(ascii: "%")
          || (!inMath && (next == UInt8(ascii: "&") || next == UInt8(ascii: "#") || next == UInt8(ascii: "_")))
        {
          out.append(next)
          i += 2
        } else if !inMath, skipCommand("textasciicircum{}") {
          out.append(UInt8(ascii: "^"))
        } else if braces, skipCommand("textbraceleft{}") {
          out.append(UInt8(ascii: "{"))
          converted = true
        } else if braces, skipCommand("textbraceright{}") {
          out.append(UInt8(ascii: "}"))
          converted = true
        } else {
          // The escaped character is taken with the backslash (`\$` does not open math);
          // the rest of its bytes, if any, follow as they are.
          out.append(c)
          out.append(next)
          i += 2
        }
      }
      return (String(decoding: out, as: UTF8.self), converted)
    }
  }

  static func normalizedDOI(_ s: String) -> String {
    // Prefixes come off until none is left (`doi:https://doi.org/10.…`).
    var t = Substring(s.trimmingSpaces())
    var stripped = true
    while stripped {
      stripped = false
      for prefix in ["https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"]
      where t.lowercased().hasPrefix(prefix) {
        t = Substring(String(t.dropFirst(prefix.count)).trimmingSpaces())
        stripped = true
      }
    }
    return String(t)
  }

  static func looksLikeArxivID(_ s: String) -> Bool {
    let (id, _) = ArxivAtomReader.splitID(s.trimmingSpaces())
    let parts = id.split(separator: ".")
    if parts.count == 2, parts[0].count == 4, parts[0].allSatisfy(\.isNumber),
      (4...5).contains(parts[1].count), parts[1].allSatisfy(\.isNumber)
    {
      return true
    }
    let slash = id.split(separator: "/")
    return slash.count == 2 && slash[1].count == 7 && slash[1].allSatisfy(\.isNumber)
      && slash[0].allSatisfy { $0.isLowercase || $0 == "-" || $0 == "." || $0.isUppercase }
  }

  /// `arXiv preprint arXiv:2305.16300` (Google Scholar) or `CoRR` with `abs/2305.16300` (DBLP).
  static func arxivID(inJournal journal: String, volume: String?) -> String? {
    if journal == "CoRR", let v = volume, v.hasPrefix("abs/") {
      let id = String(v.dropFirst(4))
      return looksLikeArxivID(id) ? id : nil
    }
    // Only "A" or "a" lower-cases to "a" and only "R" or "r" to "r": most titles are ruled
    // out on two bytes, without lower-casing them.
    let u = journal.utf8
    guard u.count >= 5, let first = u.first, first | 0x20 == UInt8(ascii: "a"),
      u[u.index(after: u.startIndex)] | 0x20 == UInt8(ascii: "r")
    else { return nil }
    guard journal.lowercased().hasPrefix("arxiv") else { return nil }
    // The word after the last "arXiv:" (any case).
    let words = journal.split(separator: " ")
    guard let word = words.last(where: { $0.lowercased().hasPrefix("arxiv:") }) else { return nil }
    let rest = String(word.dropFirst(6))
    let id = ArxivAtomReader.splitID(rest).id
    return looksLikeArxivID(id) ? id : nil
  }
}

/// crossref and xdata inheritance, whatever the entry order, with cycle detection.
///
/// A parent is resolved before a child takes from it, so chains (xdata inside xdata, crossref
/// to an entry with its own crossref) pass everything down. A child takes only fields it does
/// not have; a `title` inherited by an in-proceedings or in-collection entry becomes its
/// `booktitle`.
enum Inheritance {
  /// The keys an entry's `crossref` and `xdata` fields name, as ``resolve(_:byKey:source:diagnostics:)``
  /// looks them up.
  static func named(by entry: RawEntry) -> [String] {
    var keys: [String] = []
    if let xdata = entry.field(.xdata)?.value {
      for k in xdata.split(separator: ",") { keys.append(parentKey(k)) }
    }
    if let crossref = entry.field(.crossref)?.value { keys.append(parentKey(crossref)) }
    return keys
  }

  /// A key as a `crossref` or `xdata` value names it, as parents are looked up: trimmed, in
  /// lower case.
  static func parentKey(_ key: some StringProtocol) -> String {
    String(key).trimmingSpaces().lowercased()
  }

  /// BibTeX and biblatex names of one field: a child that has either takes neither.
  static let aliases: [String: String] = [
    "journal": "journaltitle", "journaltitle": "journal", "address": "location", "location": "address",
  ]

  /// The fields that together give an entry's date.
  static let dateFields: Set<String> = ["year", "month", "date"]

  /// Fields a child never takes from its parent.
  static let notInherited: Set<String> = [
    "ids", "crossref", "xref", "xdata", "key", "label", "shorthand", "sortkey",
    // BibKit's own fields describe the entry they are written in, not what it shares.
    "original-type", "kind", "authors-truncated", "year-inferred", "date-approximate",
    "first-version-date", "current-version-date", "arxiv-version", "code", "code-badge", "links",
    "urls", "categories",
  ]

  /// Whether a parent's field passes to the entries that cross-reference it: not BibKit's
  /// own fields, nor another format's extras (`ris-…`, `csl-json-…`).
  static func inherits(_ name: String) -> Bool {
    !notInherited.contains(name) && !["profile-", "arxiv-", "ris-", "csl-json-"].contains { name.hasPrefix($0) }
  }

  static let takesBooktitle: Set<String> = ["inproceedings", "incollection", "inbook", "bookinbook", "suppbook", "conference"]

  static func resolve(
    _ entry: RawEntry, byKey: [String: RawEntry], source: String?, diagnostics: inout [Diagnostic]
  ) -> RawEntry {
    var visiting: [String] = []
    return resolve(entry, byKey: byKey, source: source, visiting: &visiting, diagnostics: &diagnostics)
  }

  private static func resolve(
    _ entry: RawEntry, byKey: [String: RawEntry], source: String?, visiting: inout [String],
    diagnostics: inout [Diagnostic]
  ) -> RawEntry {
    let me = entry.key.lowercased()
    visiting.append(me)
    defer { visiting.removeLast() }
    var e = entry
    func parentEntry(_ key: String) -> RawEntry? {
      let k = parentKey(key)
      guard !k.isEmpty else { return nil }
      if visiting.contains(k) {
        diagnostics.append(
          Diagnostic(.warning, "bibtex.crossref-cycle", "'\(entry.key)': crossref/xdata cycle through '\(k)'; stopped",
            at: SourceLocation(file: source, line: entry.line, column: entry.column)))
        return nil
      }
      guard let parent = byKey[k] else {
        diagnostics.append(
          Diagnostic(.warning, "bibtex.crossref-missing", "'\(entry.key)': cross-referenced entry '\(key)' does not exist",
            at: SourceLocation(file: source, line: entry.line, column: entry.column)))
        return nil
      }
      return resolve(parent, byKey: byKey, source: source, visiting: &visiting, diagnostics: &diagnostics)
    }
    func take(from parent: RawEntry, titleToBooktitle: Bool) {
      // The date is one fact: a child with a year, month or date of its own takes none of
      // them from its parent (as biber reads year and month into one date). Otherwise a
      // child with `date = 2006` would gain the parent's month once written as `year`.
      let ownDate = dateFields.contains { e.field($0) != nil }
      for f in parent.fields where inherits(f.name) {
        var name = f.name
        if titleToBooktitle, name == "title" { name = "booktitle" }
        if name == "title" { continue }
        if ownDate, dateFields.contains(name) { continue }
        let alias = aliases[name]
        if e.field(name) == nil, alias.map({ e.field($0) == nil }) ?? true {
          e.append(RawField(name: name, value: f.value, line: f.line, column: f.column, macro: f.macro))
        }
      }
    }
    if let xdata = entry.field(.xdata)?.value {
      for k in xdata.split(separator: ",") {
        if let parent = parentEntry(String(k)) { take(from: parent, titleToBooktitle: false) }
      }
    }
    if let crossref = entry.field(.crossref)?.value, let parent = parentEntry(crossref) {
      take(from: parent, titleToBooktitle: takesBooktitle.contains(entry.type))
    }
    return e
  }
}

/// Windows-1252 to UTF-8, for text files that are not UTF-8.
enum Windows1252 {
  /// The input as UTF-8 without a byte-order mark: as it is when it is valid UTF-8, else read
  /// as Windows-1252, with a warning.
  static func decodedInput(
    _ input: [UInt8], code: DiagnosticCode, source: String?, into diagnostics: inout [Diagnostic]
  ) -> [UInt8] {
    var bytes = input
    if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { bytes.removeFirst(3) }
    guard !String.isValidUTF8(bytes) else { return bytes }
    diagnostics.append(
      Diagnostic(
        .warning, code, "input is not valid UTF-8; read as Windows-1252",
        at: SourceLocation(file: source, line: 1, column: 1)))
    return toUTF8(bytes)
  }

  static let high: [UInt32] = [
    0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
  ]

  static func toUTF8(_ b: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(b.count + b.count / 8)
    for c in b {
      if c < 0x80 {
        out.append(c)
      } else {
        let v = c < 0xA0 ? high[Int(c - 0x80)] : UInt32(c)
        out += Array(String(Unicode.Scalar(v)!).utf8)
      }
    }
    return out
  }
}
