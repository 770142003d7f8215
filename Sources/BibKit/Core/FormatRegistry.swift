/// One format's entry in the registry: its names, file extensions, content test, and its
/// reader and writer where they exist.
public struct FormatDescriptor: Sendable {
  public var id: FormatID
  public var aliases: [String]
  public var displayName: String
  public var extensions: [String]
  public var reader: (any BibliographyReader)?
  public var writer: (any BibliographyWriter)?
  /// Whether the first bytes of an input look like this format.
  public var sniff: @Sendable ([UInt8]) -> Bool

  public init(
    id: FormatID, aliases: [String] = [], displayName: String, extensions: [String],
    reader: (any BibliographyReader)? = nil, writer: (any BibliographyWriter)? = nil,
    sniff: @escaping @Sendable ([UInt8]) -> Bool
  ) {
    self.id = id
    self.aliases = aliases
    self.displayName = displayName
    self.extensions = extensions
    self.reader = reader
    self.writer = writer
    self.sniff = sniff
  }
}

/// Finds formats by name, by file extension, or by content.
public struct FormatRegistry: Sendable {
  public private(set) var formats: [FormatDescriptor]

  public init(_ formats: [FormatDescriptor]) { self.formats = formats }

  /// Every format BibKit knows.
  public static let standard = FormatRegistry([
    FormatDescriptor(
      id: .profile, displayName: "researcher profile (text)", extensions: [],
      reader: ProfileReader(), sniff: ProfileReader.looksLikeProfile),
    FormatDescriptor(
      id: .bibtex, aliases: ["bib", "biblatex"], displayName: "BibTeX / BibLaTeX",
      extensions: ["bib", "bibtex", "biblatex"], reader: BibTeXReader(), writer: BibTeXWriter(),
      sniff: Sniffing.looksLikeBibTeX),
    FormatDescriptor(
      id: .arxiv, aliases: ["atom"], displayName: "arXiv API Atom feed",
      extensions: ["xml", "atom"], reader: ArxivAtomReader(), sniff: Sniffing.looksLikeAtom),
    FormatDescriptor(
      id: .cslJSON, aliases: ["csljson", "json"], displayName: "CSL-JSON",
      extensions: ["json"], reader: CSLJSONReader(), writer: CSLJSONWriter(), sniff: Sniffing.looksLikeJSON),
    FormatDescriptor(
      id: .ris, displayName: "RIS", extensions: ["ris"], reader: RISReader(), writer: RISWriter(),
      sniff: Sniffing.looksLikeRIS),
  ])

  /// The format named `name` or one of its aliases, case-insensitively.
  public func format(named name: String) -> FormatDescriptor? {
    let n = name.lowercased()
    return formats.first { $0.id.rawValue == n || $0.aliases.contains(n) }
  }

  public func format(_ id: FormatID) -> FormatDescriptor? {
    formats.first { $0.id == id }
  }

  /// The format of a file: by its extension first, then by its content.
  public func detect(path: String?, content: [UInt8]) -> FormatDescriptor? {
    if let path, let dot = path.lastIndex(of: "."),
      !path[dot...].contains("/")
    {
      let ext = path[path.index(after: dot)...].lowercased()
      if let byExt = formats.first(where: { $0.extensions.contains(ext) }) { return byExt }
    }
    return formats.first { $0.sniff(content) }
  }
}

/// Content tests for the formats: look at the first meaningful bytes only.
enum Sniffing {
  static func firstSignificantByte(_ b: [UInt8]) -> (Int, UInt8)? {
    var i = 0
    if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
    while i < b.count {
      let c = b[i]
      if c != 0x20, c != 0x09, c != 0x0A, c != 0x0D { return (i, c) }
      i += 1
    }
    return nil
  }

  @Sendable static func looksLikeJSON(_ b: [UInt8]) -> Bool {
    guard let (_, c) = firstSignificantByte(b) else { return false }
    return c == UInt8(ascii: "[") || c == UInt8(ascii: "{")
  }

  @Sendable static func looksLikeAtom(_ b: [UInt8]) -> Bool {
    guard let (i, c) = firstSignificantByte(b), c == UInt8(ascii: "<") else { return false }
    let head = b[i..<min(b.count, i + 4096)]
    return contains(head, Array("<feed".utf8))
  }

  @Sendable static func looksLikeBibTeX(_ b: [UInt8]) -> Bool {
    // An entry start `@word{` or `@word(` at the start of a line, in the first 64 KiB.
    let end = min(b.count, 65536)
    var i = 0
    var lineStart = true
    while i < end {
      let c = b[i]
      if c == 0x0A {
        lineStart = true
      } else if lineStart, c == UInt8(ascii: "@") {
        var j = i + 1
        while j < end, isASCIILetter(b[j]) { j += 1 }
        while j < end, b[j] == 0x20 || b[j] == 0x09 { j += 1 }
        if j > i + 1, j < end, b[j] == UInt8(ascii: "{") || b[j] == UInt8(ascii: "(") {
          return true
        }
        lineStart = false
      } else if c != 0x20, c != 0x09, c != 0x0D {
        lineStart = false
      }
      i += 1
    }
    return false
  }

  @Sendable static func looksLikeRIS(_ b: [UInt8]) -> Bool {
    // `TY  - ` (one or two spaces, or a tab) at the start of one of the first lines.
    let end = min(b.count, 8192)
    var i = 0
    if end >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
    var lineStart = i
    while i <= end {
      if i == end || b[i] == 0x0A {
        var j = lineStart
        if j + 2 < end, b[j] == UInt8(ascii: "T"), b[j + 1] == UInt8(ascii: "Y") {
          j += 2
          var spaces = 0
          while j < end, b[j] == 0x20 || b[j] == 0x09 {
            j += 1
            spaces += 1
          }
          if spaces >= 1, j < end, b[j] == UInt8(ascii: "-") { return true }
        }
        lineStart = i + 1
      }
      i += 1
    }
    return false
  }

  static func isASCIILetter(_ c: UInt8) -> Bool {
    (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
  }

  static func contains(_ hay: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
    guard needle.count <= hay.count else { return false }
    var i = hay.startIndex
    while i + needle.count <= hay.endIndex {
      if hay[i] == needle[0], hay[i..<(i + needle.count)].elementsEqual(needle) { return true }
      i += 1
    }
    return false
  }
}
