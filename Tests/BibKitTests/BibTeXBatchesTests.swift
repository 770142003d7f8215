import Foundation
import Testing

@testable import BibKit

/// Reading a batch at a time gives exactly what reading the whole input gives: the same
/// papers in the same order, the same diagnostics in the same order, and the same
/// preambles, all of them known once the first batch is out.
@Suite struct BibTeXBatchesTests {
  struct Read: Equatable {
    var papers: [Paper]
    var diagnostics: [String]
    var preambles: [String]
  }

  static func described(_ d: [Diagnostic]) -> [String] {
    d.map { "\($0.code) \($0) @\($0.location?.offset ?? -1)" }
  }

  static let options = ReadOptions(source: "t.bib", asOf: Fixtures.asOf)

  static func whole(_ bytes: [UInt8]) throws -> Read {
    let r = try BibTeXReader().read(bytes, options: options)
    return Read(papers: r.papers, diagnostics: described(r.diagnostics), preambles: r.metadata?.preambles ?? [])
  }

  /// The batches joined, and how many non-empty batches there were. The preambles are
  /// the ones known after the first batch.
  static func batched(
    _ bytes: [UInt8], chunkBytes: Int, cores: Int, aheadBytes: Int
  ) throws -> (read: Read, batches: Int, parsedWhole: Bool) {
    var b = try #require(
      BibTeXReader.Batches(bytes, options: options, threshold: 0, chunkBytes: chunkBytes, cores: cores, aheadBytes: aheadBytes))
    var papers: [Paper] = []
    var count = 0
    var preambles: [String]?
    while let batch = b.next() {
      papers += batch
      if !batch.isEmpty { count += 1 }
      if preambles == nil { preambles = b.metadata?.preambles ?? [] }
    }
    #expect(b.next() == nil)
    #expect(preambles ?? [] == b.metadata?.preambles ?? [], "every preamble is known after the first batch")
    let read = Read(papers: papers, diagnostics: described(b.diagnostics), preambles: preambles ?? [])
    return (read, count, b.referenced == nil)
  }

  static let configurations: [(chunkBytes: Int, cores: Int, aheadBytes: Int)] = [
    (64, 2, 0), (200, 2, 1 << 20), (100, 2, 900), (333, 3, 700), (1000, 1, 0), (4096, 4, 1 << 20),
  ]

  /// Every configuration agrees with the whole read; small chunks make many batches.
  static func expectSame(
    _ text: String, parsedWhole: Bool = false, sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) throws {
    try expectSame(Array(text.utf8), parsedWhole: parsedWhole, sourceLocation: sourceLocation)
  }

  static func expectSame(
    _ bytes: [UInt8], parsedWhole: Bool = false, sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) throws {
    let expected = try whole(bytes)
    for c in configurations {
      let got = try batched(bytes, chunkBytes: c.chunkBytes, cores: c.cores, aheadBytes: c.aheadBytes)
      #expect(got.read.papers == expected.papers, "\(c)", sourceLocation: sourceLocation)
      #expect(got.read.diagnostics == expected.diagnostics, "\(c)", sourceLocation: sourceLocation)
      #expect(got.read.preambles == expected.preambles, "\(c)", sourceLocation: sourceLocation)
      #expect(got.parsedWhole == parsedWhole, "\(c)", sourceLocation: sourceLocation)
      // (The first batch runs through the last preamble.)
      if c.chunkBytes == 64, expected.papers.count > 20, expected.preambles.isEmpty {
        #expect(got.batches > 5, "small chunks make many batches", sourceLocation: sourceLocation)
      }
    }
  }

  static func entries(_ range: Range<Int>, prefix: String = "k", field: (Int) -> String) -> String {
    range.map { "@article{\(prefix)\($0),\n  \(field($0)),\n  year = 2000\n}\n" }.joined()
  }

  @Test func plainEntries() throws {
    try Self.expectSame(Self.entries(0..<60) { "title = {Title \($0)}, author = {Ann Author and Bo \($0)}" })
  }

  @Test func parentsFarAfterTheirChildren() throws {
    // BibTeX wants parents after children: here all of them come at the very end.
    var text = Self.entries(0..<50) { "title = {Part \($0)}, crossref = {proc\($0 % 5)}, pages = {\($0)--\($0 + 1)}" }
    text += (0..<5).map { "@proceedings{proc\($0),\n  title = {Proceedings \($0)},\n  year = 1999, month = mar,\n  publisher = {P\($0)}\n}\n" }.joined()
    try Self.expectSame(text)
  }

  @Test func parentsOfInterleavedGroups() throws {
    // Children of two groups; the first group's parents come before the second group's,
    // far ahead: the parse that runs ahead is asked again while it is still ahead, from
    // a place the batches have not reached.
    var text = Self.entries(0..<20) { "title = {A\($0)}, crossref = {a\($0 % 3)}" }
    text += Self.entries(20..<40) { "title = {B\($0)}, crossref = {b\($0 % 3)}" }
    text += (0..<3).map { "@proceedings{a\($0), title = {Group A \($0)}, year = 1990}\n" }.joined()
    text += Self.entries(40..<60) { "title = {Filler \($0)}" }
    text += (0..<3).map { "@proceedings{b\($0), title = {Group B \($0)}, year = 1991}\n" }.joined()
    let bytes = Array(text.utf8)
    let expected = try Self.whole(bytes)
    for chunk in [50, 100, 150] {
      for ahead in stride(from: 0, through: 4000, by: 250) {
        let got = try Self.batched(bytes, chunkBytes: chunk, cores: 2, aheadBytes: ahead)
        #expect(got.read == expected, "chunk \(chunk), ahead \(ahead)")
      }
    }
  }

  @Test func parentsBeforeChildrenChainsXdataAndMissingOnes() throws {
    var text = "@xdata{pub, publisher = {Pub}, location = {Town}}\n"
    text += "@proceedings{outer, title = {Outer}, year = 2001, xdata = {pub}}\n"
    text += "@proceedings{inner, title = {Inner}, crossref = {outer}, booktitle = {Inner Book}}\n"
    text += Self.entries(0..<40) { "title = {T\($0)}, crossref = {\($0 % 3 == 0 ? "inner" : "OUTER")}" }
    text += "@inproceedings{lost, title = {Lost}, crossref = {nowhere}}\n"
    text += "@inproceedings{loop1, title = {L1}, crossref = {loop2}}\n@inproceedings{loop2, title = {L2}, crossref = {loop1}}\n"
    text += "@misc{two, title = {Two}, xdata = { pub , missing }}\n"
    text += Self.entries(40..<60) { "title = {T\($0)}, crossref = \"later\"" }
    text += "@proceedings{later, title = {Later}, date = {2010-05}}\n"
    try Self.expectSame(text)
  }

  @Test func repeatedKeysAcrossBatchesKeepTheFirstAlsoAsParent() throws {
    var text = Self.entries(0..<30) { "title = {T\($0)}, crossref = {p}" }
    text += "@proceedings{p, title = {First}}\n"
    text += Self.entries(0..<30) { "title = {Again \($0)}" }
    text += "@proceedings{P, title = {Second}}\n"
    try Self.expectSame(text)
  }

  @Test func aReferenceThatOnlyAParseCanTellReadsWhole() throws {
    // A crossref given by a macro, or with a comment between name and `=`: the scan cannot
    // tell the keys, so the input is parsed whole and mapped in batches.
    let viaMacro = "@string{pk = {proc}}\n" + Self.entries(0..<30) { _ in "crossref = pk" } + "@proceedings{proc, title = {P}}\n"
    try Self.expectSame(viaMacro, parsedWhole: true)
    #expect(BibTeXReader.Batches.references(Array(viaMacro.utf8)) == nil)
    let commented = Self.entries(0..<30) { _ in "crossref % the parent\n  = {proc}" } + "@proceedings{proc, title = {P}}\n"
    try Self.expectSame(commented, parsedWhole: true)
  }

  @Test func referencesAreFoundWithoutParsing() {
    func refs(_ s: String) -> Set<String>? { BibTeXReader.Batches.references(Array(s.utf8)) }
    #expect(refs("@a{x, CrossRef = { Proc-A }, xdata = \"d1, D2\"}") == ["proc-a", "d1", "d2"])
    #expect(refs("@a{x, title = {no references}, note = {a = b}}") == [])
    #expect(refs("@a{x, mycrossref = {p}}") == [])
    #expect(refs("@a{x, XDATA = {Q}, CROSSREF\n  = {r}}") == ["q", "r"])
    #expect(refs("@a{x, crossref = {a} # {b}}") == nil)
    #expect(refs("@a{x, crossref = {{a}}}") == nil)
    #expect(refs("@a{x, xdata = d}") == nil)
  }

  @Test func macrosDefinedAndRedefinedOnTheWay() throws {
    var text = "@string{j = {One}}\n" + Self.entries(0..<20) { _ in "journal = j" }
    text += "@string{j = {Two}}\n" + Self.entries(20..<40) { _ in "journal = j # { } # jan" } as String
    text += "@STRING{jan = {Janvier}}\n" + Self.entries(40..<60) { _ in "month = jan, note = undefined # j" }
    try Self.expectSame(text)
  }

  @Test func aLatePreambleIsInTheFirstBatch() throws {
    var text = "@preamble{\"\\newcommand{\\x}{x}\"}\n" + Self.entries(0..<40) { "title = {T\($0)}" }
    text += "@preamble{{\\newcommand{\\y}{y}}}\n" + Self.entries(40..<50) { "title = {U\($0)}" }
    try Self.expectSame(text)
  }

  @Test func brokenEntriesAndSwallowedEntryStarts() throws {
    var text = (0..<20).map { "@misc{a\($0), title = \n@article{x\($0), title = {y}}\n" }.joined()
    text += Self.entries(0..<10) { "title = {T\($0)}" }
    text += "@book{open, title = {unclosed\n" + Self.entries(10..<20) { "title = {U\($0)}" }
    text += "@misc{, title = {No key}, author = {Zed, Z.}, year = 2001}\n"
    text += "junk between entries @ here\n" + Self.entries(20..<30) { "title = {V\($0)}, title = {again}" }
    try Self.expectSame(text)
  }

  @Test func parentKeyWithALetterThatIsNotUTF8() throws {
    // Windows-1252 input: the parent's key has an é, one byte; read as UTF-8 by mistake it
    // would not match the key the reader gives the entry.
    var text = (0..<30).map { "@inproceedings{k\($0), title = {T\($0)}, crossref = {caf\u{E9}}}\n" }.joined()
    text += "@proceedings{caf\u{E9}, title = {The Caf\u{E9} Proceedings}, year = 1999}\n"
    let bytes = Array(text.utf8).flatMap { $0 == 0xC3 ? [] : $0 == 0xA9 ? [UInt8(0xE9)] : [$0] }
    let whole = try Self.whole(bytes)
    #expect(whole.papers.first?.containerTitle?.plainText == "The Café Proceedings")
    try Self.expectSame(bytes)
  }

  @Test func notUTF8AndNoEntries() throws {
    var bytes = Array(Self.entries(0..<30) { "title = {Caf\u{E9} \($0)}" }.utf8)
    // é as Windows-1252, one byte.
    bytes = bytes.flatMap { $0 == 0xC3 ? [] : $0 == 0xA9 ? [0xE9] : [$0] }
    try Self.expectSame(bytes)
    try Self.expectSame(String(repeating: "just some text, no entries\n", count: 40))
  }

  /// Random mixes of the hard cases above.
  @Test func randomMixes() throws {
    var rng = XorShift64(state: 20261129)
    func piece(_ kind: Int, _ i: Int) -> String {
      switch kind {
      case 0: return "@article{a\(i), title = {T\(i)}, author = {A \(i) and B}}\n"
      case 1: return "@inproceedings{c\(i), title = {C}, crossref = {p\(i % 7)}}\n"
      case 2: return "@proceedings{p\(i % 7), title = {P\(i)}, year = \(i % 30 + 1990), crossref = {p\((i + 1) % 7)}}\n"
      case 3: return "@string{m\(i % 4) = {M\(i)}}\n"
      case 4: return "@misc{u\(i), note = m\(i % 4) # m\((i + 1) % 4), month = jan}\n"
      case 5: return "@misc{s\(i), title = \n"
      case 6: return "@misc{a\(i / 2), title = {repeat}}\n"
      case 7: return "@misc{x\(i), xdata = {d\(i % 3)}}\n@xdata{d\(i % 3), publisher = {X}}\n"
      case 8: return "% a comment line @misc{no, title = {no}}\n"
      default: return "@preamble{{p\(i)}}\n"
      }
    }
    for round in 0..<12 {
      var text = ""
      for i in 0..<(40 + round * 10) { text += piece(Int(rng.next() % 10), i) }
      try Self.expectSame(text)
    }
  }

  /// Every fixture and corpus file that has entries, in small batches.
  @Test func realFiles() throws {
    var compared = 0
    var inheriting = 0
    for url in BibTeXChunksTests.realFiles() {
      let bytes = Array(try Data(contentsOf: url))
      let expected = try Self.whole(bytes)
      let c = bytes.count > 200_000 ? (chunkBytes: 20_000, cores: 2, aheadBytes: 50_000) : (chunkBytes: 2_000, cores: 2, aheadBytes: 0)
      let got = try Self.batched(bytes, chunkBytes: c.chunkBytes, cores: c.cores, aheadBytes: c.aheadBytes)
      #expect(got.read == expected, "\(url.lastPathComponent)")
      if bytes.count > 3 * c.chunkBytes * c.cores, expected.papers.count > 10 { #expect(got.batches > 1, "\(url.lastPathComponent)") }
      if !got.parsedWhole, !expected.papers.isEmpty, BibTeXReader.Batches.references(bytes)?.isEmpty == false {
        inheriting += 1
      }
      compared += 1
    }
    #expect(compared > 10)
    if BibTeXCorpusTests.files().count > 100 { #expect(inheriting > 5, "files with crossref read in batches") }
  }
}
