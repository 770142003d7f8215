@testable import BibKit

// The JSON tree parser BibKit had before the tape (bc41e32), kept here as the reference the
// tape is held to: its own grammar walk, string reader and decoder, independent of
// `JSONParser.tapeValue`, `scanString` and `decodeString`. It shares only the small helpers
// (white space, numbers, the error's place, `\u` digits).
extension JSONParser {
  mutating func referenceDocument() throws(JSONSyntaxError) -> JSONNode {
    if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
    skipSpace()
    let v = try referenceValue(depth: 0)
    skipSpace()
    guard i == b.count else { throw error("unexpected text after the JSON value") }
    return v
  }

  mutating func referenceValue(depth: Int) throws(JSONSyntaxError) -> JSONNode {
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
        let key = try referenceString()
        skipSpace()
        guard i < b.count, b[i] == UInt8(ascii: ":") else { throw error("expected ':' after a key") }
        i += 1
        skipSpace()
        members.append((key, try referenceValue(depth: depth + 1)))
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
        items.append(try referenceValue(depth: depth + 1))
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
      return .string(try referenceString())
    case UInt8(ascii: "t"): return try referenceLiteral("true", .bool(true))
    case UInt8(ascii: "f"): return try referenceLiteral("false", .bool(false))
    case UInt8(ascii: "n"): return try referenceLiteral("null", .null)
    default:
      let s = i
      guard skipNumber() else {
        throw error("unexpected character '\(Character(Unicode.Scalar(b[s])))'", at: s)
      }
      return .number(String(utf8: b, s..<i))
    }
  }

  mutating func referenceLiteral(_ word: String, _ v: JSONNode) throws(JSONSyntaxError) -> JSONNode {
    let w = Array(word.utf8)
    guard i + w.count <= b.count, Array(b[i..<(i + w.count)]) == w else {
      throw error("unexpected character")
    }
    i += w.count
    return v
  }

  mutating func referenceString() throws(JSONSyntaxError) -> String {
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

}
