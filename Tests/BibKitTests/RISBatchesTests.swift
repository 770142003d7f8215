import Foundation
import Testing

@testable import BibKit

/// Reading RIS a batch at a time gives what reading it whole gives, and is only done when
/// every record has an ID (generated keys depend on the whole input).
@Suite struct RISBatchesTests {
  static let options = ReadOptions(source: "t.ris", asOf: Fixtures.asOf)

  static func described(_ d: [Diagnostic]) -> [String] { d.map { "\($0.code) \($0)" } }

  /// The batches joined, in batches of `batchBytes`; nil when the reader reads it whole.
  static func batched(_ bytes: [UInt8], batchBytes: Int) -> (papers: [Paper], diagnostics: [String], batches: Int)? {
    guard var b = RISReader.Batches(bytes, options: options, threshold: 0, batchBytes: batchBytes) else { return nil }
    var papers: [Paper] = []
    var count = 0
    while let batch = b.next() {
      papers += batch
      if !batch.isEmpty { count += 1 }
    }
    #expect(b.next() == nil)
    return (papers, described(b.diagnostics), count)
  }

  static func expectSame(_ bytes: [UInt8], sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let whole = try RISReader().read(bytes, options: options)
    for size in [1, 40, 333, 5000] {
      let got = try #require(batched(bytes, batchBytes: size), sourceLocation: sourceLocation)
      #expect(got.papers == whole.papers, "batches of \(size)", sourceLocation: sourceLocation)
      #expect(got.diagnostics == described(whole.diagnostics), "batches of \(size)", sourceLocation: sourceLocation)
      if size == 1, whole.papers.count > 3 { #expect(got.batches > 3, sourceLocation: sourceLocation) }
    }
  }

  static func record(_ i: Int, _ body: String = "") -> String {
    "TY  - JOUR\r\nID  - r\(i)\r\nTI  - Title \(i)\r\nAU  - Author, Ann\r\n\(body)ER  - \r\n\r\n"
  }

  @Test func recordsWithIDs() throws {
    try Self.expectSame(Array((0..<30).map { Self.record($0) }.joined().utf8))
  }

  @Test func missingEndsContinuationsJunkAndLineEnds() throws {
    // A header line and a tag line outside any record, both ignored.
    var text = "Provider: someone\nXX  - outside\n"
    text += (0..<10).map { Self.record($0, "AB  - First line\r\nsecond line\r\nPY  - 2001///\r\n") }.joined()
    text += "TY  - CHAP\nID  - noend\nTI  - No ER\n"  // ended by the next TY
    text += (10..<20).map { Self.record($0).replacingOccurrences(of: "\r\n", with: "\r") }.joined()
    text += "TY  - GEN\nID  - \nID  - second\nN1  - kept\n"  // the first ID is empty; no final ER
    try Self.expectSame(Array(text.utf8))
  }

  @Test func notUTF8() throws {
    var bytes = Array((0..<20).map { Self.record($0, "T2  - Caf\u{E9}\r\n") }.joined().utf8)
    bytes = bytes.flatMap { $0 == 0xC3 ? [] : $0 == 0xA9 ? [0xE9] : [$0] }
    try Self.expectSame(bytes)
  }

  @Test func keyedWhenEveryRecordHasAnID() {
    func batches(_ s: String) -> Bool {
      RISReader.Batches(Array(s.utf8), options: Self.options, threshold: 0, batchBytes: 10)?.everyRecordHasAnID ?? false
    }
    #expect(batches(Self.record(1) + Self.record(2)))
    #expect(!batches(Self.record(1) + "TY  - JOUR\nTI  - no id\nER  - \n"))
    #expect(!batches(Self.record(1) + "TY  - JOUR\nID  -  \nER  - \n"))
    #expect(!batches(Self.record(1) + "TY  - JOUR\nID  - \u{A0}\nER  - \n"))  // only a no-break space
    #expect(!batches("TY  - JOUR\nID  - \nonly a continuation\nER  - \n"))
    #expect(!batches(Self.record(1) + "TY  - JOUR\nTI  - last, no ER and no ID\n"))
    #expect(RISReader.Batches(Array(("FN Clarivate\nPT J\n" + Self.record(1)).utf8), options: Self.options, threshold: 0, batchBytes: 10) == nil)
    #expect(batches("nothing here\n"))
    // An ID a record before has, in any case: that record's key is generated.
    #expect(!batches(Self.record(1) + Self.record(2) + Self.record(1)))
    #expect(!batches(Self.record(1) + Self.record(2).replacingOccurrences(of: "ID  - r2", with: "ID  - R1")))
    // A continuation line would add to the ID's value.
    #expect(!batches(Self.record(1) + "TY  - JOUR\nID  - r\nmore\nER  - \n"))
    #expect(batches(Self.record(1) + "TY  - JOUR\nID  - r2\nTI  - t\nmore\nER  - \n"))
  }

  /// Records whose IDs repeat an earlier record's, in other batches too: the whole read's
  /// papers, keys and warnings.
  @Test func repeatedIDsAcrossBatches() throws {
    var text = ""
    for i in 0..<30 {
      let id = i % 4 == 3 ? "ID  - R\(i % 7)\n" : "ID  - r\(i)\n"
      text += "TY  - JOUR\n\(id)TI  - Title \(i % 5)\nAU  - Doe, Jane\nPY  - 2010\nER  - \n\n"
    }
    let bytes = Array(text.utf8)
    let whole = try RISReader().read(bytes, options: Self.options)
    #expect(whole.diagnostics.filter { $0.code == "ris.duplicate-id" }.count > 3)
    #expect(Set(whole.papers.map { $0.citationKey?.lowercased() ?? "" }).count == 30)
    try expectBatchesAgree(with: whole, sizes: [1, 70, 1000, 100_000]) { Self.readerBatches(bytes, batchBytes: $0) }
  }

  /// The reader's batches for `bytes` in batches of `batchBytes`: nil when it reads them whole.
  static func readerBatches(_ bytes: [UInt8], batchBytes: Int) -> (any PaperBatches)? {
    var reader = RISReader()
    (reader.batchThreshold, reader.batchBytes) = (0, batchBytes)
    return reader.batches(bytes, options: options)
  }

  /// Records without IDs get, batch by batch, the keys a whole read gives them: keys that
  /// avoid those other records have, and suffixes in order of date and title across batches.
  @Test func recordsWithoutIDsGetTheWholeReadsKeys() throws {
    var text = ""
    for i in 0..<24 {
      let id = i % 3 == 0 ? "ID  - r\(i)\n" : ""
      text += "TY  - JOUR\n\(id)TI  - Title \(String(UnicodeScalar(UInt8(90 - i))))\nAU  - Doe, Jane\nPY  - \(2010 + i % 2)\nER  - \n\n"
    }
    let base = CitationKeys.baseKey(for: try RISReader().read(Array(text.utf8), options: Self.options).papers[1])
    // Records with IDs that generated keys would otherwise be: the first suffixed key of
    // the group, and the base key of a record alone in its group.
    text += "TY  - JOUR\nID  - \(base)a\nTI  - Taken\nER  - \n"
    text += "TY  - JOUR\nID  - roe1999alone\nTI  - Taken too\nER  - \n"
    text += "TY  - JOUR\nTI  - Alone\nAU  - Roe, Ray\nPY  - 1999\nER  - \n"
    let bytes = Array(text.utf8)
    let whole = try RISReader().read(bytes, options: Self.options)
    expectFilledKeys(whole, base: base, lastIsNot: "roe1999alone")
    try expectBatchesAgree(with: whole, sizes: [1, 60, 400, 100_000]) { Self.readerBatches(bytes, batchBytes: $0) }
  }

  /// Records without IDs that only the rest of the record orders (same first author, date
  /// and title), and records alike in all of it: the whole read's keys too.
  @Test func recordsOnlyTheRestOrders() throws {
    func twin(_ abstract: String) -> String {
      "TY  - JOUR\nTI  - Same thing\nAU  - Doe, Jane\nPY  - 2010\nAB  - \(abstract)\nER  - \n"
    }
    // "two" before "one" in the input; the order puts "one" first.
    let text = Self.record(1) + twin("two") + twin("one") + twin("one") + Self.record(2) + twin("one")
    let whole = try RISReader().read(Array(text.utf8), options: Self.options)
    #expect(whole.papers[1].citationKey?.hasSuffix("d") == true)
    try expectBatchesAgree(with: whole, sizes: [1, 100, 10_000]) { Self.readerBatches(Array(text.utf8), batchBytes: $0) }
  }

  @Test func noRecords() throws {
    let text = String(repeating: "no records here\n", count: 50)
    let whole = try RISReader().read(Array(text.utf8), options: Self.options)
    let got = try #require(Self.batched(Array(text.utf8), batchBytes: 100))
    #expect(got.diagnostics == Self.described(whole.diagnostics))
    #expect(got.diagnostics.count == 1)
  }

  /// Every RIS corpus file, as the RIS writer writes it back (which gives every record an
  /// ID): real tags, values and lengths.
  @Test func corpusFilesWrittenBack() throws {
    var compared = 0
    for file in CSLRISCorpusTests.files("ris", "ris") {
      let bytes = Array(try Data(contentsOf: CSLRISCorpusTests.corpora.appendingPathComponent(file)))
      let papers = try RISReader().read(bytes, options: Self.options).papers
      guard !papers.isEmpty else { continue }
      let written = RISWriter().write(papers, options: WriteOptions()).bytes
      let whole = try RISReader().read(written, options: Self.options)
      let got = try #require(Self.batched(written, batchBytes: 2000), "\(file)")
      #expect(got.papers == whole.papers, "\(file)")
      #expect(got.diagnostics == Self.described(whole.diagnostics), "\(file)")
      compared += 1
    }
    if CSLRISCorpusTests.available { #expect(compared > 5) }
  }
}
