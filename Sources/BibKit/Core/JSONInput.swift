#if canImport(Glibc)
  import Glibc
#endif

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
    var nodes: [JSONTape.Node] = []
    try tapeDocument(into: &nodes)
    return JSONTape(bytes: b, nodes: nodes).node(0)
  }

  /// The value here as a tree: its tape (``tapeValue(depth:into:)``, the one reading of the
  /// grammar and its errors), made into nodes.
  mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONNode {
    var nodes: [JSONTape.Node] = []
    try tapeValue(depth: depth, into: &nodes)
    return JSONTape(bytes: b, nodes: nodes).node(0)
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

  mutating func string() throws(JSONSyntaxError) -> String {
    let start = i
    let escaped = try scanString()
    return escaped ? Self.decodeString(b, from: start, to: i) : String(utf8: b, (start + 1)..<(i - 1))
  }

  /// Moves past the string here, checking it: a control character, a bad escape or a
  /// missing closing quote is an error. Returns whether it has escapes (when it has none,
  /// its bytes are its text).
  mutating func scanString() throws(JSONSyntaxError) -> Bool {
    let start = i
    i += 1
    skipStringRun()
    if i < b.count, b[i] < 0x20 { throw error("control character in a string") }
    guard i < b.count else { throw error("unterminated string", at: start) }
    if b[i] == UInt8(ascii: "\"") {
      i += 1
      return false
    }
    while i < b.count {
      let c = b[i]
      if c == UInt8(ascii: "\"") {
        i += 1
        return true
      }
      if c < 0x20 { throw error("control character in a string") }
      if c != UInt8(ascii: "\\") {
        i += 1
        continue
      }
      i += 1
      guard i < b.count else { break }
      switch b[i] {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
        UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
        break
      case UInt8(ascii: "u"):
        let v = try hex4()
        // A high surrogate's following `\u` escape is read with it, and read again on its
        // own when it is not a low one.
        if (0xD800...0xDBFF).contains(v), i + 2 < b.count, b[i + 1] == UInt8(ascii: "\\"),
          b[i + 2] == UInt8(ascii: "u")
        {
          let mark = i
          i += 2
          let low = try hex4()
          if !(0xDC00...0xDFFF).contains(low) { i = mark }
        }
      default: throw error("bad escape in a string")
      }
      i += 1
      skipStringRun()
    }
    throw error("unterminated string", at: start)
  }

  /// The text of the string that runs from its opening quote at `start` to just past its
  /// closing quote at `end`, which ``scanString()`` has read: every escape in it is whole
  /// and valid, and the text is no longer than its source. A high surrogate escape joins a
  /// following low one; any other pairing is U+FFFD, and the second escape is read on its
  /// own. Runs between escapes are copied whole.
  static func decodeString(_ bytes: [UInt8], from start: Int, to end: Int) -> String {
    // Decoded straight into the string's storage (the text is never longer than its
    // escaped form), which repairs invalid UTF-8 as `String(decoding:as:)` does.
    bytes.withUnsafeBufferPointer { b in
      String(unsafeUninitializedCapacity: end - start) { o in
        func hex4(_ at: Int) -> UInt32 {
          var v: UInt32 = 0
          for k in at..<(at + 4) { v = v * 16 + (ASCII.hexValue(b[k]) ?? 0) }
          return v
        }
        let last = end - 1
        var i = start + 1
        var k = 0
        while i < last {
          // The run up to the next backslash, in one copy.
          let base = b.baseAddress!
          var run = last
          if let at = memchr(base + i, Int32(UInt8(ascii: "\\")), last - i) {
            run = UnsafePointer(at.assumingMemoryBound(to: UInt8.self)) - base
          }
          if run > i {
            (o.baseAddress! + k).update(from: b.baseAddress! + i, count: run - i)
            k += run - i
            i = run
            continue
          }
          i += 1
          switch b[i] {
          case UInt8(ascii: "b"): o[k] = 0x08
          case UInt8(ascii: "f"): o[k] = 0x0C
          case UInt8(ascii: "n"): o[k] = 0x0A
          case UInt8(ascii: "r"): o[k] = 0x0D
          case UInt8(ascii: "t"): o[k] = 0x09
          case UInt8(ascii: "u"):
            var v = hex4(i + 1)
            i += 4
            // A high surrogate joins a following low one; any other pairing is U+FFFD, and
            // the second escape is read on its own.
            if (0xD800...0xDBFF).contains(v), b[i + 1] == UInt8(ascii: "\\"), b[i + 2] == UInt8(ascii: "u") {
              let low = hex4(i + 3)
              if (0xDC00...0xDFFF).contains(low) {
                v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                i += 6
              }
            }
            UTF8.encode(Unicode.Scalar(v) ?? "\u{FFFD}") { byte in
              o[k] = byte
              k += 1
            }
            k -= 1  // the common step below
          default: o[k] = b[i]  // `"`, `\`, `/`
          }
          k += 1
          i += 1
        }
        return k
      }
    }
  }

  mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
    guard i + 4 < b.count else { throw error("bad \\u escape") }
    var v: UInt32 = 0
    for k in 1...4 {
      guard let h = ASCII.hexValue(b[i + k]) else { throw error("bad \\u escape") }
      v = v * 16 + h
    }
    i += 4
    return v
  }
}

extension JSONParser {
  /// Whether ``value(depth:)`` would read a value here, moving past it as it would; builds
  /// nothing. It takes the same paths and fails on the same input (each check mirrors one
  /// of ``tapeValue(depth:into:)``), so a large document can be checked before any of it is
  /// used.
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
  mutating func skipString() -> Bool { (try? scanString()) != nil }
}
