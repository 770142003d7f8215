/// A parsed JSON value, with numbers kept as their source text (CSL-JSON numbers may be any
/// width, and "12" and 12 mean the same thing to it).
enum JSONNode: Equatable {
  case object([(String, JSONNode)])
  case array([JSONNode])
  case string(String)
  case number(String)
  case bool(Bool)
  case null

  static func == (a: JSONNode, b: JSONNode) -> Bool {
    switch (a, b) {
    case (.object(let x), .object(let y)):
      x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    case (.array(let x), .array(let y)): x == y
    case (.string(let x), .string(let y)): x == y
    case (.number(let x), .number(let y)): x == y
    case (.bool(let x), .bool(let y)): x == y
    case (.null, .null): true
    default: false
    }
  }

  /// The text of a string, or of a number (CSL-JSON accepts either).
  var text: String? {
    switch self {
    case .string(let s): s
    case .number(let n): n
    default: nil
    }
  }

  /// The value as compact JSON text, object keys sorted (a canonical form).
  var jsonText: String {
    var out = ByteBuffer()
    writeCompact(into: &out)
    return out.string()
  }

  func writeCompact(into out: inout ByteBuffer) {
    switch self {
    case .object(let m):
      out.append(UInt8(ascii: "{"))
      for (i, (k, v)) in m.sorted(by: { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }).enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        JSONValue.quote(k, into: &out)
        out.append(UInt8(ascii: ":"))
        v.writeCompact(into: &out)
      }
      out.append(UInt8(ascii: "}"))
    case .array(let a):
      out.append(UInt8(ascii: "["))
      for (i, v) in a.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        v.writeCompact(into: &out)
      }
      out.append(UInt8(ascii: "]"))
    case .string(let s): JSONValue.quote(s, into: &out)
    case .number(let n): out.appendUTF8(Int(n).map(String.init) ?? n)
    case .bool(let b): out.appendStatic(b ? "true" : "false")
    case .null: out.appendStatic("null")
    }
  }

  /// The output form of this value (for values kept as they came).
  var outputValue: JSONValue {
    switch self {
    case .object(let m): .object(m.map { ($0.0, $0.1.outputValue) })
    case .array(let a): .array(a.map(\.outputValue))
    case .string(let s): .string(s)
    case .number(let n): Int(n).map { .int($0) } ?? .raw(n)
    case .bool(let b): .bool(b)
    case .null: .raw("null")
    }
  }
}

/// A JSON syntax error with its place.
struct JSONSyntaxError: Error {
  var message: String
  var line: Int
  var column: Int
  var offset: Int
}

/// A byte-level JSON parser (RFC 8259) with a nesting limit.
struct JSONParser {
  let b: [UInt8]
  var i = 0
  let maxDepth: Int

  init(_ bytes: [UInt8], maxDepth: Int = 512) {
    self.b = bytes
    self.maxDepth = maxDepth
  }

  func error(_ message: String, at p: Int? = nil) -> JSONSyntaxError {
    let pos = min(p ?? i, b.count)
    var line = 1
    var lineStart = 0
    for k in 0..<pos where b[k] == 0x0A {
      line += 1
      lineStart = k + 1
    }
    return JSONSyntaxError(message: message, line: line, column: pos - lineStart + 1, offset: pos)
  }

  mutating func skipSpace() {
    while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
  }

  /// Parses one document: a value and nothing after it but white space.
  mutating func parseDocument() throws(JSONSyntaxError) -> JSONNode {
    if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
    skipSpace()
    let v = try value(depth: 0)
    skipSpace()
    guard i == b.count else { throw error("unexpected text after the JSON value") }
    return v
  }

  mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONNode {
    guard depth < maxDepth else { throw error("JSON nested deeper than \(maxDepth) levels") }
    guard i < b.count else { throw error("unexpected end of input") }
    switch b[i] {
    case UInt8(ascii: "{"):
      i += 1
      var members: [(String, JSONNode)] = []
      skipSpace()
      if i < b.count, b[i] == UInt8(ascii: "}") {
        i += 1
        return .object(members)
      }
      // Room for a CSL item's members (or a custom object's, or a name's) at once, rather
      // than growing through 1, 2, 4 and 8.
      members.reserveCapacity(depth <= 1 ? 16 : 4)
      while true {
        skipSpace()
        guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw error("expected a string key") }
        let key = try string()
        skipSpace()
        guard i < b.count, b[i] == UInt8(ascii: ":") else { throw error("expected ':' after a key") }
        i += 1
        skipSpace()
        members.append((key, try value(depth: depth + 1)))
        skipSpace()
        guard i < b.count else { throw error("unexpected end of input in an object") }
        if b[i] == UInt8(ascii: ",") {
          i += 1
          continue
        }
        guard b[i] == UInt8(ascii: "}") else { throw error("expected ',' or '}' in an object") }
        i += 1
        return .object(members)
      }
    case UInt8(ascii: "["):
      i += 1
      var items: [JSONNode] = []
      skipSpace()
      if i < b.count, b[i] == UInt8(ascii: "]") {
        i += 1
        return .array(items)
      }
      while true {
        skipSpace()
        items.append(try value(depth: depth + 1))
        skipSpace()
        guard i < b.count else { throw error("unexpected end of input in an array") }
        if b[i] == UInt8(ascii: ",") {
          i += 1
          continue
        }
        guard b[i] == UInt8(ascii: "]") else { throw error("expected ',' or ']' in an array") }
        i += 1
        return .array(items)
      }
    case UInt8(ascii: "\""):
      return .string(try string())
    case UInt8(ascii: "t"): return try literal("true", .bool(true))
    case UInt8(ascii: "f"): return try literal("false", .bool(false))
    case UInt8(ascii: "n"): return try literal("null", .null)
    default:
      let s = i
      guard skipNumber() else {
        throw error("unexpected character '\(Character(Unicode.Scalar(b[s])))'", at: s)
      }
      return .number(String(utf8: b, s..<i))
    }
  }

  /// Moves past a number (read leniently: digits, signs, points and exponents, ending in a
  /// digit or a point); false when there is none here.
  mutating func skipNumber() -> Bool {
    let s = i
    if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
    while i < b.count, ASCII.isDigit(b[i]) || b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: "e")
      || b[i] == UInt8(ascii: "E") || b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")
    {
      i += 1
    }
    return i > s && (ASCII.isDigit(b[i - 1]) || b[i - 1] == UInt8(ascii: "."))
  }

  mutating func literal(_ word: String, _ v: JSONNode) throws(JSONSyntaxError) -> JSONNode {
    let w = Array(word.utf8)
    guard i + w.count <= b.count, Array(b[i..<(i + w.count)]) == w else {
      throw error("unexpected character")
    }
    i += w.count
    return v
  }

  static func hexValue(_ c: UInt8) -> UInt32? {
    switch c {
    case 0x30...0x39: UInt32(c - 0x30)
    case 0x41...0x46: UInt32(c - 0x41 + 10)
    case 0x61...0x66: UInt32(c - 0x61 + 10)
    default: nil
    }
  }

  mutating func string() throws(JSONSyntaxError) -> String {
    let start = i
    i += 1
    let s = i
    // Fast path: no escapes.
    skipStringRun()
    if i < b.count, b[i] < 0x20 { throw error("control character in a string") }
    guard i < b.count else { throw error("unterminated string", at: start) }
    if b[i] == UInt8(ascii: "\"") {
      let v = String(utf8: b, s..<i)
      i += 1
      return v
    }
    var out = Array(b[s..<i])
    while i < b.count {
      let c = b[i]
      if c == UInt8(ascii: "\"") {
        i += 1
        return String(decoding: out, as: UTF8.self)
      }
      if c < 0x20 { throw error("control character in a string") }
      if c != UInt8(ascii: "\\") {
        out.append(c)
        i += 1
        continue
      }
      i += 1
      guard i < b.count else { break }
      switch b[i] {
      case UInt8(ascii: "\""): out.append(0x22)
      case UInt8(ascii: "\\"): out.append(0x5C)
      case UInt8(ascii: "/"): out.append(0x2F)
      case UInt8(ascii: "b"): out.append(0x08)
      case UInt8(ascii: "f"): out.append(0x0C)
      case UInt8(ascii: "n"): out.append(0x0A)
      case UInt8(ascii: "r"): out.append(0x0D)
      case UInt8(ascii: "t"): out.append(0x09)
      case UInt8(ascii: "u"):
        var v = try hex4()
        // A high surrogate joins a following low one; any other pairing is U+FFFD, and the
        // second escape is read on its own.
        if (0xD800...0xDBFF).contains(v), i + 2 < b.count, b[i + 1] == UInt8(ascii: "\\"),
          b[i + 2] == UInt8(ascii: "u")
        {
          let mark = i
          i += 2
          let low = try hex4()
          if (0xDC00...0xDFFF).contains(low) {
            v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
          } else {
            i = mark
          }
        }
        let scalar = Unicode.Scalar(v) ?? "\u{FFFD}"
        out += Array(String(scalar).utf8)
      default: throw error("bad escape in a string")
      }
      i += 1
      // The run up to the next quote, backslash or control character, in one copy.
      let r = i
      skipStringRun()
      out.append(contentsOf: b[r..<i])
    }
    throw error("unterminated string", at: start)
  }

  mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
    guard i + 4 < b.count else { throw error("bad \\u escape") }
    var v: UInt32 = 0
    for k in 1...4 {
      guard let h = Self.hexValue(b[i + k]) else { throw error("bad \\u escape") }
      v = v * 16 + h
    }
    i += 4
    return v
  }
}

extension JSONParser {
  /// Whether ``value(depth:)`` would read a value here, moving past it as it would; builds
  /// nothing. It takes the same paths and fails on the same input (each check mirrors one
  /// there), so a large document can be checked before any of it is used.
  mutating func skipValue(depth: Int) -> Bool {
    guard depth < maxDepth, i < b.count else { return false }
    switch b[i] {
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      let object = b[i] == UInt8(ascii: "{")
      let close = object ? UInt8(ascii: "}") : UInt8(ascii: "]")
      i += 1
      skipSpace()
      if i < b.count, b[i] == close {
        i += 1
        return true
      }
      while true {
        skipSpace()
        if object {
          guard i < b.count, b[i] == UInt8(ascii: "\""), skipString() else { return false }
          skipSpace()
          guard i < b.count, b[i] == UInt8(ascii: ":") else { return false }
          i += 1
          skipSpace()
        }
        guard skipValue(depth: depth + 1) else { return false }
        skipSpace()
        guard i < b.count else { return false }
        if b[i] == UInt8(ascii: ",") {
          i += 1
          continue
        }
        guard b[i] == close else { return false }
        i += 1
        return true
      }
    case UInt8(ascii: "\""):
      return skipString()
    case UInt8(ascii: "t"): return skipLiteral("true")
    case UInt8(ascii: "f"): return skipLiteral("false")
    case UInt8(ascii: "n"): return skipLiteral("null")
    default:
      return skipNumber()
    }
  }

  mutating func skipLiteral(_ word: StaticString) -> Bool {
    let n = word.utf8CodeUnitCount
    guard i + n <= b.count else { return false }
    for k in 0..<n where b[i + k] != word.utf8Start[k] { return false }
    i += n
    return true
  }

  /// Moves over the bytes a string holds as they are (not `"`, `\` or a control
  /// character): eight at a time, then one by one.
  mutating func skipStringRun() {
    var k = i
    b.withUnsafeBufferPointer { p in
      guard let base = p.baseAddress else { return }
      // Eight bytes at a time; the word that holds the end says where it is.
      while k + 8 <= p.count {
        let marked = SWAR.jsonEscapeBytes(UnsafeRawPointer(base + k).loadUnaligned(as: UInt64.self))
        if marked != 0 {
          k += SWAR.firstMarked(marked)
          return
        }
        k += 8
      }
      while k < p.count, p[k] >= 0x20, p[k] != UInt8(ascii: "\""), p[k] != UInt8(ascii: "\\") { k += 1 }
    }
    i = k
  }

  /// ``string()`` without the string.
  mutating func skipString() -> Bool {
    i += 1
    while i < b.count {
      skipStringRun()
      guard i < b.count else { break }
      let c = b[i]
      if c == UInt8(ascii: "\"") {
        i += 1
        return true
      }
      if c < 0x20 { return false }
      if c != UInt8(ascii: "\\") {
        i += 1
        continue
      }
      i += 1
      guard i < b.count else { return false }
      switch b[i] {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
        UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
        break
      case UInt8(ascii: "u"):
        guard (try? hex4()) != nil else { return false }
        // A high surrogate's following escape is read on its own if it is not a low one.
      default: return false
      }
      i += 1
    }
    return false
  }
}
