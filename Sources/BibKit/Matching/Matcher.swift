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
    let x = Array(normalizedTitle(a).utf8)
    let y = Array(normalizedTitle(b).utf8)
    if x == y { return 1 }
    guard !x.isEmpty, !y.isEmpty else { return 0 }
    var prev = Array(0...y.count)
    var cur = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
      cur[0] = i
      for j in 1...y.count {
        cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
      }
      swap(&prev, &cur)
    }
    return 1 - Double(prev[y.count]) / Double(max(x.count, y.count))
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
    let x = nameTokens(a)
    let y = nameTokens(b)
    guard let xl = x.last, let yl = y.last, let xf = x.first, let yf = y.first else { return false }
    let lastsAgree = xl == yl || x.joined().hasSuffix(y.suffix(2).joined()) || y.joined().hasSuffix(x.suffix(2).joined())
    guard lastsAgree else { return false }
    guard xf == yf || (xf.count == 1 && yf.hasPrefix(xf)) || (yf.count == 1 && xf.hasPrefix(yf)) else {
      return false
    }
    let (short, long) = x.count <= y.count ? (x, y) : (y, x)
    return short.filter { $0.count > 1 }.allSatisfy { long.contains($0) || long.joined().contains($0) }
  }

  /// Whether every name in `visible` appears in `full`, in the same order.
  public static func containsInOrder(_ visible: [Person], in full: [Person]) -> Bool {
    var k = 0
    for v in visible {
      while k < full.count, !sameName(v, full[k]) { k += 1 }
      guard k < full.count else { return false }
      k += 1
    }
    return true
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
    public var reasons: [String]
  }

  /// How well `record` fits `paper`.
  public static func assess(_ paper: Paper, _ record: Paper, index: Int) -> Assessment {
    let t = titleSimilarity(paper.title?.plainText ?? "", record.title?.plainText ?? "")
    let recordDate = record.firstVersionDate ?? record.issued
    let gap = paper.issued.flatMap { a in recordDate.map { days(a, $0) } }
    let inOrder = !paper.authors.isEmpty && containsInOrder(paper.authors, in: record.authors)
    var reasons: [String] = []
    var c = t * 0.6
    if let gap {
      c += gap <= 7 ? 0.2 : gap <= 62 ? 0.12 : gap <= 400 ? 0.04 : 0
      if gap > 62 { reasons.append("first versions \(gap) days apart") }
    } else {
      c += 0.08
    }
    if inOrder { c += 0.2 } else { reasons.append("visible authors not all in the record's list, in order") }
    if t < 0.9 { reasons.append("titles differ (similarity \(Int(t * 100))%)") }
    return Assessment(index: index, confidence: c, titleSimilarity: t, dayGap: gap, authorsInOrder: inOrder, reasons: reasons)
  }

  /// Whether an assessment is good enough to merge: the authors fit, and either the titles
  /// agree or they are close and the dates agree too (a title changed between versions).
  public static func accepts(_ a: Assessment) -> Bool {
    guard a.authorsInOrder else { return false }
    if a.titleSimilarity >= 0.9 { return (a.dayGap ?? 0) <= 400 }
    return a.titleSimilarity >= 0.6 && (a.dayGap ?? Int.max) <= 31
  }
}
