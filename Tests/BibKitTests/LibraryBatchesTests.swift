import BibKit
import Testing

/// The batch interface as a library user has it (no @testable import): converting in batches
/// gives the bytes and warnings of converting everything at once.
@Suite struct LibraryBatchesTests {
  @Test func batchesThroughThePublicInterface() throws {
    var text = "@preamble{\"\\newcommand{\\x}{x}\"}\n"
    for i in 0..<200 {
      text += "@article{k\(i), title = {Title \(i)}, author = {Doe, Jane}, journal = {J}, date = {2020-01-0\(i % 9 + 1)}, crossref = {p}}\n"
    }
    text += "@proceedings{p, title = {Proceedings}, publisher = {P}}\n"
    let bytes = Array(text.utf8)
    let options = ReadOptions(source: "t.bib", asOf: PartialDate(year: 2026))
    let whole = try BibTeXReader().read(bytes, options: options)
    var writeOptions = WriteOptions()
    writeOptions.preambles = whole.metadata?.preambles ?? []
    let expected = BibTeXWriter().write(whole.papers, options: writeOptions)

    var reader = BibTeXReader()
    reader.batchThreshold = 0
    reader.batchChunkBytes = 1000
    var batches = try #require(reader.batches(bytes, options: options))
    var writer: (any BatchWriter)?
    var out: [UInt8] = []
    var warnings: [Diagnostic] = []
    var count = 0
    while let papers = batches.next() {
      if writer == nil {
        var o = WriteOptions()
        o.preambles = batches.metadata?.preambles ?? []
        writer = BibTeXWriter().batchWriter(options: o)
      }
      let part = writer!.write(papers, keys: CitationKeys.assign(papers))
      out += part.bytes
      warnings += part.diagnostics
      count += 1
    }
    let end = writer!.finish()
    out += end.bytes
    warnings += end.diagnostics
    #expect(count > 5)
    #expect(out == expected.bytes)
    #expect(warnings == expected.diagnostics)
    #expect(warnings.contains { $0.message.contains("the day of 200 entries was not written") })
    #expect(batches.diagnostics == whole.diagnostics)
  }
}
