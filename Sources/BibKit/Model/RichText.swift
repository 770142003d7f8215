/// Text with the little markup bibliographies carry: case protection, italic, bold,
/// superscript, subscript, small caps and math (kept as TeX source).
public struct RichText: Hashable, Sendable, Codable, ExpressibleByStringLiteral,
  CustomStringConvertible
{
  public var runs: [Run]

  public init(runs: [Run]) {
    self.runs = Self.merged(runs)
  }

  public init(_ plain: String) {
    self.init(runs: plain.isEmpty ? [] : [Run(plain)])
  }

  public init(stringLiteral value: String) { self.init(value) }

  /// The text without markup; math runs appear as their TeX source between `$`.
  public var plainText: String {
    var s = ""
    for run in runs {
      if run.styles.contains(.math) { s += "$" + run.text + "$" } else { s += run.text }
    }
    return s
  }

  public var description: String { plainText }
  public var isEmpty: Bool { runs.allSatisfy { $0.text.isEmpty } }
  /// Nil for text that is empty.
  public var nonEmpty: RichText? { isEmpty ? nil : self }

  /// A stretch of text with one set of styles.
  public struct Run: Hashable, Sendable, Codable {
    public var text: String
    public var styles: Styles

    public init(_ text: String, _ styles: Styles = []) {
      self.text = text
      self.styles = styles
    }

    private enum CodingKeys: String, CodingKey { case text, styles }

    public init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      text = try c.decode(String.self, forKey: .text)
      styles = try c.decodeIfPresent(Styles.self, forKey: .styles) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(text, forKey: .text)
      if !styles.isEmpty { try c.encode(styles, forKey: .styles) }
    }
  }

  /// Styles of a run. `math` means the text is TeX math source, kept verbatim.
  public struct Styles: OptionSet, Hashable, Sendable, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Protected from case changes (BibTeX braces, CSL `nocase`).
    public static let noCase = Styles(rawValue: 1 << 0)
    public static let italic = Styles(rawValue: 1 << 1)
    public static let bold = Styles(rawValue: 1 << 2)
    public static let superscript = Styles(rawValue: 1 << 3)
    public static let `subscript` = Styles(rawValue: 1 << 4)
    public static let smallCaps = Styles(rawValue: 1 << 5)
    public static let math = Styles(rawValue: 1 << 6)
    /// LaTeX source that has no Unicode reading (an unknown command), kept verbatim.
    public static let tex = Styles(rawValue: 1 << 7)

    static let names: [(Styles, String)] = [
      (.noCase, "nocase"), (.italic, "italic"), (.bold, "bold"), (.superscript, "sup"),
      (.subscript, "sub"), (.smallCaps, "smallcaps"), (.math, "math"), (.tex, "tex"),
    ]

    public init(from decoder: any Decoder) throws {
      let list = try decoder.singleValueContainer().decode([String].self)
      var s: Styles = []
      for name in list {
        guard let entry = Self.names.first(where: { $0.1 == name }) else {
          throw DecodingError.dataCorrupted(
            .init(codingPath: decoder.codingPath, debugDescription: "unknown style \(name)"))
        }
        s.insert(entry.0)
      }
      self = s
    }

    public func encode(to encoder: any Encoder) throws {
      var c = encoder.singleValueContainer()
      try c.encode(Self.names.filter { contains($0.0) }.map(\.1))
    }
  }

  // A text made only of unstyled runs is written as a plain JSON string.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    if let s = try? c.decode(String.self) {
      self.init(s)
    } else {
      self.init(runs: try c.decode([Run].self))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    if runs.allSatisfy({ $0.styles.isEmpty }) {
      try c.encode(plainText)
    } else {
      try c.encode(runs)
    }
  }

  static func merged(_ runs: [Run]) -> [Run] {
    // Already merged (one run of text, the usual case): the same array, not a new one.
    var tidy = true
    for k in runs.indices where runs[k].text.isEmpty || (k > 0 && runs[k].styles == runs[k - 1].styles) {
      tidy = false
      break
    }
    if tidy { return runs }
    var out: [Run] = []
    out.reserveCapacity(runs.count)
    for run in runs where !run.text.isEmpty {
      if let last = out.last, last.styles == run.styles {
        out[out.count - 1].text += run.text
      } else {
        out.append(run)
      }
    }
    return out
  }
}

extension RichText {
  /// Splits plain text at `$…$` pairs into text and math runs. An unpaired `$` stays text.
  public static func parsingInlineMath(_ text: String) -> RichText {
    // Most text has no `$`: one plain run, sharing the text.
    guard text.containsByte(UInt8(ascii: "$")) else { return RichText(runs: [Run(text)]) }
    let bytes = Array(text.utf8)
    var runs: [Run] = []
    var start = 0
    var i = 0
    while i < bytes.count {
      if bytes[i] == UInt8(ascii: "$"), i == 0 || bytes[i - 1] != UInt8(ascii: "\\") {
        var j = i + 1
        while j < bytes.count, bytes[j] != UInt8(ascii: "$") { j += 1 }
        // As in TeX-aware Markdown: no space just inside the dollars, and no digit right
        // after the closing one, so "$5 and $10" stays text.
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A }
        if j < bytes.count, j > i + 1, !isSpace(bytes[i + 1]), !isSpace(bytes[j - 1]),
          j + 1 >= bytes.count || !(bytes[j + 1] >= 0x30 && bytes[j + 1] <= 0x39)
        {
          runs.append(Run(String(utf8: bytes, start..<i)))
          runs.append(Run(String(utf8: bytes, (i + 1)..<j), .math))
          i = j + 1
          start = i
          continue
        }
      }
      i += 1
    }
    runs.append(Run(String(utf8: bytes, start..<bytes.count)))
    return RichText(runs: runs)
  }
}
