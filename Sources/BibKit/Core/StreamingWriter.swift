/// Writes a bibliography page by page (results arriving from the network), with output
/// identical to writing all papers at once: keys stay unique across pages, and CSL-JSON's
/// array is opened once and closed at the end.
public struct StreamingWriter: Sendable {
  let format: FormatID
  let writer: any BibliographyWriter
  let options: WriteOptions
  var taken = Set<String>()
  var pages = 0
  var itemsWritten = false

  public init?(format: FormatID, options: WriteOptions, registry: FormatRegistry = .standard) {
    guard let w = registry.format(format)?.writer else { return nil }
    self.format = format
    self.writer = w
    self.options = options
  }

  /// The bytes for one more page of papers, and the writer's warnings.
  public mutating func write(_ papers: [Paper]) -> WriteResult {
    var keyed = papers
    for (i, k) in CitationKeys.assign(papers, taken: &taken).enumerated() { keyed[i].citationKey = k }
    var r = writer.write(keyed, options: options)
    defer { pages += 1 }
    guard format == .cslJSON else {
      if format == .bibtex, itemsWritten, !r.bytes.isEmpty { r.bytes = [0x0A] + r.bytes }
      if !papers.isEmpty { itemsWritten = true }
      return r
    }
    // "[\n" items "\n]\n": keep the items, and the separators between pages.
    guard !papers.isEmpty, r.bytes.count > 5 else {
      r.bytes = []
      return r
    }
    let items = Array(r.bytes[2..<(r.bytes.count - 3)])
    r.bytes = (itemsWritten ? Array(",\n".utf8) : Array("[\n".utf8)) + items
    itemsWritten = true
    return r
  }

  /// The bytes that close the bibliography.
  public func finish() -> [UInt8] {
    guard format == .cslJSON else { return [] }
    return Array((itemsWritten ? "\n]\n" : "[]\n").utf8)
  }
}
