/// Reading a large feed on every core, with the result of one read from start to end.
///
/// The feed is cut before `<entry` tags near equal sizes. Each piece becomes a document of
/// its own: the first is the feed up to the cut, closed with the root's end tag; a later
/// one is the feed's head (everything up to the end of the root's start tag, so the XML
/// declaration and the namespace declarations come along) followed by its part of the
/// feed, closed the same way when it is not the last. Each is read by its own libxml2
/// reader with the same options and checks.
///
/// A cut that is not before an entry of the root (inside a comment, a CDATA section, a
/// processing instruction or a nested element) leaves some piece malformed; so does any
/// error in the feed. Then the feed is read again from start to end, and the error it
/// gives is the one reported, with its true line and column. Feeds with a document type
/// declaration are never cut.
extension ArxivAtomReader {
  /// Feeds smaller than this are read in one piece.
  static let chunkThreshold = 1 << 20

  /// Reads the feed, in pieces when it is large. With `options`, each piece's papers are made
  /// on the core that read it (``Scan/papers``).
  static func scanned(
    _ bytes: [UInt8], url: String, options: ReadOptions? = nil, chunks: Int = ProcessInfo.activeCores,
    threshold: Int = chunkThreshold
  ) throws(XMLFailure) -> Scan {
    func whole() throws(XMLFailure) -> Scan {
      var s = try scan(bytes, url: url)
      if let options { makePapers(&s, options: options) }
      return s
    }
    guard chunks > 1, bytes.count >= threshold, let plan = ChunkPlan(bytes, chunks: min(chunks, 8)) else {
      return try whole()
    }
    let results = Parallel.chunks(plan.cuts.count + 1, threshold: 2) { range -> [Scan?] in
      range.map { k in
        let (document, shift) = plan.document(k, of: bytes)
        guard var s = try? scan(document, url: url, lineShift: shift) else { return nil }
        if let options { makePapers(&s, options: options) }
        return s
      }
    }.flatMap { $0 }
    guard results.allSatisfy({ $0 != nil }) else { return try whole() }
    var merged = Scan()
    for part in results {
      guard let part else { continue }
      merged.pending += part.pending
      merged.papers += part.papers
      merged.others += part.others
      merged.addTotals(of: part)
    }
    return merged
  }

  /// Where a feed is cut, and what each piece's document is.
  struct ChunkPlan {
    /// The feed up to the end of the root's start tag.
    var head: Range<Int>
    /// The root's qualified name, for the end tag that closes each piece.
    var root: [UInt8]
    /// Offsets of the `<entry` tags where pieces begin.
    var cuts: [Int]
    /// What to add to the line numbers of each piece.
    var shifts: [Int] = []

    init?(_ b: [UInt8], chunks: Int) {
      // The root's start tag: the first `<` followed by a name, after the XML declaration,
      // comments and processing instructions. A DOCTYPE means the feed is not cut.
      var i = 0
      while true {
        guard let lt = Self.find([UInt8(ascii: "<")], in: b, from: i), lt + 1 < b.count else { return nil }
        let next = b[lt + 1]
        if next == UInt8(ascii: "?") {
          guard let end = Self.find(Array("?>".utf8), in: b, from: lt + 2) else { return nil }
          i = end + 2
        } else if b[lt...].starts(with: "<!--".utf8) {
          guard let end = Self.find(Array("-->".utf8), in: b, from: lt + 4) else { return nil }
          i = end + 3
        } else if next == UInt8(ascii: "!") || next == UInt8(ascii: "/") {
          return nil
        } else {
          i = lt
          break
        }
      }
      var j = i + 1
      while j < b.count, !Self.endsName(b[j]) { j += 1 }
      root = Array(b[(i + 1)..<j])
      guard !root.isEmpty else { return nil }
      // The end of the start tag, outside quoted attribute values.
      var quote: UInt8 = 0
      while j < b.count {
        let c = b[j]
        if quote != 0 {
          if c == quote { quote = 0 }
        } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
          quote = c
        } else if c == UInt8(ascii: ">") {
          break
        }
        j += 1
      }
      guard j < b.count, b[j - 1] != UInt8(ascii: "/") else { return nil }
      head = 0..<(j + 1)
      cuts = []
      let tag = Array("<entry".utf8)
      cuts: for k in 1..<chunks {
        var p = max(k * b.count / chunks, (cuts.last ?? head.upperBound) + 1)
        while let at = Self.find(tag, in: b, from: p) {
          if at + tag.count < b.count, Self.endsName(b[at + tag.count]) {
            cuts.append(at)
            continue cuts
          }
          p = at + 1
        }
        // No entry tag after `p`, so none after any later start either.
        break
      }
      guard !cuts.isEmpty else { return nil }
      // A piece's line is its line in the feed once the head's lines are taken off and the
      // lines before its cut added.
      let headLines = Self.newlines(b[head])
      var lines = 0
      var from = 0
      shifts = [0]
      for cut in cuts {
        lines += Self.newlines(b[from..<cut])
        from = cut
        shifts.append(lines - headLines)
      }
    }

    /// How many pieces the feed is cut into.
    var count: Int { cuts.count + 1 }

    /// The document for piece `k`, and what to add to its line numbers.
    func document(_ k: Int, of b: [UInt8]) -> ([UInt8], Int) {
      let start = k == 0 ? 0 : cuts[k - 1]
      let end = k < cuts.count ? cuts[k] : b.count
      var doc: [UInt8] = []
      doc.reserveCapacity(end - start + head.count + root.count + 3)
      if k > 0 { doc += b[head] }
      doc += b[start..<end]
      if k < cuts.count {
        doc += Array("</".utf8)
        doc += root
        doc.append(UInt8(ascii: ">"))
      }
      return (doc, shifts[k])
    }

    static func endsName(_ c: UInt8) -> Bool {
      c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == UInt8(ascii: ">") || c == UInt8(ascii: "/")
    }

    static func newlines(_ s: ArraySlice<UInt8>) -> Int {
      s.withUnsafeBufferPointer { SWAR.lineFeeds($0).count }
    }

    static func find(_ needle: [UInt8], in b: [UInt8], from: Int) -> Int? {
      b.withUnsafeBufferPointer { ByteSearch.firstIndex(of: needle, in: $0, from: from) }
    }
  }
}
