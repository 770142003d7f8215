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

