/// A small JSON value for deterministic output: object keys sorted, two-space indent,
/// arrays of numbers on one line, UTF-8 without escaping non-ASCII or `/`.
enum JSONValue: Equatable {
  case string(String)
  case int(Int)
  case bool(Bool)
  case array([JSONValue])
  case object([(String, JSONValue)])
  /// JSON text written as it is (a number kept from input, or null).
  case raw(String)

  static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.string(let x), .string(let y)): x == y
    case (.int(let x), .int(let y)): x == y
    case (.bool(let x), .bool(let y)): x == y
    case (.array(let x), .array(let y)): x == y
    case (.raw(let x), .raw(let y)): x == y
    case (.object(let x), .object(let y)):
      x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    default: false
    }
  }

  func write(into out: inout String, indent: Int = 0) {
    var bytes = ByteBuffer()
    write(into: &bytes, indent: indent)
    out += bytes.string()
  }

  static func spaces(_ n: Int, into out: inout ByteBuffer) {
    for _ in 0..<n { out.append(0x20) }
  }

  /// Writes the value as UTF-8 bytes.
  func write(into out: inout ByteBuffer, indent: Int = 0) {
    switch self {
    case .string(let s): Self.quote(s, into: &out)
    case .int(let n): out.appendUTF8(String(n))
    case .raw(let t): out.appendUTF8(t)
    case .bool(let b): out.appendStatic(b ? "true" : "false")
    case .array(let items):
      if items.isEmpty {
        out.append(UInt8(ascii: "["))
        out.append(UInt8(ascii: "]"))
      } else if items.allSatisfy({ $0.isInline }) {
        out.append(UInt8(ascii: "["))
        for (i, item) in items.enumerated() {
          if i > 0 {
            out.append(UInt8(ascii: ","))
            out.append(0x20)
          }
          item.write(into: &out, indent: indent)
        }
        out.append(UInt8(ascii: "]"))
      } else {
        out.append(UInt8(ascii: "["))
        out.append(0x0A)
        for (i, item) in items.enumerated() {
          Self.spaces(indent + 2, into: &out)
          item.write(into: &out, indent: indent + 2)
          if i + 1 < items.count { out.append(UInt8(ascii: ",")) }
          out.append(0x0A)
        }
        Self.spaces(indent, into: &out)
        out.append(UInt8(ascii: "]"))
      }
    case .object(let members):
      if members.isEmpty {
        out.append(UInt8(ascii: "{"))
        out.append(UInt8(ascii: "}"))
        return
      }
      out.append(UInt8(ascii: "{"))
      out.append(0x0A)
      var sorted = members
      if !JSONKeys.isSorted(members.map(\.0)) { sorted.sort { JSONKeys.precedes($0.0, $1.0) } }
      for (i, (key, value)) in sorted.enumerated() {
        Self.spaces(indent + 2, into: &out)
        Self.quote(key, into: &out)
        out.append(UInt8(ascii: ":"))
        out.append(0x20)
        value.write(into: &out, indent: indent + 2)
        if i + 1 < sorted.count { out.append(UInt8(ascii: ",")) }
        out.append(0x0A)
      }
      Self.spaces(indent, into: &out)
      out.append(UInt8(ascii: "}"))
    }
  }

  /// Numbers, and arrays of numbers (date parts), stay on one line.
  var isInline: Bool {
    switch self {
    case .int, .bool, .raw: true
    case .array(let items): items.allSatisfy { $0.isInline }
    default: false
    }
  }

  static let hex: [UInt8] = Array("0123456789abcdef".utf8)

  /// A JSON string: runs without escapes are copied whole; non-ASCII stays UTF-8.
  static func quote(_ s: String, into out: inout ByteBuffer) {
    var s = s
    s.withUTF8 { quote($0, into: &out) }
  }

  /// A JSON string of UTF-8 bytes.
  static func quote(_ b: UnsafeBufferPointer<UInt8>, into out: inout ByteBuffer) {
    out.append(UInt8(ascii: "\""))
    guard let base = b.baseAddress else {
      out.append(UInt8(ascii: "\""))
      return
    }
    let n = b.count
    var runStart = 0
    var i = 0
    while i < n {
      // Eight bytes at a time while none of them needs an escape; the word that holds one
      // says where it is.
      var marked: UInt64 = 0
      while i + 8 <= n {
        marked = SWAR.jsonEscapeBytes(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
        if marked != 0 { break }
        i += 8
      }
      if marked != 0 {
        i += SWAR.firstMarked(marked)
      } else if i < n {
        #if _endian(little)
          // Fewer than eight left: the last eight bytes (overlapping those already seen) in
          // one test, the ones already seen shifted out.
          if n >= 8 {
            let last = SWAR.jsonEscapeBytes(UnsafeRawPointer(base + n - 8).loadUnaligned(as: UInt64.self)) >> UInt64(8 * (8 - (n - i)))
            i = last == 0 ? n : i + SWAR.firstMarked(last)
          }
        #endif
        while i < n, base[i] >= 0x20, base[i] != UInt8(ascii: "\""), base[i] != UInt8(ascii: "\\") { i += 1 }
      }
      guard i < n else { break }
      let c = base[i]
      out.append(UnsafeBufferPointer(start: base + runStart, count: i - runStart))
      out.append(UInt8(ascii: "\\"))
      switch c {
      case UInt8(ascii: "\""): out.append(c)
      case UInt8(ascii: "\\"): out.append(c)
      case 0x0A: out.append(UInt8(ascii: "n"))
      case 0x0D: out.append(UInt8(ascii: "r"))
      case 0x09: out.append(UInt8(ascii: "t"))
      case 0x08: out.append(UInt8(ascii: "b"))
      case 0x0C: out.append(UInt8(ascii: "f"))
      default:
        out.appendStatic("u00")
        out.append(hex[Int(c >> 4)])
        out.append(hex[Int(c & 15)])
      }
      i += 1
      runStart = i
    }
    out.append(UnsafeBufferPointer(start: base + runStart, count: n - runStart))
    out.append(UInt8(ascii: "\""))
  }
}

/// Object keys in the byte order of their UTF-8.
enum JSONKeys {
  /// Byte order of the UTF-8 of two keys.
  static func precedes(_ a: String, _ b: String) -> Bool {
    var a = a
    var b = b
    return a.withUTF8 { x in b.withUTF8 { y in precedes(x, y) } }
  }

  static func precedes(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = Swift.min(x.count, y.count)
    var i = 0
    while i < n {
      if x[i] != y[i] { return x[i] < y[i] }
      i += 1
    }
    return x.count < y.count
  }

  static func isSorted(_ keys: [String]) -> Bool {
    var i = 1
    while i < keys.count {
      if !precedes(keys[i - 1], keys[i]) { return false }
      i += 1
    }
    return true
  }

}
