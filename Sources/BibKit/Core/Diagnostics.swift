/// A place in an input: file, 1-based line, 1-based column counted in UTF-8 bytes, and the
/// byte offset from the start of the input.
public struct SourceLocation: Hashable, Sendable, Codable, CustomStringConvertible {
  public var file: String?
  public var line: Int
  public var column: Int
  public var offset: Int

  public init(file: String? = nil, line: Int, column: Int, offset: Int = 0) {
    self.file = file
    self.line = line
    self.column = column
    self.offset = offset
  }

  /// A location that names a whole file (line 0), for errors such as "cannot open".
  public static func file(_ path: String) -> SourceLocation {
    SourceLocation(file: path, line: 0, column: 0)
  }

  /// `file:line:col`, `line:col` without a file, or `file` for a whole-file location.
  public var description: String {
    if line == 0, let file { return file }
    return (file.map { $0 + ":" } ?? "") + "\(line):\(column)"
  }
}

/// How serious a diagnostic is.
public enum Severity: String, Hashable, Sendable, Codable, Comparable {
  case note, warning, error

  public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
  private var rank: Int {
    switch self {
    case .note: 0
    case .warning: 1
    case .error: 2
    }
  }
}

/// A short, stable name for a kind of diagnostic (`profile.duplicate`, `io.empty`). Open set.
public struct DiagnosticCode: RawRepresentable, Hashable, Sendable, Codable,
  ExpressibleByStringLiteral, CustomStringConvertible
{
  public var rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public init(stringLiteral value: String) { rawValue = value }
  public var description: String { rawValue }
}

/// A message about an input or an output, with where it applies.
public struct Diagnostic: Hashable, Sendable, Codable, CustomStringConvertible {
  public var severity: Severity
  public var code: DiagnosticCode
  public var message: String
  public var location: SourceLocation?

  public init(
    _ severity: Severity, _ code: DiagnosticCode, _ message: String,
    at location: SourceLocation? = nil
  ) {
    self.severity = severity
    self.code = code
    self.message = message
    self.location = location
  }

  /// Compiler style: `path:line:col: error: message`.
  public var description: String {
    let prefix = location.map { "\($0): " } ?? "bibkit: "
    return "\(prefix)\(severity.rawValue): \(message)"
  }
}

/// The error a reader throws when it cannot go on (or, in strict mode, at the first error).
public struct BibError: Error, Hashable, Sendable, CustomStringConvertible {
  public var code: DiagnosticCode
  public var message: String
  public var location: SourceLocation?

  public init(_ code: DiagnosticCode, _ message: String, at location: SourceLocation? = nil) {
    self.code = code
    self.message = message
    self.location = location
  }

  public init(_ diagnostic: Diagnostic) {
    self.init(diagnostic.code, diagnostic.message, at: diagnostic.location)
  }

  public var diagnostic: Diagnostic { Diagnostic(.error, code, message, at: location) }
  public var description: String { diagnostic.description }
}
