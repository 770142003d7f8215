/// A JSON document read into one flat list of nodes, in document order: each value is a
/// node (its kind and where its text is in the input), and the members of an object or
/// array follow it, an object's as key and value nodes in turn. Nothing is decoded while it
/// is read: a string is made when one is asked for, and keys can be matched on their bytes.
/// Reading a CSL item from it makes only the strings the paper keeps, where a ``JSONNode``
/// tree makes one for every key and value and frees them all again. It is the one reading
/// of the JSON grammar: ``JSONParser/value(depth:)`` makes its tree from a tape.
struct JSONTape {
  enum Kind: UInt8 {
    case object, array
    /// A string without escapes (its bytes are its text), and one with.
    case string, escapedString
    case number, trueValue, falseValue, null
  }

  struct Node {
    /// The value's first byte (`{`, `[`, `"`, …) and the position just past its last.
    var start: Int
    var end: Int
    /// The index of the node after this one and everything inside it.
    var next: Int
    var kind: Kind
  }

  let bytes: [UInt8]
  let nodes: [Node]

  /// The tape of a whole document: one value and white space, as ``JSONParser/parseDocument()``
  /// reads it, failing where and as it fails.
  init(document bytes: [UInt8], maxDepth: Int) throws(JSONSyntaxError) {
    var parser = JSONParser(bytes, maxDepth: maxDepth)
    var nodes: [Node] = []
    // CSL-JSON as the writers indent it has a node per 25 to 30 bytes (27.5 on the bench's
    // 2 MB file): room for most documents at once.
    nodes.reserveCapacity(bytes.count / 20)
    try parser.tapeDocument(into: &nodes)
    self.bytes = bytes
    self.nodes = nodes
  }

  init(bytes: [UInt8], nodes: [Node]) {
    self.bytes = bytes
    self.nodes = nodes
  }

  func kind(_ n: Int) -> Kind { nodes[n].kind }

  /// The text of a string, or of a number (the source text, as ``JSONNode/text`` has it);
  /// nil for other values.
  func text(_ n: Int) -> String? {
    let node = nodes[n]
    switch node.kind {
    case .string: return String(utf8: bytes, (node.start + 1)..<(node.end - 1))
    case .escapedString: return decoded(n)
    case .number: return String(utf8: bytes, node.start..<node.end)
    default: return nil
    }
  }

  /// A string with escapes, decoded as ``JSONParser/string()`` decodes it.
  func decoded(_ n: Int) -> String {
    JSONParser.decodeString(bytes, from: nodes[n].start, to: nodes[n].end)
  }

  /// `body` of the text of the plain string at `n` as bytes, or of its decoded text.
  func withText<R>(_ n: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    let node = nodes[n]
    guard node.kind == .string else {
      var s = text(n) ?? ""
      return s.withUTF8(body)
    }
    return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[(node.start + 1)..<(node.end - 1)])) }
  }

  /// The integer of a number node of one to 18 digits (`Int` of its text), or nil.
  func digits(_ n: Int) -> Int? {
    let node = nodes[n]
    guard node.kind == .number, node.end - node.start <= 18 else { return nil }
    var v = 0
    for k in node.start..<node.end {
      let d = bytes[k] &- 0x30
      guard d < 10 else { return nil }
      v = v * 10 + Int(d)
    }
    return v
  }

  /// The value at `n` as a ``JSONNode`` tree (for the few values kept whole).
  func node(_ n: Int) -> JSONNode {
    switch nodes[n].kind {
    case .object: .object(children(n).map { (text($0) ?? "", node($0 + 1)) })
    case .array: .array(children(n).map(node))
    case .string, .escapedString: .string(text(n) ?? "")
    case .number: .number(text(n) ?? "")
    case .trueValue: .bool(true)
    case .falseValue: .bool(false)
    case .null: .null
    }
  }

  /// The elements of the array at `n` (or the keys of the object, each followed by its
  /// value at the next index).
  func children(_ n: Int) -> [Int] {
    var out: [Int] = []
    var c = n + 1
    let end = nodes[n].next
    let step = nodes[n].kind == .object ? 1 : 0
    while c < end {
      out.append(c)
      c = nodes[c + step].next
    }
    return out
  }

  /// The key at `n` looked up in `table` in lower case, as ``NameTable/lookupLowered(_:)``
  /// finds its text.
  func lookupLowered(_ n: Int, in table: NameTable) -> NameTable.Lowered {
    let node = nodes[n]
    guard node.kind == .string else { return table.lookupLowered(text(n) ?? "") }
    return bytes.withUnsafeBufferPointer { b in
      table.lookupLowered(UnsafeBufferPointer(rebasing: b[(node.start + 1)..<(node.end - 1)]))
    }
  }
}

extension JSONParser {
  /// The nodes of one document, with ``parseDocument()``'s checks and errors.
  mutating func tapeDocument(into nodes: inout [JSONTape.Node]) throws(JSONSyntaxError) {
    if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
    skipSpace()
    try tapeValue(depth: 0, into: &nodes)
    skipSpace()
    guard i == b.count else { throw error("unexpected text after the JSON value") }
  }

  /// The nodes of the value here, appended to `nodes`, without making its strings: an
  /// object or array, a string, a number (read leniently, see ``skipNumber()``), `true`,
  /// `false` or `null`, nested no deeper than `maxDepth`.
  mutating func tapeValue(depth: Int, into nodes: inout [JSONTape.Node]) throws(JSONSyntaxError) {
    guard depth < maxDepth else { throw error("JSON nested deeper than \(maxDepth) levels") }
    guard i < b.count else { throw error("unexpected end of input") }
    let start = i
    switch b[i] {
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      let object = b[i] == UInt8(ascii: "{")
      let (close, container) = object ? (UInt8(ascii: "}"), "an object") : (UInt8(ascii: "]"), "an array")
      let me = nodes.count
      nodes.append(JSONTape.Node(start: start, end: start, next: me + 1, kind: object ? .object : .array))
      i += 1
      skipSpace()
      if i < b.count, b[i] == close {
        i += 1
      } else {
        while true {
          skipSpace()
          if object {
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            try tapeString(into: &nodes)
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw error("expected ':' after a key") }
            i += 1
            skipSpace()
          }
          try tapeValue(depth: depth + 1, into: &nodes)
          skipSpace()
          guard i < b.count else { throw error("unexpected end of input in \(container)") }
          if b[i] == UInt8(ascii: ",") {
            i += 1
            continue
          }
          guard b[i] == close else {
            throw error("expected ',' or '\(Character(Unicode.Scalar(close)))' in \(container)")
          }
          i += 1
          break
        }
      }
      nodes[me].end = i
      nodes[me].next = nodes.count
    case UInt8(ascii: "\""): try tapeString(into: &nodes)
    case UInt8(ascii: "t"): try tapeLiteral("true", .trueValue, into: &nodes)
    case UInt8(ascii: "f"): try tapeLiteral("false", .falseValue, into: &nodes)
    case UInt8(ascii: "n"): try tapeLiteral("null", .null, into: &nodes)
    default:
      guard skipNumber() else {
        throw error("unexpected character '\(Character(Unicode.Scalar(b[start])))'", at: start)
      }
      nodes.append(JSONTape.Node(start: start, end: i, next: nodes.count + 1, kind: .number))
    }
  }

  /// The node of the string here (a key or a value).
  mutating func tapeString(into nodes: inout [JSONTape.Node]) throws(JSONSyntaxError) {
    let start = i
    let escaped = try scanString()
    nodes.append(JSONTape.Node(start: start, end: i, next: nodes.count + 1, kind: escaped ? .escapedString : .string))
  }

  mutating func tapeLiteral(
    _ word: StaticString, _ kind: JSONTape.Kind, into nodes: inout [JSONTape.Node]
  ) throws(JSONSyntaxError) {
    let start = i
    guard skipLiteral(word) else { throw error("unexpected character") }
    nodes.append(JSONTape.Node(start: start, end: i, next: nodes.count + 1, kind: kind))
  }
}
