/// A small JSON value for deterministic output: object keys sorted, two-space indent,
/// arrays of numbers on one line, UTF-8 without escaping non-ASCII or `/`.
enum JSONValue: Equatable {
  case string(String)
  case int(Int)
  case bool(Bool)
  case array([JSONValue])
  case object([(String, JSONValue)])

  static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.string(let x), .string(let y)): x == y
    case (.int(let x), .int(let y)): x == y
    case (.bool(let x), .bool(let y)): x == y
    case (.array(let x), .array(let y)): x == y
    case (.object(let x), .object(let y)):
      x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    default: false
    }
  }

  func write(into out: inout String, indent: Int = 0) {
    switch self {
    case .string(let s): Self.quote(s, into: &out)
    case .int(let n): out += String(n)
    case .bool(let b): out += b ? "true" : "false"
    case .array(let items):
      if items.isEmpty {
        out += "[]"
      } else if items.allSatisfy({ $0.isInline }) {
        out += "["
        for (i, item) in items.enumerated() {
          if i > 0 { out += ", " }
          item.write(into: &out, indent: indent)
        }
        out += "]"
      } else {
        out += "[\n"
        for (i, item) in items.enumerated() {
          out += String(repeating: " ", count: indent + 2)
          item.write(into: &out, indent: indent + 2)
          out += i + 1 < items.count ? ",\n" : "\n"
        }
        out += String(repeating: " ", count: indent) + "]"
      }
    case .object(let members):
      if members.isEmpty {
        out += "{}"
        return
      }
      out += "{\n"
      let sorted = members.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
      for (i, (key, value)) in sorted.enumerated() {
        out += String(repeating: " ", count: indent + 2)
        Self.quote(key, into: &out)
        out += ": "
        value.write(into: &out, indent: indent + 2)
        out += i + 1 < sorted.count ? ",\n" : "\n"
      }
      out += String(repeating: " ", count: indent) + "}"
    }
  }

  /// Numbers, and arrays of numbers (date parts), stay on one line.
  var isInline: Bool {
    switch self {
    case .int, .bool: true
    case .array(let items): items.allSatisfy { $0.isInline }
    default: false
    }
  }

  static func quote(_ s: String, into out: inout String) {
    out += "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      default:
        if u.value < 0x20 {
          let hex = String(u.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    out += "\""
  }
}
