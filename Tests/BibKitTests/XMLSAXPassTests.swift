import Foundation
import Testing

@testable import BibKit

/// The SAX pass must hand a handler what libxml2's text reader (the reference reading)
/// does, for every document the pass reads to the end, and give up on every document the
/// text reader refuses.
@Suite struct XMLSAXPassTests {
  static let vocabulary = XMLVocabulary(
    namespaces: ["http://www.w3.org/2005/Atom", "http://arxiv.org/schemas/atom", "urn:x"],
    names: ["feed", "entry", "id", "title", "name", "author", "link", "b"])

  /// Every event as text, with the text between two element events joined (handlers join
  /// it; where it is cut is not part of the contract). The line is the start tag's; other
  /// events' lines are the parser's position, which the two readings need not share.
  struct Recorder: XMLEventHandler {
    var events: [String] = []
    var text: [UInt8] = []
    mutating func handle(_ event: XMLEvent, line: Int) throws(XMLFailure) {
      if case .text(let t) = event {
        text.append(contentsOf: t)
        return
      }
      if !text.isEmpty {
        events.append("text \(String(decoding: text, as: UTF8.self).debugDescription)")
        text = []
      }
      switch event {
      case .start(let n, let attributes):
        let a = attributes.map { "\($0.name)=\($0.value)" }.joined(separator: "|")
        events.append("start \(n.namespace):\(n.name) line \(line) [\(a)]")
      case .end(let n): events.append("end \(n.namespace):\(n.name)")
      case .text: break
      }
    }
  }

  /// The reference events, or nil when the text reader refuses the document.
  static func reference(_ bytes: [UInt8]) -> [String]? {
    var r = Recorder()
    do throws(XMLFailure) {
      try XMLStreamReader.readWithTextReader(bytes, url: "t.xml", vocabulary: vocabulary, into: &r)
    } catch {
      return nil
    }
    return r.events
  }

  /// The SAX pass's events, or nil when it gave up.
  static func sax(_ bytes: [UInt8]) -> [String]? {
    var r = Recorder()
    return SAXPass.run(bytes, vocabulary: vocabulary, into: &r) ? r.events : nil
  }

  static func agree(_ text: String, saxReads: Bool? = nil, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    let bytes = Array(text.utf8)
    let (expected, got) = (reference(bytes), sax(bytes))
    if let got {
      #expect(got == expected, "\(text)", sourceLocation: sourceLocation)
    } else {
      // Giving up is always safe; where the text reader reads the document, it is a loss.
      #expect(expected == nil || saxReads == false, "SAX gave up on \(text)", sourceLocation: sourceLocation)
    }
    if let saxReads { #expect((got != nil) == saxReads, "\(text)", sourceLocation: sourceLocation) }
  }

  static let head = #"<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">"#

  @Test func textNodesAsTheTextReaderGivesThem() {
    // Blank runs between elements are text too.
    Self.agree(Self.head + "\n  <entry>\n    <title>  A  b </title>\n  </entry>\n</feed>", saxReads: true)
    // Text around comments, processing instructions and CDATA.
    Self.agree(Self.head + "<title>a<!-- c --> </title><title> <?pi x?>b</title><title>x<![CDATA[ ]]>y</title></feed>", saxReads: true)
    Self.agree(Self.head + "<title><![CDATA[  ]]></title><title><![CDATA[<i>]]></title></feed>", saxReads: true)
    // xml:space changes nothing the handler sees.
    Self.agree(
      Self.head + #"<entry xml:space="preserve"> <title> </title><id xml:space="default"> </id><b xml:space="other"> </b></entry> </feed>"#,
      saxReads: true)
    // Entities and character references in text.
    Self.agree(Self.head + "<title>R&amp;D &lt;&gt; &#38; &#x26;amp; &#233; &quot;&apos;</title></feed>", saxReads: true)
    // Carriage returns and tabs.
    Self.agree(Self.head + "<title>a\r\n\tb\r</title>\r\n</feed>", saxReads: true)
  }

  @Test func attributesAsTheTreeHoldsThem() {
    Self.agree(
      Self.head
        + #"<link href="a?x=1&amp;y=2" title='&#38;amp;' rel="a&lt;b&#x26;c" type="t&#9;a&#10;b"/><b a="x&#13;y" c="l1"#
        + "\n" + #"l2"/></feed>"#, saxReads: true)
    // Namespaced and namespace-declaring attributes.
    Self.agree(Self.head + #"<b xmlns:x="urn:x" x:term="t" term="u"><x:b x:a="1"/></b></feed>"#, saxReads: true)
  }

  @Test func namesLinesAndNesting() {
    Self.agree(
      "\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c -->\n" + Self.head
        + "\n<entry>\n<id>1</id><arxiv:b/><b></b>\n<unknown xmlns=\"urn:y\"><title>t</title></unknown>\n</entry>\n</feed>\n",
      saxReads: true)
    // A document in another encoding.
    let latin1 = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>caf".utf8)
      + [0xE9] + Array("</title></feed>".utf8)
    #expect(Self.sax(latin1) == Self.reference(latin1))
    #expect(Self.sax(latin1) != nil)
    // Lines past 65,535 (libxml2 keeps larger ones apart on the node).
    let tall = Self.head + String(repeating: "\n", count: 70_000) + "<entry><id>x</id></entry></feed>"
    Self.agree(tall, saxReads: true)
  }

  @Test func givesUpWhereTheTextReaderRefuses() {
    Self.agree(#"<!DOCTYPE feed [<!ENTITY e "x">]><feed>&e;</feed>"#, saxReads: false)
    Self.agree("<!DOCTYPE feed><feed/>", saxReads: false)
    Self.agree("<feed>&undefined;</feed>", saxReads: false)
    Self.agree("<feed><a></b></feed>", saxReads: false)
    Self.agree("<feed><x:a/></feed>", saxReads: false)
    Self.agree("<feed>", saxReads: false)
    Self.agree("", saxReads: false)
    Self.agree("<feed/><feed/>", saxReads: false)
    Self.agree(String(repeating: "<a>", count: 300) + String(repeating: "</a>", count: 300), saxReads: false)
  }

  /// Whatever the document, the public parse gives what the text reader gives: the same
  /// events, or the same failure.
  @Test func parseFallsBackToTheTextReader() {
    for text in ["<feed>&undefined;</feed>", "<!DOCTYPE feed><feed/>", "<feed><a></b></feed>", Self.head + "<id>x</id></feed>"] {
      let bytes = Array(text.utf8)
      var a = Recorder()
      var b = Recorder()
      let ra: Result<Void, XMLFailure> = Result { () throws(XMLFailure) in
        try XMLStreamReader.parse(bytes, url: "t.xml", vocabulary: Self.vocabulary, into: &a)
      }
      let rb: Result<Void, XMLFailure> = Result { () throws(XMLFailure) in
        try XMLStreamReader.readWithTextReader(bytes, url: "t.xml", vocabulary: Self.vocabulary, into: &b)
      }
      #expect(a.events == b.events, "\(text)")
      switch (ra, rb) {
      case (.success, .success): break
      case (.failure(let x), .failure(let y)):
        #expect(x.message == y.message && x.line == y.line && x.column == y.column, "\(text)")
      default: Issue.record("one reading failed, the other did not: \(text)")
      }
    }
  }

  /// Random documents from pieces that stress text nodes, attributes and errors.
  @Test func randomDocumentsAgree() {
    var g = ConformanceTests.Generator(state: 11)
    let pieces = [
      "<title>", "</title>", "<entry>", "</entry>", "<b/>", " ", "\n", "\t", "\r\n", "a", "Bc d", "&amp;", "&lt;", "&#38;",
      "&#x20;", "<!-- c -->", "<?p i?>", "<![CDATA[ ]]>", "<![CDATA[x&y]]>", #"<b xml:space="preserve">"#, "</b>", #"<id xml:space="default">"#, "</id>",
      #"<link href="h&amp;i" rel=' r '/>"#, "é", "<", "&", "]]>", "<x:b/>",
    ]
    var read = 0
    for _ in 0..<10_000 {
      let body = (0..<(1 + g.int(14))).map { _ in g.pick(pieces) }.joined()
      let text = Self.head + body + "</feed>"
      let bytes = Array(text.utf8)
      let expected = Self.reference(bytes)
      if let got = Self.sax(bytes) {
        read += 1
        #expect(got == expected, "\(text)")
      } else {
        #expect(expected == nil, "SAX gave up on \(text)")
      }
    }
    // Enough of them are well formed for the comparison to mean something.
    #expect(read > 800)
  }

  /// The real feeds: the same events.
  @Test(.enabled(if: ArxivCorpusTests.available), arguments: ArxivCorpusTests.files())
  func corpusFeedsAgree(file: String) throws {
    let bytes = Array(try Data(contentsOf: ArxivCorpusTests.root.appendingPathComponent(file)))
    let expected = Self.reference(bytes)
    let got = Self.sax(bytes)
    #expect(got == expected)
    #expect((got != nil) == (expected != nil))
  }
}
