/// Matches papers from one source against records from another (a profile against arXiv).
///
/// A match needs the titles to agree after normalisation (accents folded, case folded, LaTeX
/// markup and punctuation removed), the first-version dates to be close, and the visible
/// authors to appear in the record's author list, in order, allowing for name variants
/// ("Hernández Cano" / "Hernández-Cano", "Sebastian U. Stich" / "Sebastian Stich"). Every
/// decision carries a confidence and a reason. A wrong match is worse than none: when two
/// records fit about equally well, the paper is reported as ambiguous and left alone.
public enum Matcher {
  /// Title words: folded to ASCII, lower case, LaTeX commands, braces, `$` and punctuation
  /// removed.
  public static func titleWords(_ s: String) -> [String] {
    var cleaned = ""
    var skipCommand = false
    for ch in TextFolding.asciiFold(s) {
      if ch == "\\" {
        skipCommand = true
        continue
      }
      if skipCommand {
        if ch.isLetter { continue }
        skipCommand = false
      }
      cleaned.append(ch.isLetter || ch.isNumber ? Character(ch.lowercased()) : " ")
    }
    return cleaned.split(separator: " ").map(String.init)
  }

  public static func normalizedTitle(_ s: String) -> String { titleWords(s).joined(separator: " ") }

  /// Similarity of two normalised titles, 0…1: one minus the edit distance over the longer.
  public static func titleSimilarity(_ a: String, _ b: String) -> Double {
    titleSimilarity(Array(normalizedTitle(a).utf8), Array(normalizedTitle(b).utf8))
  }

  /// ``titleSimilarity(_:_:)`` of two normalised titles' bytes.
  static func titleSimilarity(_ x: [UInt8], _ y: [UInt8]) -> Double {
    if x == y { return 1 }
    guard !x.isEmpty, !y.isEmpty else { return 0 }
    let distance = x.count <= y.count ? editDistance(pattern: x, text: y) : editDistance(pattern: y, text: x)
    return 1 - Double(distance) / Double(Swift.max(x.count, y.count))
  }

  /// The edit distance between `pattern` and `text` (insertions, deletions and substitutions
  /// of one byte, each costing one), a column of the table at a time in the bits of words
  /// (Myers' bit-vector algorithm, with his blocks of 64 rows for longer patterns, in the
  /// form for the distance between two whole strings): a few word operations per byte of
  /// the text and block, where the table takes one step per byte of each. The pattern is
  /// best the shorter string.
  static func editDistance(pattern: [UInt8], text: [UInt8]) -> Int {
    let m = pattern.count
    guard m > 0 else { return text.count }
    let blocks = (m + 63) / 64
    // Per byte value, the bits of the rows where the pattern has it; then per block the
    // vertical deltas of the current column, +1 (pv) and -1 (mv).
    return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 256 * blocks + 2 * blocks) { words -> Int in
      let peq = words.baseAddress!
      let pvs = peq + 256 * blocks
      let mvs = pvs + blocks
      (UnsafeMutableBufferPointer(start: peq, count: 256 * blocks)).initialize(repeating: 0)
      (UnsafeMutableBufferPointer(start: pvs, count: blocks)).initialize(repeating: UInt64.max)
      (UnsafeMutableBufferPointer(start: mvs, count: blocks)).initialize(repeating: 0)
      for (i, c) in pattern.enumerated() { peq[Int(c) * blocks + i / 64] |= 1 << UInt64(i % 64) }
      let lastBit: UInt64 = 1 << UInt64((m - 1) % 64)
      var score = m
      for c in text {
        let row = peq + Int(c) * blocks
        // The top row grows by one at each column: +1 comes into the first block.
        var hin = 1
        for b in 0..<blocks {
          var eq = row[b]
          let pv = pvs[b]
          let mv = mvs[b]
          let xv = eq | mv
          if hin < 0 { eq |= 1 }
          let xh = (((eq & pv) &+ pv) ^ pv) | eq
          var ph = mv | ~(xh | pv)
          var mh = pv & xh
          let high = b == blocks - 1 ? lastBit : 1 << 63
          let hout = ph & high != 0 ? 1 : mh & high != 0 ? -1 : 0
          ph <<= 1
          mh <<= 1
          if hin < 0 {
            mh |= 1
          } else if hin > 0 {
            ph |= 1
          }
          pvs[b] = mh | ~(xv | ph)
          mvs[b] = ph & xv
          hin = hout
        }
        score += hin
      }
      return score
    }
  }

  /// Name tokens: folded, lower case, split at spaces, hyphens and periods.
  static func nameTokens(_ p: Person) -> [String] {
    let s = p.literal ?? [p.given, p.droppingParticle, p.particle, p.family].compactMap { $0 }.joined(separator: " ")
    return TextFolding.asciiFold(s).lowercased()
      .split(whereSeparator: { !$0.isLetter }).map(String.init).filter { !$0.isEmpty }
  }

  /// Whether two names can be one person: the same last word, compatible first words
  /// (equal, or one an initial of the other), and every full word of the shorter name in
  /// the longer (middle initials may be missing).
  public static func sameName(_ a: Person, _ b: Person) -> Bool {
    sameName(NameKey(a), NameKey(b))
  }

  /// A name as ``sameName(_:_:)`` reads it: its ``nameTokens(_:)``, and those tokens
  /// joined, all of them and the last two.
  struct NameKey {
    var tokens: [String]
    var joined: String
    var lastTwo: String

    init(_ p: Person) {
      tokens = nameTokens(p)
      joined = tokens.joined()
      lastTwo = tokens.suffix(2).joined()
    }
  }

  /// ``sameName(_:_:)`` of two names' keys.
  static func sameName(_ a: NameKey, _ b: NameKey) -> Bool {
    let (x, y) = (a.tokens, b.tokens)
    guard let xl = x.last, let yl = y.last, let xf = x.first, let yf = y.first else { return false }
    let lastsAgree = xl == yl || a.joined.hasSuffix(b.lastTwo) || b.joined.hasSuffix(a.lastTwo)
    guard lastsAgree else { return false }
    guard xf == yf || (xf.count == 1 && yf.hasPrefix(xf)) || (yf.count == 1 && xf.hasPrefix(yf)) else {
      return false
    }
    let (short, long) = x.count <= y.count ? (a, b) : (b, a)
    return short.tokens.filter { $0.count > 1 }.allSatisfy { long.tokens.contains($0) || long.joined.contains($0) }
  }

  /// Whether every name in `visible` appears in `full`, in the same order.
  public static func containsInOrder(_ visible: [Person], in full: [Person]) -> Bool {
    containsInOrder(visible.map(NameKey.init), in: full.map(NameKey.init))
  }

  /// ``containsInOrder(_:in:)`` of the names' keys.
  static func containsInOrder(_ visible: [NameKey], in full: [NameKey]) -> Bool {
    var k = 0
    for v in visible {
      while k < full.count, !sameName(v, full[k]) { k += 1 }
      guard k < full.count else { return false }
      k += 1
    }
    return true
  }

  /// What matching reads of a paper or a record, made once for it rather than for every
  /// pair: the normalised title's bytes, the date compared and each author's name tokens.
  struct Key {
    var title: [UInt8]
    var date: PartialDate?
    var authors: [NameKey]

    /// A paper's key: its date is its date of issue.
    init(paper: Paper) {
      self.init(paper, date: paper.issued)
    }

    /// A record's key: its date is its first version's, else its date of issue.
    init(record: Paper) {
      self.init(record, date: record.firstVersionDate ?? record.issued)
    }

    private init(_ p: Paper, date: PartialDate?) {
      title = Array(normalizedTitle(p.title?.plainText ?? "").utf8)
      self.date = date
      authors = p.authors.map(NameKey.init)
    }
  }

  /// Days between two dates (missing month or day count as the first).
  static func days(_ a: PartialDate, _ b: PartialDate) -> Int {
    func ordinal(_ d: PartialDate) -> Int { d.year * 372 + ((d.month ?? 1) - 1) * 31 + (d.day ?? 1) }
    return abs(ordinal(a) - ordinal(b))
  }

  /// One candidate's assessment.
  public struct Assessment: Sendable {
    public var index: Int
    public var confidence: Double
    public var titleSimilarity: Double
    public var dayGap: Int?
    public var authorsInOrder: Bool

    /// What speaks against the match, made from the figures when asked for (only the best
    /// candidate's are ever read).
    public var reasons: [String] {
      var reasons: [String] = []
      if let gap = dayGap, gap > 62 { reasons.append("first versions \(gap) days apart") }
      if !authorsInOrder { reasons.append("visible authors not all in the record's list, in order") }
      if titleSimilarity < 0.9 { reasons.append("titles differ (similarity \(Int(titleSimilarity * 100))%)") }
      return reasons
    }
  }

  /// How well `record` fits `paper`.
  public static func assess(_ paper: Paper, _ record: Paper, index: Int) -> Assessment {
    assess(Key(paper: paper), Key(record: record), index: index)
  }

  /// ``assess(_:_:index:)`` from the paper's and the record's keys.
  static func assess(_ paper: Key, _ record: Key, index: Int) -> Assessment {
    let t = titleSimilarity(paper.title, record.title)
    let gap = paper.date.flatMap { a in record.date.map { days(a, $0) } }
    let inOrder = !paper.authors.isEmpty && containsInOrder(paper.authors, in: record.authors)
    var c = t * 0.6
    if let gap {
      c += gap <= 7 ? 0.2 : gap <= 62 ? 0.12 : gap <= 400 ? 0.04 : 0
    } else {
      c += 0.08
    }
    if inOrder { c += 0.2 }
    return Assessment(index: index, confidence: c, titleSimilarity: t, dayGap: gap, authorsInOrder: inOrder)
  }

  /// Whether an assessment is good enough to merge: the authors fit, and either the titles
  /// agree or they are close and the dates agree too (a title changed between versions).
  public static func accepts(_ a: Assessment) -> Bool {
    guard a.authorsInOrder else { return false }
    if a.titleSimilarity >= 0.9 { return (a.dayGap ?? 0) <= 400 }
    return a.titleSimilarity >= 0.6 && (a.dayGap ?? Int.max) <= 31
  }
}
