import Foundation
import Testing

@_spi(Fuzzing) @testable import BibKit

/// Reading a feed in pieces gives exactly what one read from start to end gives: the same
/// entries with the same lines, the same totals, or the same error at the same place.
@Suite struct ArxivAtomChunksTests {
  static func snapshot(_ read: () throws(XMLFailure) -> ArxivAtomReader.Scan) -> String {
    FuzzChecks.arxivSnapshot(read)
  }

  static func expectSame(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    let bytes = Array(text.utf8)
    let expected = snapshot { () throws(XMLFailure) in try ArxivAtomReader.scan(bytes, url: "t.xml") }
    for n in 2...4 {
      let got = snapshot { () throws(XMLFailure) in try ArxivAtomReader.scanned(bytes, url: "t.xml", chunks: n, threshold: 0) }
      #expect(got == expected, "\(n) chunks", sourceLocation: sourceLocation)
    }
  }

  static let head = """
    <?xml version="1.0" encoding="UTF-8"?>
    <!-- a feed -->
    <feed xmlns="http://www.w3.org/2005/Atom"
          xmlns:arxiv='http://arxiv.org/schemas/atom' xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">
      <title>query</title>
      <opensearch:totalResults>7</opensearch:totalResults>

    """

  static func entry(_ k: Int, extra: String = "") -> String {
    """
      <entry>
        <id>http://arxiv.org/abs/2401.\(10000 + k)v1</id>
        <title>Paper \(k)</title>
        <published>2024-01-0\(k % 9 + 1)T00:00:00Z</published>
        <author><name>Ada Lovelace</name><arxiv:affiliation>Somewhere</arxiv:affiliation></author>
        <arxiv:primary_category term="cs.LG"/>\(extra)
      </entry>

    """
  }

  @Test func plainFeeds() {
    Self.expectSame(Self.head + (0..<20).map { Self.entry($0) }.joined() + "</feed>\n")
    // Totals after the entries, and a hollow entry, whose warning needs its line.
    Self.expectSame(
      Self.head + (0..<10).map { Self.entry($0) }.joined() + "  <entry><id></id></entry>\n"
        + (10..<20).map { Self.entry($0) }.joined()
        + "<opensearch:itemsPerPage>20</opensearch:itemsPerPage></feed>\n")
  }

  @Test func cutsThatAreNotEntriesOfTheRoot() {
    // "<entry" in a comment, in CDATA and nested in another element: every piece that
    // such a cut makes is malformed, and the feed is read again in one piece.
    let tricky = [
      "<!-- <entry> in a comment -->", "<![CDATA[ <entry> in CDATA ]]>", "<x><entry><id>n</id></entry></x>",
      "<?pi <entry ?>",
    ]
    for t in tricky {
      let body = (0..<30).map { Self.entry($0, extra: $0 % 3 == 0 ? t : "") }.joined()
      Self.expectSame(Self.head + body + "</feed>\n")
    }
  }

  @Test func errorsAreThoseOfTheWholeFeed() {
    let body = (0..<30).map { Self.entry($0) }
    var broken = body
    broken[22] = broken[22].replacingOccurrences(of: "</title>", with: "</titel>")
    Self.expectSame(Self.head + broken.joined() + "</feed>\n")
    Self.expectSame(Self.head + body.joined())  // no end tag
    Self.expectSame(Self.head + body.joined() + "</feed>\n<feed/>")  // a second root
    Self.expectSame(Self.head + body.joined().replacingOccurrences(of: "Paper 25", with: "Paper &bogus;") + "</feed>\n")
    Self.expectSame("<!DOCTYPE feed [<!ENTITY e \"x\">]>\n" + Self.head.split(separator: "\n").dropFirst().joined(separator: "\n") + body.joined() + "</feed>\n")
  }

  @Test func prefixedAndSelfClosingRoots() {
    let prefixed = """
      <a:feed xmlns:a="http://www.w3.org/2005/Atom">
      \((0..<10).map { "<a:entry><a:id>http://arxiv.org/abs/2401.0000\($0)</a:id><a:title>T</a:title></a:entry>\n" }.joined())</a:feed>
      """
    Self.expectSame(prefixed)
    Self.expectSame("<feed xmlns=\"http://www.w3.org/2005/Atom\"/>")
  }

  /// Every fixture and corpus feed.
  @Test func realFeeds() throws {
    var urls = [
      "Fixtures/arxiv/api2025.xml", "Fixtures/arxiv/legacy.xml", "Fixtures/invalid/arxiv/doctype.xml",
      "Fixtures/invalid/arxiv/error-feed.xml", "Fixtures/invalid/arxiv/truncated.xml", "seeds/martin-jaggi-arxiv.xml",
    ].map { Fixtures.root.appendingPathComponent($0) }
    urls += ArxivCorpusTests.files().map { ArxivCorpusTests.root.appendingPathComponent($0) }
    var cut = 0
    for url in urls {
      let bytes = Array(try Data(contentsOf: url))
      let expected = Self.snapshot { () throws(XMLFailure) in try ArxivAtomReader.scan(bytes, url: "t.xml") }
      for n in 2...3 {
        let got = Self.snapshot { () throws(XMLFailure) in try ArxivAtomReader.scanned(bytes, url: "t.xml", chunks: n, threshold: 0) }
        #expect(got == expected, "\(url.lastPathComponent), \(n) chunks")
      }
      if ArxivAtomReader.ChunkPlan(bytes, chunks: 2) != nil { cut += 1 }
    }
    #expect(cut > 5)
  }
}
