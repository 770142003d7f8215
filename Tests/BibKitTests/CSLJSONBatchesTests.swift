import Foundation
import Testing

@testable import BibKit

/// Reading CSL-JSON a batch at a time gives what reading it whole gives; the check that
/// comes first accepts exactly the documents the parser accepts.
@Suite struct CSLJSONBatchesTests {
  static let options = ReadOptions(source: "t.json", asOf: Fixtures.asOf)

  static func described(_ d: [Diagnostic]) -> [String] { d.map { "\($0.code) \($0)" } }

  static func batched(_ bytes: [UInt8], batchBytes: Int) -> (papers: [Paper], diagnostics: [String], batches: Int)? {
    guard var b = CSLJSONReader.Batches(bytes, options: options, threshold: 0, batchBytes: batchBytes) else { return nil }
    var papers: [Paper] = []
    var count = 0
    while let batch = b.next() {
      papers += batch
      count += 1
    }
    #expect(b.next() == nil)
    return (papers, described(b.diagnostics), count)
  }

  static func expectSame(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    try expectSame(Array(text.utf8), sourceLocation: sourceLocation)
  }

  static func expectSame(_ bytes: [UInt8], sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let whole = try CSLJSONReader().read(bytes, options: options)
    for size in [1, 100, 5000] {
      let got = try #require(batched(bytes, batchBytes: size), sourceLocation: sourceLocation)
      #expect(got.papers == whole.papers, "batches of \(size)", sourceLocation: sourceLocation)
      #expect(got.diagnostics == described(whole.diagnostics), "batches of \(size)", sourceLocation: sourceLocation)
      if size == 1, whole.papers.count > 3 { #expect(got.batches > 3, sourceLocation: sourceLocation) }
    }
  }

  static func item(_ i: Int, _ extra: String = "") -> String {
    "{\"id\": \"k\(i)\", \"type\": \"article-journal\", \"title\": \"Title \(i)\", \"author\": [{\"family\": \"Doe\", \"given\": \"J\"}], \"issued\": {\"date-parts\": [[20\(10 + i % 10)]]}\(extra)}"
  }

  @Test func itemsWithKeys() throws {
    try Self.expectSame("[" + (0..<30).map { Self.item($0) }.joined(separator: ",\n") + "]")
  }

  @Test func oddButKeyedItems() throws {
    var items = (0..<10).map { Self.item($0, ", \"custom\": {\"x\": [1, {\"y\": null}]}, \"note\": \"a\\\"b\\u00e9\\ud83d\\ude00\"") }
    items.append("42")  // not an object: skipped with a warning
    items.append("{\"ID\": 7, \"id\": \"\", \"title\": \"number id, upper-case key first\"}")
    items.append("{\"id\": \"\", \"Citation-Key\": \"ck\", \"type\": \"not-a-type\"}")
    items.append("{\"citation-key\": \"only\", \"author\": \"not an array\"}")
    items.append("[\"an array item\"]")
    try Self.expectSame("\u{FEFF} [ " + items.joined(separator: " ,\r\n\t") + " ] \n")
    try Self.expectSame("[]")
  }

  @Test func keyedWhenEveryItemHasAKeyAndReadWholeUnlessTheDocumentParses() {
    func made(_ s: String) -> CSLJSONReader.Batches? { CSLJSONReader.Batches(Array(s.utf8), options: Self.options, threshold: 0, batchBytes: 10) }
    func batches(_ s: String) -> Bool { made(s)?.everyItemHasAKey ?? false }
    // Items without keys: batches all the same, whose keys are filled in.
    for s in ["[" + Self.item(1) + ", {\"title\": \"no id\"}]", "[{\"id\": null}]", "[{}]"] { #expect(made(s) != nil) }
    #expect(batches("[" + Self.item(1) + "]"))
    #expect(!batches("[" + Self.item(1) + ", {\"title\": \"no id\"}]"))
    #expect(!batches("[{\"id\": \"\"}]"))
    #expect(!batches("[{\"id\": null}]"))
    #expect(!batches("[{\"id\": \"a\", \"id\": \"b\"}, {\"ID\": \"\", \"id\": \"c\"}]"))  // the first ID is empty
    #expect(!batches("[{}]"))
    // Keys in any case, as the reader lowercases them: escaped, and beyond ASCII.
    #expect(batches(#"[{"\u0069D": "a"}, {"Citation-Key": "b"}]"#))
    #expect(batches("[{\"CITATION-\u{212A}EY\": \"a\"}]"))  // the Kelvin sign lowercases to k
    #expect(!batches("[{\"\u{130}D\": \"a\"}]"))  // İ lowercases to i and a combining dot
    #expect(!batches(#"[{"idx": "a"}, {"i": "b"}]"#))
    // A key an item before has, in any case: that item's key is generated.
    #expect(!batches(#"[{"id": "a"}, {"id": "b"}, {"citation-key": "A"}]"#))
    #expect(!batches(#"[{"id": 7}, {"id": "7"}]"#))
    #expect(batches(#"[{"id": "a"}, 7, "a", {"id": "b"}]"#))
    // Not an array, or not JSON: read whole.
    #expect(made(Self.item(1)) == nil)  // one item, not an array
    #expect(made("[" + Self.item(1) + "] x") == nil)
    #expect(made("[" + Self.item(1) + ", ]") == nil)
    #expect(made("[" + Self.item(1)) == nil)
    #expect(made("[{\"id\": \"a\", \"t\": \"\\x\"}]") == nil)
    #expect(made("[{\"title\": \"no id\"}, {\"t\": \"\\x\"}]") == nil)
    var strict = Self.options
    strict.strict = true
    #expect(CSLJSONReader.Batches(Array(("[" + Self.item(1) + "]").utf8), options: strict, threshold: 0, batchBytes: 10) == nil)
  }

  /// The reader's batches for `bytes` in batches of `batchBytes`: nil when it reads them whole.
  static func readerBatches(_ bytes: [UInt8], batchBytes: Int) -> (any PaperBatches)? {
    var reader = CSLJSONReader()
    (reader.batchThreshold, reader.batchBytes) = (0, batchBytes)
    return reader.batches(bytes, options: options)
  }

  static func keyless(_ title: String, year: Int, _ extra: String = "") -> String {
    "{\"type\": \"article-journal\", \"title\": \"\(title)\", \"author\": [{\"family\": \"Doe\", \"given\": \"J\"}], \"issued\": {\"date-parts\": [[\(year)]]}\(extra)}"
  }

  /// Items without keys get, batch by batch, the keys a whole read gives them: keys that
  /// avoid those other items have, and suffixes in order of date and title across batches.
  @Test func itemsWithoutKeysGetTheWholeReadsKeys() throws {
    var items = (0..<24).map { i in
      i % 3 == 0 ? Self.item(i) : Self.keyless("Title \(String(UnicodeScalar(UInt8(90 - i))))", year: 2010 + i % 2)
    }
    items.insert("42", at: 5)  // not an object: skipped with a warning
    let base = CitationKeys.baseKey(for: try CSLJSONReader().read(Array(("[" + items.joined(separator: ",") + "]").utf8), options: Self.options).papers[1])
    // Items with keys that generated keys would otherwise be: the first suffixed key of the
    // group, and the base key of an item alone in its group.
    items.append("{\"id\": \"\(base)a\", \"title\": \"Taken\"}")
    items.append("{\"citation-key\": \"roe1999alone\", \"title\": \"Taken too\"}")
    items.append("{\"title\": \"Alone\", \"author\": [{\"family\": \"Roe\"}], \"issued\": {\"date-parts\": [[1999]]}}")
    let bytes = Array(("[" + items.joined(separator: ",\n") + "]").utf8)
    let whole = try CSLJSONReader().read(bytes, options: Self.options)
    expectFilledKeys(whole, base: base, lastIsNot: "roe1999alone")
    try expectBatchesAgree(with: whole, sizes: [1, 150, 1000, 100_000]) { Self.readerBatches(bytes, batchBytes: $0) }
  }

  /// Items without keys that only the rest of the item orders (same first author, date
  /// and title), and items alike in all of it: the whole read's keys too.
  @Test func itemsOnlyTheRestOrders() throws {
    func twin(_ abstract: String) -> String { Self.keyless("Same thing", year: 2010, ", \"abstract\": \"\(abstract)\"") }
    // "two" before "one" in the input; the order puts "one" first.
    let text = "[" + [Self.item(1), twin("two"), twin("one"), twin("one"), Self.item(2), twin("one")].joined(separator: ",") + "]"
    let whole = try CSLJSONReader().read(Array(text.utf8), options: Self.options)
    #expect(whole.papers[1].citationKey?.hasSuffix("d") == true)
    try expectBatchesAgree(with: whole, sizes: [1, 100, 10_000]) { Self.readerBatches(Array(text.utf8), batchBytes: $0) }
  }

  /// Items whose keys repeat an earlier item's, in other batches too: the whole read's
  /// papers, keys and warnings.
  @Test func repeatedKeysAcrossBatches() throws {
    let items = (0..<30).map { i in
      i % 4 == 3 ? Self.item(i).replacingOccurrences(of: "\"id\": \"k\(i)\"", with: "\"id\": \"K\(i % 7)\"") : Self.item(i)
    }
    let bytes = Array(("[" + items.joined(separator: ",\n") + "]").utf8)
    let whole = try CSLJSONReader().read(bytes, options: Self.options)
    #expect(whole.diagnostics.filter { $0.code == "csl-json.duplicate-key" }.count > 3)
    #expect(Set(whole.papers.map { $0.citationKey?.lowercased() ?? "" }).count == 30)
    try expectBatchesAgree(with: whole, sizes: [1, 150, 1000, 100_000]) { Self.readerBatches(bytes, batchBytes: $0) }
  }

  /// The check and the parser agree on every prefix and every one-byte change of real
  /// documents: the same verdict, and the same end.
  @Test func checkAgreesWithTheParser() throws {
    var docs = ["[1, -2.5e+3, true, false, null, \"s\\n\\u0041\\uD800\\uDC00\\uD800x\", {\"a\": [{}], \"b\": []}]"]
    for file in CSLRISCorpusTests.files("csl-json", "json").prefix(8) {
      let text = try String(decoding: Data(contentsOf: CSLRISCorpusTests.corpora.appendingPathComponent(file)), as: UTF8.self)
      docs.append(String(text.prefix(3000)))
    }
    var rng = XorShift64(state: 88172645463325252)
    let alphabet = Array("{}[]\",:\\u0123456789abcdefnrtlse+-. \n\u{1}".utf8)
    var disagreements: [String] = []
    var checked = 0
    for doc in docs {
      for v in variants(of: Array(doc.utf8), alphabet: alphabet, rng: &rng) {
        var parser = JSONParser(v, maxDepth: 8)
        var checker = JSONParser(v, maxDepth: 8)
        parser.skipSpace()
        checker.skipSpace()
        let parsed = (try? parser.value(depth: 0)) != nil
        let ok = checker.skipValue(depth: 0)
        if parsed != ok || (ok && parser.i != checker.i) { disagreements.append(String(decoding: v, as: UTF8.self)) }
        checked += 1
      }
    }
    #expect(disagreements.isEmpty, "\(disagreements.prefix(3))")
    #expect(checked > 1000)
  }

  /// Every CSL-JSON corpus file, as the CSL-JSON writer writes it back (every item then has
  /// an id).
  @Test func corpusFilesWrittenBack() throws {
    var compared = 0
    for file in CSLRISCorpusTests.files("csl-json", "json") {
      let bytes = Array(try Data(contentsOf: CSLRISCorpusTests.corpora.appendingPathComponent(file)))
      let papers = try CSLJSONReader().read(bytes, options: Self.options).papers
      guard !papers.isEmpty else { continue }
      let written = CSLJSONWriter().write(papers, options: WriteOptions()).bytes
      let whole = try CSLJSONReader().read(written, options: Self.options)
      let got = try #require(Self.batched(written, batchBytes: 3000), "\(file)")
      #expect(got.papers == whole.papers, "\(file)")
      #expect(got.diagnostics == Self.described(whole.diagnostics), "\(file)")
      compared += 1
    }
    if CSLRISCorpusTests.available { #expect(compared > 5) }
  }
}
