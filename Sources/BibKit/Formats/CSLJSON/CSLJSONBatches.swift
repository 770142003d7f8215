/// Reading a large CSL-JSON array a batch at a time: the whole document is first checked
/// without building anything (a syntax error anywhere means no papers at all, as in
/// ``CSLJSONReader/read(_:options:)``), and the start of every item noted; then the items
/// of a few megabytes at a time are parsed and mapped on every core.
///
/// An object item without a citation key (a non-empty `id` or `citation-key`) gets a
/// generated key, and generated keys depend on every paper of the input: an array with such
/// items is read twice, by ``KeyFillingBatches`` (unless ``ReadOptions/fillsMissingKeys`` is
/// off: such items then come without a key). Strict reads, and documents that are not an
/// array or do not parse, are read whole.
extension CSLJSONReader {
  public func batches(_ input: [UInt8], options: ReadOptions) -> (any PaperBatches)? {
    guard let b = Batches(input, options: options, threshold: batchThreshold, batchBytes: batchBytes) else { return nil }
    return b.everyItemHasAKey || !options.fillsMissingKeys ? b : KeyFillingBatches(b)
  }

  struct Batches: PaperBatches {
    let bytes: [UInt8]
    let source: String?
    let batchBytes: Int
    /// Where each item of the top-level array starts.
    let items: [Int]
    var taken = 0
    var mapping: [Diagnostic] = []
    /// Keys met so far (in lower case, with their item's place), and the warnings for keys
    /// that repeat one: given after the mapping's, as the whole read gives them.
    var seenKeys: [CitationKeys.FoldedKey: Int] = [:]
    var repeatedKeys: [Diagnostic] = []
    /// Whether every object item has a citation key of its own: if not, generated keys
    /// depend on the whole input, and these batches need ``KeyFillingBatches``.
    let everyItemHasAKey: Bool

    init?(_ input: [UInt8], options: ReadOptions, threshold: Int, batchBytes: Int) {
      guard !options.strict, input.count >= threshold, let (items, keyed) = Self.items(input) else { return nil }
      bytes = input
      source = options.source
      self.batchBytes = max(1, batchBytes)
      self.items = items
      everyItemHasAKey = keyed
    }

    var metadata: SourceMetadata? { nil }
    var diagnostics: [Diagnostic] { mapping + repeatedKeys }

    mutating func next() -> [Paper]? {
      guard taken < items.count else { return nil }
      let from = taken
      var to = from + 1
      while to < items.count, items[to] - items[from] < batchBytes { to += 1 }
      taken = to
      let (bytes, items, source) = (bytes, items, source)
      var (mapped, found) = Parallel.compactMap(to - from) { k, d -> Paper? in
        let n = from + k
        var parser = JSONParser(bytes, maxDepth: 256)
        parser.i = items[n]
        var nodes: [JSONTape.Node] = []
        nodes.reserveCapacity(64)
        // The document was checked: the item reads as it did then.
        guard (try? parser.tapeValue(depth: 1, into: &nodes)) != nil else { return nil }
        return CSLJSONReader.paper(JSONTape(bytes: bytes, nodes: nodes), item: 0, index: n, diagnostics: &d, source: source)
      }
      mapping += found
      // The check found every key and no key twice; otherwise repeats are taken off here,
      // as the whole read takes them off. The items that gave papers are the objects (an
      // item starts at its first byte).
      if !everyItemHasAKey {
        let objects = (from..<to).filter { bytes[items[$0]] == UInt8(ascii: "{") }
        CSLJSONReader.dropRepeatedKeys(&mapped, items: objects, seen: &seenKeys, source: source, into: &repeatedKeys)
      }
      return mapped
    }

    /// Where the items of the top-level array start, and whether every object item has a
    /// citation key that no item before has; nil when the document does not parse or is not
    /// an array.
    static func items(_ b: [UInt8]) -> (starts: [Int], keyed: Bool)? {
      var p = JSONParser(b, maxDepth: 256)
      if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { p.i = 3 }
      p.skipSpace()
      guard p.i < b.count, b[p.i] == UInt8(ascii: "[") else { return nil }
      p.i += 1
      p.skipSpace()
      var starts: [Int] = []
      var keyed = true
      var seen = Set<CitationKeys.FoldedKey>()
      if p.i < b.count, b[p.i] == UInt8(ascii: "]") {
        p.i += 1
      } else {
        while true {
          p.skipSpace()
          starts.append(p.i)
          guard let (object, key) = item(&p) else { return nil }
          // An object without a key, or with one an object before has (in lower case).
          if object, !(key.map { seen.insert(CitationKeys.FoldedKey($0)).inserted } ?? false) { keyed = false }
          p.skipSpace()
          guard p.i < b.count else { return nil }
          if b[p.i] == UInt8(ascii: ",") {
            p.i += 1
            continue
          }
          guard b[p.i] == UInt8(ascii: "]") else { return nil }
          p.i += 1
          break
        }
      }
      p.skipSpace()
      return p.i == b.count ? (starts, keyed) : nil
    }

    static let idKey = Array("id".utf8)
    static let citationKeyKey = Array("citation-key".utf8)

    /// Whether the key whose string begins at `start` is `name` in lower case: an ASCII key
    /// without escapes (at `bytes[range]`) compared on its bytes, any other decoded and
    /// lowercased as a string.
    static func key(_ b: [UInt8], _ range: Range<Int>?, from start: Int, is name: [UInt8]) -> Bool {
      if let range, b[range].allSatisfy({ $0 < 0x80 }) {
        return range.count == name.count && zip(b[range], name).allSatisfy { ($0 &- 0x41 < 26 ? $0 | 0x20 : $0) == $1 }
      }
      var parser = JSONParser(b)
      parser.i = start
      guard let key = try? parser.string() else { return false }
      return key.lowercased().utf8.elementsEqual(name)
    }

    /// Skips one item of the array, as ``JSONParser/skipValue(depth:)`` does; nil when it
    /// does not parse. Otherwise whether it is an object, and an object's citation key (its
    /// first `id`, else its first `citation-key`, in any case, as a non-empty string or a
    /// number), nil when it has none.
    static func item(_ p: inout JSONParser) -> (object: Bool, key: String?)? {
      guard p.i < p.b.count, p.b[p.i] == UInt8(ascii: "{") else { return p.skipValue(depth: 1) ? (false, nil) : nil }
      p.i += 1
      p.skipSpace()
      if p.i < p.b.count, p.b[p.i] == UInt8(ascii: "}") {
        p.i += 1
        return (true, nil)
      }
      var id: String??
      var citationKey: String??
      while true {
        p.skipSpace()
        guard p.i < p.b.count, p.b[p.i] == UInt8(ascii: "\"") else { return nil }
        let keyStart = p.i
        guard let escaped = try? p.scanString() else { return nil }
        let key = escaped ? nil : (keyStart + 1)..<(p.i - 1)
        p.skipSpace()
        guard p.i < p.b.count, p.b[p.i] == UInt8(ascii: ":") else { return nil }
        p.i += 1
        p.skipSpace()
        let isID = Self.key(p.b, key, from: keyStart, is: Self.idKey)
        if (isID && id == nil) || (citationKey == nil && Self.key(p.b, key, from: keyStart, is: Self.citationKeyKey)) {
          // The value's text, as `JSONNode.text` has it: a string's, a number's, or none.
          guard p.i < p.b.count else { return nil }
          let start = p.i
          var text: String?
          if p.b[start] == UInt8(ascii: "\"") {
            guard let s = try? p.string() else { return nil }
            text = s
          } else {
            guard p.skipValue(depth: 2) else { return nil }
            if !"{[tfn".utf8.contains(p.b[start]) { text = String(utf8: p.b, start..<p.i) }
          }
          text = text.flatMap { $0.isEmpty ? nil : $0 }
          if isID { id = .some(text) } else { citationKey = .some(text) }
        } else {
          guard p.skipValue(depth: 2) else { return nil }
        }
        p.skipSpace()
        guard p.i < p.b.count else { return nil }
        if p.b[p.i] == UInt8(ascii: ",") {
          p.i += 1
          continue
        }
        guard p.b[p.i] == UInt8(ascii: "}") else { return nil }
        p.i += 1
        return (true, (id ?? nil) ?? (citationKey ?? nil))
      }
    }
  }
}
