import Foundation
import Testing

@_spi(Fuzzing) @testable import BibKit

/// The byte-level reading of the keys-only pass against libxml2's: where it reads a
/// document at all, it gives the same entries (with their lines), totals and flags.
@Suite struct XMLQuickScanTests {
  static func libxml2(_ bytes: [UInt8]) -> String {
    FuzzChecks.arxivSnapshot { () throws(XMLFailure) in try ArxivAtomReader.scan(bytes, url: "t.xml", keysOnly: true) }
  }

  static func quick(_ bytes: [UInt8]) -> String? {
    ArxivAtomReader.quickKeyScan(bytes).map { s in FuzzChecks.arxivSnapshot { () throws(XMLFailure) in s } }
  }

  /// The quick reading takes `text` and agrees with libxml2.
  static func expectRead(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    expectRead(Array(text.utf8), sourceLocation: sourceLocation)
  }

  static func expectRead(_ bytes: [UInt8], sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    let got = quick(bytes)
    #expect(got != nil, "the quick reading gave up", sourceLocation: sourceLocation)
    #expect(got == libxml2(bytes), sourceLocation: sourceLocation)
  }

  /// The quick reading gives up on `text`.
  static func expectGivesUp(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    #expect(quick(Array(text.utf8)) == nil, sourceLocation: sourceLocation)
  }

  static let head = ArxivAtomChunksTests.head

  static func feed(_ body: String) -> String { head + body + "</feed>\n" }

  static let rounds = 3000

  static let richFeed = Self.feed(
        """
          <entry>
            <id>http://arxiv.org/abs/2401.00001v2</id>
            <title>Fast &amp; Slow: &lt;b&gt; &quot;x&quot; &apos;y&apos; &#233;t&#xE9; &#x1F600;
              Gr<!-- a comment -->öbner — basis ] ]> 2&gt;1</title >
            <published>2024-01-02T00:00:00Z</published>
            <updated>2024-02-03T00:00:00Z</updated>
            <author><name>  Zoë   O&apos;Neil </name></author>
            <author><name>B. Second</name></author>
            <link href='https://arxiv.org/abs/2401.00001v2?a=1&amp;b=2' rel="alternate" title="a > b"/>
            <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
          </entry>\r
          <entry>\r
            <id>http://arxiv.org/abs/2401.00002v1</id>\r
            <title>Second\r
              line</title>\r
            <author><name></name></author><author><name>Named Later</name></author>\r
          </entry>

        """)

  static let prefixedFeed = """
      <?xml version='1.0' encoding='utf-8' standalone='yes'?>
      <a:feed xmlns:a="http://www.w3.org/2005/Atom" xmlns:o="http://a9.com/-/spec/opensearch/1.1/">
        <o:totalResults>3</o:totalResults>
        <a:entry xml:lang="en">
          <a:id>http://arxiv.org/abs/2401.00003v1</a:id>
          <a:title>Prefixed</a:title>
          <a:author><a:name>P. Author</a:name></a:author>
        </a:entry>
        <entry xmlns="http://www.w3.org/2005/Atom">
          <id>http://arxiv.org/abs/2401.00004v1</id>
          <title>Default</title>
          <other xmlns=""><title>not Atom</title></other>
        </entry>
        <entry xmlns="http://www.w3.org/2005/Atom">
          <id>http://arxiv.org/abs/2401.00005v1</id>
          <title>The Atom title</title>
          <title xmlns="">not the Atom title: the name is the same, the namespace not</title>
        </entry>
        <entry><id>no namespace</id><title>not an entry</title></entry>
        <entry xmlns="http://www.w3.org/2005/Atom"><id>http://arxiv.org/abs/2401.00006v1</id><title>Last</title></entry>
        <entry><id>no namespace again</id><title>the default namespace ended with the entry before</title></entry>
      </a:feed>
      """

  @Test func plainFeedsAgree() {
    Self.expectRead(Self.feed((0..<12).map { ArxivAtomChunksTests.entry($0) }.joined()))
    // A feed with no declaration, entries only.
    Self.expectRead(
      "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:arxiv=\"http://arxiv.org/schemas/atom\">"
        + ArxivAtomChunksTests.entry(3) + "</feed>")
  }

  @Test func textAsLibxml2GivesIt() {
    // References, numeric ones in both bases, text split around comments, multi-byte
    // characters, white space runs, CRLF line ends, an empty element, single quotes,
    // `>` in text and in attribute values, white space in end tags.
    Self.expectRead(Self.richFeed)
  }

  @Test func namespacesAsLibxml2ResolvesThem() {
    // Prefixed Atom elements, a default namespace changed inside the feed, an element in no
    // namespace, `xml:lang`.
    Self.expectRead(Self.prefixedFeed)
  }

  @Test func givesUpOutsideWhatItChecks() {
    let entry = ArxivAtomChunksTests.entry(1)
    for bad in [
      "<!DOCTYPE feed>" + Self.feed(entry),
      Self.feed(entry.replacingOccurrences(of: "Paper 1", with: "<![CDATA[Paper]]> 1")),
      Self.feed(entry.replacingOccurrences(of: "Paper 1", with: "Paper &nbsp; 1")),
      Self.feed(entry.replacingOccurrences(of: "Paper 1", with: "Paper &#0; 1")),
      Self.feed(entry.replacingOccurrences(of: "Paper 1", with: "Paper &#xFFFE; 1")),
      Self.feed(entry.replacingOccurrences(of: "Paper 1", with: "Paper & 1")),
      Self.feed(entry.replacingOccurrences(of: "Paper 1", with: "Paper ]]> 1")),
      Self.feed(entry.replacingOccurrences(of: "Paper 1", with: "Paper \u{1} 1")),
      Self.feed(entry.replacingOccurrences(of: "Paper 1", with: "Paper <!-- a -- b --> 1")),
      Self.feed(entry.replacingOccurrences(of: "Paper 1", with: "Paper <?pi x?> 1")),
      Self.feed(entry.replacingOccurrences(of: "</title>", with: "</titel>")),
      Self.feed(entry.replacingOccurrences(of: "<title>", with: "<x:title>")),
      Self.feed(entry.replacingOccurrences(of: "<arxiv:primary_category term=\"cs.LG\"/>", with: "<x a='1' a='2'/>")),
      Self.feed(entry.replacingOccurrences(of: "<arxiv:primary_category term=\"cs.LG\"/>", with: "<x a='1<'/>")),
      Self.feed(entry.replacingOccurrences(of: "<arxiv:primary_category term=\"cs.LG\"/>", with: "<x a=1/>")),
      Self.feed(entry.replacingOccurrences(of: "<arxiv:primary_category term=\"cs.LG\"/>", with: "<x a='1'b='2'/>")),
      Self.feed(entry.replacingOccurrences(of: "<arxiv:primary_category term=\"cs.LG\"/>", with: "<é/>")),
      Self.feed(entry) + "text after the root",
      Self.feed(entry).replacingOccurrences(of: "</feed>", with: ""),
      Self.feed(entry).replacingOccurrences(of: "encoding=\"UTF-8\"", with: "encoding=\"ISO-8859-1\""),
      Self.feed(entry).replacingOccurrences(of: "version=\"1.0\"", with: "version=\"1.1\""),
      "\u{FEFF}" + Self.feed(entry),
      "<?xml-stylesheet href='a'?>" + Self.feed(entry),
      String(repeating: "<x>", count: 201) + String(repeating: "</x>", count: 201),
    ] {
      Self.expectGivesUp(bad)
    }
    // Invalid UTF-8, and a surrogate's bytes.
    for bytes: [UInt8] in [[0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80]] {
      var feed = Array(Self.feed(entry).utf8)
      let at = feed.firstIndex(of: UInt8(ascii: "P"))!
      feed.insert(contentsOf: bytes, at: at)
      #expect(Self.quick(feed) == nil)
    }
  }

  /// A handler that asks for attributes is not given the quick reading when an element has
  /// some (the full reading is libxml2's alone).
  @Test func givesUpForAHandlerThatWantsAttributes() {
    var handler = ArxivAtomReader.ScanHandler(lineShift: 0, keysOnly: false)
    let bytes = Array(Self.feed(ArxivAtomChunksTests.entry(1)).utf8)
    #expect(!bytes.withUnsafeBufferPointer { XMLQuickScan.run($0, vocabulary: ArxivAtomReader.vocabulary, into: &handler) })
  }

  /// The seed feed, and every real feed: of the kind read quickly, and read the same.
  @Test func seedFeed() throws {
    Self.expectRead(try Fixtures.bytes("seeds/martin-jaggi-arxiv.xml"))
  }

  @Test(.enabled(if: ArxivCorpusTests.available), arguments: ArxivCorpusTests.files())
  func corpusFeedsAgree(file: String) throws {
    Self.expectRead(Array(try Data(contentsOf: ArxivCorpusTests.root.appendingPathComponent(file))))
  }

  /// Random cuts and byte changes of a feed: where the quick reading takes the result, it
  /// is libxml2's.
  @Test func mutatedFeedsAgree() {
    var rng = XorShift64(state: 0x9E37_79B9_7F4A_7C15)
    let bases = [
      Array(Self.feed((0..<4).map { ArxivAtomChunksTests.entry($0) }.joined()).utf8),
      Array(Self.richFeed.utf8), Array(Self.prefixedFeed.utf8),
    ]
    let alphabet = Array("<>&;#x/!-?=\"' \n\r\tab:é]".utf8)
    var taken = 0
    for round in 0..<Self.rounds {
      let base = bases[round % bases.count]
      var b = base
      for _ in 0..<(1 + Int(rng.next() % 3)) {
        let at = Int(rng.next() % UInt64(b.count))
        switch rng.next() % 3 {
        case 0: b[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
        case 1: b.remove(at: at)
        default: b.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
        }
      }
      guard let got = Self.quick(b) else { continue }
      taken += 1
      let want = Self.libxml2(b)
      guard got != want else { continue }
      let d = zip(b, base).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? 0
      let near = String(decoding: b[max(0, d - 40)..<min(b.count, d + 40)], as: UTF8.self)
      Issue.record("the quick reading differs from libxml2's after a change near \(near.debugDescription): \(want.prefix(200))")
    }
    // Most single changes in text leave a document that is still read quickly.
    #expect(taken > Self.rounds / 6)
  }
}
