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

/// `MissingKeys`, fed papers a batch at a time, plans for the papers without a key the keys
/// `CitationKeys.assign` gives them over all the papers at once, however they are split:
/// papers alike in author, year and title (so suffixes are given in the order of date,
/// title and the rest), and given keys equal to a base key or to a suffixed one.
@Suite struct MissingKeysTests {
  @Test func plansTheKeysOfTheWhole() {
    var state: UInt64 = 0x4D4B
    func next(_ n: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(n))
    }
    var suffixed = 0
    for _ in 0..<200 {
      let papers = (0..<(1 + next(40))).map { _ -> Paper in
        var p = Paper(kind: .articleJournal, title: RichText(["Deep nets", "Deep learning", "On deep nets"][next(3)]))
        p.authors = [Person(given: "Jane", family: ["Doe", "Roe"][next(2)])]
        if next(4) > 0 { p.issued = PartialDate(year: 2000 + next(2), month: next(2) == 0 ? nil : 1 + next(12)) }
        if next(3) == 0 { p.abstract = ["a", "b"][next(2)] }
        switch next(6) {
        case 0: p.citationKey = ["doe2000deep", "DOE2001deep", "doe2000deepa", "roe2001deepb"][next(4)]
        case 1: p.citationKey = "k\(next(1000))"
        default: break
        }
        return p
      }
      let whole = CitationKeys.assign(papers)
      let expected = papers.indices.filter { papers[$0].citationKey == nil }.map { whole[$0] }
      var plan = MissingKeys()
      var k = 0
      while k < papers.count {
        let n = 1 + next(7)
        plan.note(Array(papers[k..<min(k + n, papers.count)]))
        k += n
      }
      #expect(plan.missing == expected.count)
      #expect(plan.keys() == expected)
      suffixed += expected.filter { $0.last.map { $0 >= "a" && $0 <= "z" } == true && !$0.hasSuffix("deep") }.count
    }
    #expect(suffixed > 1_000)
  }
}
