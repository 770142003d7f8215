import Foundation
import Testing

@_spi(Fuzzing) @testable import BibKit

/// Reading a feed a batch at a time gives the papers of one whole read, with the keys a
/// writer gives them, and the same diagnostics and totals; feeds it cannot read that way are
/// left to the whole read.
@Suite struct ArxivAtomBatchesTests {
  static let options = ReadOptions(source: "t.xml", asOf: PartialDate(year: 2026, month: 11, day: 28))
  static let head = ArxivAtomChunksTests.head

  static func entry(_ id: String, title: String, date: String, author: String = "Ada Lovelace") -> String {
    """
      <entry>
        <id>http://arxiv.org/abs/\(id)v2</id>
        <title>\(title)</title>
        <published>\(date)T00:00:00Z</published>
        <summary>About \(title), \(id).</summary>
        <author><name>\(author)</name></author>
      </entry>

    """
  }

  /// Every paper collides on `lovelace2024paper`; dates, titles and identifiers take turns
  /// deciding the order, and entries in later pieces sort before earlier ones.
  static func collidingFeed(_ n: Int) -> String {
    let body = (0..<n).map { k in
      entry(
        "2401.\(20000 - k)", title: "Paper \(k % 4)", date: "2024-0\(k % 3 + 1)-01",
        author: k % 5 == 0 ? "B. Babbage" : "Ada Lovelace")
    }
    return head + body.joined() + "</feed>\n"
  }

  static func batched(_ text: String, pieceBytes: Int, cores: Int = 2) -> (papers: [Paper], batches: Int, b: ArxivAtomReader.Batches)? {
    guard var b = ArxivAtomReader.Batches(Array(text.utf8), options: options, threshold: 0, pieceBytes: pieceBytes, cores: cores)
    else { return nil }
    var papers: [Paper] = []
    var batches = 0
    while let batch = b.next() {
      papers += batch
      batches += 1
    }
    return (papers, batches, b)
  }

  @Test func keysAreThoseOfTheWholeFeed() throws {
    let text = Self.collidingFeed(60)
    let whole = try ArxivAtomReader().read(Array(text.utf8), options: Self.options)
    let keys = CitationKeys.assign(whole.papers)
    #expect(Set(keys).count == 60)
    let got = try #require(Self.batched(text, pieceBytes: 400))
    #expect(got.batches > 5)
    #expect(got.papers.map(\.citationKey) == keys)
    var expected = whole.papers
    for i in expected.indices { expected[i].citationKey = keys[i] }
    #expect(got.papers == expected)
    #expect(got.b.metadata == whole.metadata)
    #expect(FuzzChecks.arxivBatchesAgree(Array(text.utf8)))
  }

  @Test func sameDateAndTitleAreOrderedByIdentifier() throws {
    // The later piece holds the smaller identifier: it gets the first suffix.
    let text =
      Self.head + Self.entry("2401.00009", title: "Paper", date: "2024-01-01")
      + Self.entry("2401.00005", title: "Other", date: "2024-01-01", author: "C. Curie")
      + Self.entry("2401.00001", title: "Paper", date: "2024-01-01") + "</feed>\n"
    let got = try #require(Self.batched(text, pieceBytes: 300))
    #expect(got.batches >= 2)
    #expect(got.papers.map(\.citationKey) == ["lovelace2024paperb", "curie2024other", "lovelace2024papera"])
  }

  @Test func diagnosticsComeInOrderWithTheirLines() throws {
    var body = (0..<20).map { Self.entry("2401.\(10000 + $0)", title: "Paper \($0)", date: "2024-01-02") }
    body[3] = "  <entry><id></id><title>hollow</title></entry>\n"
    body[14] =
      "  <entry><id>http://arxiv.org/api/errors#x</id><title>Error</title><summary>bad query</summary></entry>\n"
    let text = Self.head + body.joined() + "<opensearch:itemsPerPage>20</opensearch:itemsPerPage></feed>\n"
    let whole = try ArxivAtomReader().read(Array(text.utf8), options: Self.options)
    #expect(whole.diagnostics.map(\.code) == ["arxiv.hollow-entry", "arxiv.api-error"])
    let got = try #require(Self.batched(text, pieceBytes: 250, cores: 3))
    #expect(got.b.diagnostics == whole.diagnostics)
    #expect(got.papers.count == 18)
    #expect(got.b.metadata?.metrics.map(\.name) == ["totalResults", "itemsPerPage"])
    #expect(FuzzChecks.arxivBatchesAgree(Array(text.utf8)))
  }

  /// Pieces the byte-level reading gives up on (CDATA, a processing instruction) are read by
  /// libxml2 in the first pass, beside pieces it reads; the keys are still those of the whole.
  @Test func piecesLeftToLibxml2() throws {
    var body = (0..<30).map { Self.entry("2401.\(10000 + $0)", title: "Paper \($0 % 3)", date: "2024-01-0\($0 % 5 + 1)") }
    body[7] = body[7].replacingOccurrences(of: "<title>Paper 1</title>", with: "<title><![CDATA[Paper]]> 1</title>")
    body[19] = body[19].replacingOccurrences(of: "<summary>", with: "<?note here?><summary>")
    let text = Self.head + body.joined() + "</feed>\n"
    let bytes = Array(text.utf8)
    let plan = try #require(ArxivAtomReader.ChunkPlan(bytes, chunks: bytes.count / 400))
    let quick = (0..<plan.count).map { ArxivAtomReader.quickKeyScan(plan.document($0, of: bytes).0) != nil }
    #expect(quick.contains(true) && quick.contains(false))
    let whole = try ArxivAtomReader().read(bytes, options: Self.options)
    let keys = CitationKeys.assign(whole.papers)
    let got = try #require(Self.batched(text, pieceBytes: 400))
    #expect(got.papers.map(\.citationKey) == keys)
    #expect(FuzzChecks.arxivBatchesAgree(bytes))
  }

  @Test func feedsReadWhole() {
    let plain = Self.collidingFeed(30)
    #expect(Self.batched(plain, pieceBytes: 300) != nil)
    // Two papers equal in date, title and identifier: only the rest of the record orders them.
    let tied = Self.head + Self.entry("2401.00001", title: "Paper", date: "2024-01-01")
      + (0..<10).map { Self.entry("2402.\(10000 + $0)", title: "More \($0)", date: "2024-02-01") }.joined()
      + Self.entry("2401.00001", title: "Paper", date: "2024-01-01").replacingOccurrences(of: "About", with: "Again")
      + "</feed>\n"
    #expect(Self.batched(tied, pieceBytes: 300) == nil)
    #expect(FuzzChecks.arxivBatchesAgree(Array(tied.utf8)))
    // A malformed piece, a strict read, a small feed.
    #expect(Self.batched(plain.replacingOccurrences(of: "Paper 2</title>", with: "Paper 2</titel>"), pieceBytes: 300) == nil)
    var strict = Self.options
    strict.strict = true
    #expect(ArxivAtomReader.Batches(Array(plain.utf8), options: strict, threshold: 0, pieceBytes: 300) == nil)
    #expect(ArxivAtomReader().batches(Array(plain.utf8), options: Self.options) == nil)
  }
}


/// The key facts the first pass takes from an entry are those of the paper the full mapping
/// makes of it: its base key, date, plain title and arXiv id. Over the seed, every corpus
/// feed and entries made to differ in each fact (collaborations, an empty first author,
/// inline math, no dates, old-style ids), for both date choices.
@Suite struct ArxivKeyFactsTests {
  static func entries(_ bytes: [UInt8]) throws -> [ArxivAtomReader.Entry] {
    try ArxivAtomReader.scan(bytes, url: "t.xml").pending.filter { ArxivAtomReader.role(of: $0) == .paper }
  }

  static func expectAgree(_ entries: [ArxivAtomReader.Entry], sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    for choice in ArxivDateChoice.allCases {
      let options = ReadOptions(source: "t.xml", asOf: Fixtures.asOf, arxivDate: choice)
      for e in entries {
        let p = ArxivAtomReader.paper(from: e, rawID: e.id ?? "", title: e.title ?? "", options: options)
        let want = CitationKeys.SortKey(p)
        let (base, sort) = ArxivAtomReader.keyFacts(e, options: options)
        #expect(base == CitationKeys.baseKey(for: p), "\(e.id ?? "")", sourceLocation: sourceLocation)
        #expect(sort.date == want.date && sort.title == want.title && sort.arxiv == want.arxiv, "\(e.id ?? "")", sourceLocation: sourceLocation)
      }
    }
  }

  @Test func madeEntries() throws {
    let feed = ArxivAtomChunksTests.head + """
        <entry><id>http://arxiv.org/abs/hep-th/9901001v3</id><title>The $\\mathcal{N}=4$ theory of everything</title>
          <published>1999-01-01T00:00:00Z</published><updated>2001-05-06T00:00:00Z</updated>
          <author><name>ATLAS Collaboration</name></author><author><name>Ada Lovelace</name></author></entry>
        <entry><id>2401.00002</id><title>A an the: on stop words</title>
          <author><name></name></author><author><name>Émile Zola</name></author></entry>
        <entry><id>arXiv:2401.00003v1</id><title>  Spaced   out  </title><updated>2024-02-02T00:00:00Z</updated></entry>
        <entry><id>https://arxiv.org/abs/2401.00004v12</id><title>Ünïcödé Títlé</title>
          <published>2024</published><author><name>de la Fontaine, Jean</name></author></entry>
      </feed>
      """
    let entries = try Self.entries(Array(feed.utf8))
    #expect(entries.count == 4)
    Self.expectAgree(entries)
  }

  @Test func seedFeed() throws {
    Self.expectAgree(try Self.entries(try Fixtures.bytes("seeds/martin-jaggi-arxiv.xml")))
  }

  @Test(.enabled(if: ArxivCorpusTests.available), arguments: ArxivCorpusTests.files())
  func corpusFeeds(file: String) throws {
    Self.expectAgree(try Self.entries(Array(try Data(contentsOf: ArxivCorpusTests.root.appendingPathComponent(file)))))
  }
}
