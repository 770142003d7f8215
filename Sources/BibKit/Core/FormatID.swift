/// The name of a bibliography format, as `--from` and `--to` take it. An open set.
public struct FormatID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
  public var rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue.lowercased() }
  public init(_ rawValue: String) { self.init(rawValue: rawValue) }
  public var description: String { rawValue }

  public static let profile = FormatID("profile")
  public static let bibtex = FormatID("bibtex")
  public static let arxiv = FormatID("arxiv")
  public static let cslJSON = FormatID("csl-json")
  public static let ris = FormatID("ris")
}
