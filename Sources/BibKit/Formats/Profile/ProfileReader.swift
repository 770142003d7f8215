/// Reads a researcher's profile page dumped as text (the shape of
/// `seeds/martin-jaggi-profile.txt`).
///
/// The page starts with a header (owner, primary category, metrics, "158 Papers"), then one
/// block per paper:
///
///     LGMay 31, 2019Code          category code, date (year optional), optional Code badge
///     PowerSGD: Practical …       title
///     Thijs Vogels, … et al. · org   authors, " et al." when truncated, optional org tag
///     We study …                  abstract (optional, one or more paragraphs)
///
/// CRLF, trailing spaces, extra blank lines and a missing abstract are accepted. A block
/// that does not fit is reported with its line number; a block listed twice is read once.
public struct ProfileReader: BibliographyReader {
  public init() {}

  static let months: [[UInt8]] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  ].map { Array($0.utf8) }

  /// A parsed block header line.
  struct BlockHeader: Equatable {
    var code: String
    var month: Int
    var day: Int
    var year: Int?
    var hasCode: Bool
  }

  /// Parses `<CC><Mon> <D>[, <YYYY>][Code]`, or returns nil.
  static func parseBlockHeader(_ b: [UInt8], _ s: Int, _ e: Int) -> BlockHeader? {
    // Two upper-case letters, then a month abbreviation.
    guard e - s >= 7, ASCII.isUpper(b[s]), ASCII.isUpper(b[s + 1]) else { return nil }
    guard let m = months.firstIndex(where: { b[(s + 2)..<(s + 5)].elementsEqual($0) }) else {
      return nil
    }
    var i = s + 5
    guard i < e, b[i] == ASCII.space else { return nil }
    i += 1
    var day = 0
    let dayStart = i
    while i < e, ASCII.isDigit(b[i]), i - dayStart < 2 {
      day = day * 10 + Int(b[i] - ASCII.zero)
      i += 1
    }
    guard i > dayStart else { return nil }
    var year: Int?
    if i + 1 < e, b[i] == ASCII.comma, b[i + 1] == ASCII.space {
      var j = i + 2
      var y = 0
      while j < e, ASCII.isDigit(b[j]), j - (i + 2) < 4 {
        y = y * 10 + Int(b[j] - ASCII.zero)
        j += 1
      }
      guard j - (i + 2) == 4 else { return nil }
      year = y
      i = j
    }
    var hasCode = false
    if i < e {
      guard b[i..<e].elementsEqual("Code".utf8) else { return nil }
      hasCode = true
    }
    let code = String(decoding: b[s..<(s + 2)], as: UTF8.self)
    return BlockHeader(code: code, month: m + 1, day: day, year: year, hasCode: hasCode)
  }

  /// Whether an input looks like a profile: one of its lines is a block header.
  @Sendable public static func looksLikeProfile(_ b: [UInt8]) -> Bool {
    let head = Array(b.prefix(1 << 16))
    return ByteLines.split(head).contains { parseBlockHeader(head, $0.start, $0.end) != nil }
  }

  public func read(_ input: [UInt8], options: ReadOptions) throws(BibError) -> ReadResult {
    var state = ProfileParse(input: input, options: options)
    try state.run()
    return ReadResult(
      papers: state.papers, diagnostics: state.diagnostics, metadata: state.metadata)
  }
}

/// The state of one profile read.
struct ProfileParse {
  let b: [UInt8]
  let options: ReadOptions
  var lines: [ByteLine] = []
  var papers: [Paper] = []
  var diagnostics: [Diagnostic] = []
  var metadata = SourceMetadata()
  /// Where each paper was read, for duplicate reports.
  var seen: [String: Int] = [:]
  var seenTitles: [String: Int] = [:]

  init(input: [UInt8], options: ReadOptions) {
    var bytes = input
    if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
      bytes.removeFirst(3)
    }
    self.b = bytes
    self.options = options
  }

  func location(_ line: ByteLine) -> SourceLocation {
    SourceLocation(
      file: options.source, line: line.number, column: line.column, offset: line.start)
  }

  mutating func report(
    _ severity: Severity, _ code: DiagnosticCode, _ message: String, _ line: ByteLine?
  ) throws(BibError) {
    let d = Diagnostic(severity, code, message, at: line.map(location))
    if options.strict, severity == .error { throw BibError(d) }
    diagnostics.append(d)
  }

  func text(_ line: ByteLine) -> String { ByteLines.string(b, line) }

  mutating func run() throws(BibError) {
    if !String.isValidUTF8(b) {
      try report(
        .warning, "profile.encoding",
        "input is not valid UTF-8; invalid bytes were replaced by U+FFFD", nil)
    }
    lines = ByteLines.split(b)
    if let long = ByteLines.overlong(lines) {
      try report(.error, "profile.line-length", "line longer than \(ByteLines.maxLineBytes >> 20) MiB", long)
      return
    }
    let headers = lines.indices.filter {
      ProfileReader.parseBlockHeader(b, lines[$0].start, lines[$0].end) != nil
    }
    // Without any block this is not a profile: report that alone, not every line.
    if let firstBlock = headers.first { try readHeader(lines[0..<firstBlock]) }
    for (n, h) in headers.enumerated() {
      let end = n + 1 < headers.count ? headers[n + 1] : lines.count
      try readBlock(header: h, bodyEnd: end)
    }
    if papers.isEmpty {
      try report(
        .error, "profile.no-papers",
        "no paper blocks found (expected lines like 'LGMay 31, 2019')",
        lines.first(where: { !$0.isEmpty }))
    }
    if let declared = metadata.declaredPaperCount {
      let at = declaredLine
      try report(
        .note, "profile.partial", "\(papers.count) of \(declared) papers listed", at)
    }
  }

  var declaredLine: ByteLine?

  // MARK: Header

  mutating func readHeader(_ header: ArraySlice<ByteLine>) throws(BibError) {
    for line in header where !line.isEmpty {
      let s = text(line)
      if let count = Self.declaredCount(s) {
        metadata.declaredPaperCount = count
        declaredLine = line
      } else if line.end - line.start == 2, ASCII.isUpper(b[line.start]),
        ASCII.isUpper(b[line.start + 1]), metadata.primaryCategoryCode == nil
      {
        metadata.primaryCategoryCode = s
        metadata.primaryCategory = ArxivTaxonomy.category(forCode: s)
      } else if let metric = Self.metric(s) {
        metadata.metrics.append(metric)
      } else if metadata.owner == nil {
        metadata.owner = s
      } else {
        try report(.warning, "profile.header", "unrecognised header line: '\(s)'", line)
      }
    }
  }

  /// "158 Papers" → 158.
  static func declaredCount(_ s: String) -> Int? {
    let parts = s.split(separator: " ")
    guard parts.count == 2, parts[1] == "Papers" || parts[1] == "Paper" else { return nil }
    return Int(parts[0].filter { $0 != "," })
  }

  /// A label glued to a number: "h-index66", "158papers", "31,675citations", "Novelty55%".
  static func metric(_ s: String) -> SourceMetadata.Metric? {
    let chars = Array(s)
    func isNum(_ c: Character) -> Bool { c.isASCII && (c.isNumber || c == ",") }
    if let first = chars.first, first.isASCII, first.isNumber {
      let n = chars.prefix(while: isNum)
      var rest = chars.dropFirst(n.count)
      var value = String(n)
      if rest.first == "%" {
        value += "%"
        rest = rest.dropFirst()
      }
      let label = String(rest).trimmingSpaces()
      guard !label.isEmpty, label.allSatisfy({ $0.isLetter || $0 == " " || $0 == "-" }) else {
        return nil
      }
      return .init(name: label, value: value)
    }
    var end = chars.endIndex
    if end > 0, chars[end - 1] == "%" { end -= 1 }
    var start = end
    while start > 0, isNum(chars[start - 1]) { start -= 1 }
    guard start < end, start > 0, chars[start].isNumber else { return nil }
    let label = String(chars[..<start]).trimmingSpaces()
    guard label.allSatisfy({ $0.isLetter || $0 == " " || $0 == "-" }) else { return nil }
    return .init(name: label, value: String(chars[start...]))
  }

  // MARK: Blocks

  mutating func readBlock(header h: Int, bodyEnd: Int) throws(BibError) {
    let headerLine = lines[h]
    guard let header = ProfileReader.parseBlockHeader(b, headerLine.start, headerLine.end) else {
      return
    }
    var body = Array(lines[(h + 1)..<bodyEnd])
    // Several pages pasted together repeat the profile header between blocks: stop the
    // block at a line that names the owner again.
    if let owner = metadata.owner,
      let cut = body.indices.first(where: { i in
        guard text(body[i]) == owner else { return false }
        // The owner's name alone is also a one-author line; a header has metrics after it.
        guard let next = body[(i + 1)...].first(where: { !$0.isEmpty }) else { return false }
        let s = text(next)
        return Self.metric(s) != nil || Self.declaredCount(s) != nil
          || (next.end - next.start == 2 && ASCII.isUpper(b[next.start]))
      })
    {
      try report(
        .note, "profile.repeated-header", "profile header repeated; its lines were skipped",
        body[cut])
      body = Array(body[..<cut])
    }
    let nonEmpty = body.filter { !$0.isEmpty }
    guard let titleLine = nonEmpty.first else {
      try report(
        .warning, "profile.block",
        "paper block has no title; block skipped", headerLine)
      return
    }
    var paper = Paper(kind: .article)
    paper.title = RichText.parsingInlineMath(text(titleLine))
    paper.hasCode = header.hasCode

    // The date: with a year as printed, or the latest year that is not after --as-of.
    if let year = header.year {
      if header.day >= 1, header.day <= PartialDate.daysIn(month: header.month, year: year) {
        paper.issued = PartialDate(year: year, month: header.month, day: header.day)
      } else {
        try report(
          .warning, "profile.date", "no such date: \(text(headerLine)); date left out",
          headerLine)
      }
    } else if let d = PartialDate.inferringYear(
      month: header.month, day: header.day, onOrBefore: options.asOf)
    {
      paper.issued = d
    } else {
      try report(
        .warning, "profile.date", "no such date: \(text(headerLine)); date left out", headerLine)
    }

    // The category code: a table lookup, the raw code kept.
    if let category = ArxivTaxonomy.category(forCode: header.code) {
      paper.identifiers.arxiv = ArxivIdentifier(primaryCategory: category)
      paper.categories = [category]
    } else {
      try report(
        .warning, "profile.category",
        "unknown category code '\(header.code)'; kept as printed", headerLine)
    }
    paper.extraFields.append(
      ExtraField(source: "profile", name: "category-code", value: header.code))

    var rest = nonEmpty.dropFirst()
    if let authorLine = rest.first {
      let s = text(authorLine)
      if Self.looksLikeAuthorLine(s) {
        rest = rest.dropFirst()
        let parsed = Self.parseAuthorLine(s)
        paper.authors = parsed.authors
        paper.authorsTruncated = parsed.truncated
        if let org = parsed.org {
          paper.extraFields.append(ExtraField(source: "profile", name: "org", value: org))
        }
      } else {
        try report(
          .warning, "profile.authors",
          "expected an author line after the title; none found", authorLine)
      }
    } else {
      try report(
        .warning, "profile.authors", "paper block has no author line", titleLine)
    }
    if let first = rest.first, let last = rest.last {
      // The abstract keeps its text exactly; paragraphs stay separated by one blank line.
      let slice = body.drop(while: { $0.number < first.number }).prefix(while: {
        $0.number <= last.number
      })
      var paragraphs: [[String]] = [[]]
      for line in slice {
        if line.isEmpty {
          if !(paragraphs.last?.isEmpty ?? true) { paragraphs.append([]) }
        } else {
          paragraphs[paragraphs.count - 1].append(text(line))
        }
      }
      let abstract = paragraphs.filter { !$0.isEmpty }.map { $0.joined(separator: "\n") }
        .joined(separator: "\n\n")
      paper.abstract = abstract
      for link in Self.links(in: abstract) {
        if Self.isCodeHost(link) {
          paper.codeLinks.append(link)
        } else {
          paper.relatedLinks.append(link)
        }
      }
    }

    // A block listed twice is read once.
    let identity = Self.identity(paper)
    if let earlier = seen[identity] {
      try report(
        .warning, "profile.duplicate",
        "paper listed again (first at line \(earlier)); read once", headerLine)
      return
    }
    let titleKey = Self.normalizedTitle(paper.title?.plainText ?? "")
    if let earlier = seenTitles[titleKey] {
      try report(
        .warning, "profile.near-duplicate",
        "same title as the paper at line \(earlier) but other date or authors; both kept",
        headerLine)
    } else {
      seenTitles[titleKey] = headerLine.number
    }
    seen[identity] = headerLine.number
    papers.append(paper)
  }

  static func normalizedTitle(_ s: String) -> String {
    TextFolding.keyLetters(s)
  }

  static func identity(_ p: Paper) -> String {
    [
      normalizedTitle(p.title?.plainText ?? ""), p.issued?.description ?? "",
      p.authors.map { TextFolding.keyLetters($0.displayName) }.joined(separator: ","),
    ].joined(separator: "|")
  }

  /// An author line is a comma-separated list of short names.
  static func looksLikeAuthorLine(_ s: String) -> Bool {
    let names = parseAuthorLine(s).authors
    guard !names.isEmpty else { return false }
    return names.allSatisfy { p in
      let n = p.original ?? p.displayName
      let words = n.split(separator: " ").count
      return words <= 6 && n.count <= 60 && !n.hasSuffix(".") || Self.isInitialEnding(n)
    }
  }

  static func isInitialEnding(_ n: String) -> Bool {
    // "Sebastian U." style: ends in an upper-case initial and a period.
    let chars = Array(n)
    return chars.count >= 2 && chars[chars.count - 1] == "."
      && chars[chars.count - 2].isUppercase && n.split(separator: " ").count <= 6
  }

  /// Splits "A, B, C et al. · org" into names, the truncation flag and the org tag.
  static func parseAuthorLine(_ line: String) -> (authors: [Person], truncated: Bool, org: String?)
  {
    var s = line
    var org: String?
    if let r = lastRange(of: " \u{00B7} ", in: s) {
      org = String(s[r.upperBound...]).trimmingSpaces()
      s = String(s[..<r.lowerBound])
    }
    var truncated = false
    for marker in [" et al.", " et al", ", et al."] where s.hasSuffix(marker) {
      truncated = true
      s = String(s.dropLast(marker.count))
      break
    }
    let names = s.split(separator: ",").map { String($0).trimmingSpaces() }.filter {
      !$0.isEmpty
    }
    return (names.map { Person(parsing: $0) }, truncated, org?.isEmpty == true ? nil : org)
  }

  static let codeHosts = ["github.com", "gitlab.com", "bitbucket.org", "codeberg.org"]

  /// Whether a link points at a code host (github.com, gitlab.com, …).
  static func isCodeHost(_ url: String) -> Bool {
    var rest = Substring(url)
    for scheme in ["https://", "http://"] where rest.hasPrefix(scheme) {
      rest = rest.dropFirst(scheme.count)
    }
    if rest.hasPrefix("www.") { rest = rest.dropFirst(4) }
    return codeHosts.contains { rest.hasPrefix($0 + "/") }
  }

  static func lastRange(of needle: String, in s: String) -> Range<String.Index>? {
    var found: Range<String.Index>?
    var i = s.startIndex
    while i < s.endIndex {
      if s[i...].hasPrefix(needle) { found = i..<s.index(i, offsetBy: needle.count) }
      i = s.index(after: i)
    }
    return found
  }

  /// URLs in an abstract: `http(s)://…` and bare `www.…` or `github.com/…`, without trailing
  /// punctuation or a closing brace; bare ones get `https://`.
  static func links(in text: String) -> [String] {
    let b = Array(text.utf8)
    var out: [String] = []
    var i = 0
    let starts: [[UInt8]] = ["https://", "http://", "www.", "github.com/"].map { Array($0.utf8) }
    while i < b.count {
      let atWordStart =
        i == 0 || b[i - 1] == ASCII.space || b[i - 1] == UInt8(ascii: "{")
        || b[i - 1] == UInt8(ascii: "(") || b[i - 1] == ASCII.lf || b[i - 1] == UInt8(ascii: "~")
      if atWordStart, let p = starts.first(where: { b[i...].starts(with: $0) }) {
        var j = i + p.count
        while j < b.count, b[j] > 0x20, b[j] != UInt8(ascii: "}"), b[j] != UInt8(ascii: ")") {
          j += 1
        }
        var e = j
        while e > i + p.count, [UInt8(ascii: "."), ASCII.comma, UInt8(ascii: ";")].contains(b[e - 1]) {
          e -= 1
        }
        var url = String(decoding: b[i..<e], as: UTF8.self)
        if !url.hasPrefix("http") { url = "https://" + url }
        if !out.contains(url) { out.append(url) }
        i = j
        continue
      }
      i += 1
    }
    return out
  }
}
