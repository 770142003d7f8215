/// Writes a bibliography page by page (results arriving from the network) through the
/// writer's ``BatchWriter``: CSL-JSON's array is opened once and closed at the end, and keys
/// stay unique across pages. A generated key is decided on its own page, so where papers on
/// different pages share a base key, the later one takes the next free suffix (writing all
/// at once would order the group by date).
public struct StreamingWriter {
  var batches: any BatchWriter
  var taken = Set<String>()

  public init?(format: FormatID, options: WriteOptions, registry: FormatRegistry = .standard) {
    guard let w = registry.format(format)?.writer?.batchWriter(options: options) else { return nil }
    batches = w
  }

  /// The bytes for one more page of papers, and the writer's warnings.
  public mutating func write(_ papers: [Paper]) -> WriteResult {
    batches.write(papers, keys: CitationKeys.assign(papers, taken: &taken))
  }

  /// The bytes that close the bibliography, and the warnings about the whole of it.
  public mutating func finish() -> WriteResult { batches.finish() }
}
