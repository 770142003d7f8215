import Testing

@testable import BibKit

/// How the CSL-JSON reader finds an item's keys: in any case, the first of a key wins, and
/// what the model has no place for (or a mapped value that does not fit) is kept by name.
@Suite struct CSLJSONReaderKeyTests {
  static func read(_ json: String) throws -> ReadResult {
    try CSLJSONReader().read(Array(json.utf8), options: ReadOptions(source: "t.json", asOf: Fixtures.asOf))
  }

  @Test func keysInAnyCaseFirstWins() throws {
    let r = try Self.read(#"[{"ID": "k1", "TYPE": "book", "Title": "First", "title": "Second", "Volume": "3", "VOLUME": "4"}]"#)
    let p = try #require(r.papers.first)
    #expect(p.citationKey == "k1")
    #expect(p.kind == .book)
    #expect(p.title?.plainText == "First")
    #expect(p.volume == "3")
    #expect(p.extraFields.isEmpty)
  }

  /// An item whose key an earlier item has (in any case, `id` or `citation-key`) gets a
  /// generated key, with a warning: BibTeX and biber would use only the first of two.
  @Test func repeatedKeysGetGeneratedKeys() throws {
    let json = """
      [{"id": "doe2001deep", "title": "First"}, 42,
       {"id": "DOE2001DEEP", "title": "Deep nets", "author": [{"family": "Doe"}], "issued": {"date-parts": [[2001]]}},
       {"citation-key": "doe2001deep", "title": "Third", "author": [{"family": "Roe"}]},
       {"id": 7, "title": "A number"}, {"id": "7", "title": "Its text"}]
      """
    let r = try Self.read(json)
    #expect(r.papers.map { $0.citationKey ?? "" } == ["doe2001deep", "doe2001deepa", "roethird", "7", "anonits"])
    #expect(r.diagnostics.filter { $0.code == "csl-json.duplicate-key" }.map(\.description) == [
      "t.json:1:1: warning: item 3: repeated key 'DOE2001DEEP' (first in item 1); it gets a generated key",
      "t.json:1:1: warning: item 4: repeated key 'doe2001deep' (first in item 1); it gets a generated key",
      "t.json:1:1: warning: item 6: repeated key '7' (first in item 5); it gets a generated key",
    ])
  }

  @Test func unmappedAndUnfitKeysAreKeptByNameSorted() throws {
    let r = try Self.read(
      #"[{"id": "k", "type": "book", "zeta": 1, "Archive": "A", "archive": "B", "author": "not a list", "#
        + #""issued": {"date-parts": [["x"]]}, "volume": "", "custom": {"note-x": "v"}}]"#)
    let p = try #require(r.papers.first)
    #expect(p.authors.isEmpty)
    #expect(p.issued == nil)
    #expect(p.volume == nil)
    // The first of `Archive`/`archive` is kept under the name it was written with; the
    // list is sorted by source and name, as the writer gives it back.
    #expect(
      p.extraFields == [
        ExtraField(source: "csl-json", name: "Archive", value: #""A""#),
        ExtraField(source: "csl-json", name: "author", value: #""not a list""#),
        ExtraField(source: "csl-json", name: "issued", value: #"{"date-parts":[["x"]]}"#),
        ExtraField(source: "csl-json", name: "note-x", value: #""v""#),
        ExtraField(source: "csl-json", name: "volume", value: #""""#),
        ExtraField(source: "csl-json", name: "zeta", value: "1"),
      ])
  }

  /// Keys kept as they came whose names BibKit's own `custom` members use (`code`,
  /// `arxiv-primary-category`) or that look like another format's field (`bibtex-note`) are
  /// written as `custom` members `csl-json-<key>`, and read back as the same kept keys; they
  /// used to come back as model facts (code links, an arXiv category) or foreign fields.
  @Test func keptKeysWithBibKitsCustomNamesComeBackAsKept() throws {
    let json =
      #"[{"id": "a", "type": "article", "arxiv-primary-category": "", "note": "", "code": "x y", "#
      + #""Kind": "book", "urls": ["u"], "bibtex-note": "n", "ris-N1": "r", "csl-json-k": 2, "plain": true}]"#
    let r = try Self.read(json)
    let p = try #require(r.papers.first)
    #expect(p.codeLinks.isEmpty)
    #expect(p.identifiers.arxiv == nil)
    #expect(p.kind == .article)
    #expect(p.extraFields.allSatisfy { $0.source == "csl-json" })
    let written = CSLJSONWriter().write(r.papers, options: WriteOptions()).bytes
    let text = String(decoding: written, as: UTF8.self)
    for name in ["csl-json-code", "csl-json-arxiv-primary-category", "csl-json-urls", "csl-json-bibtex-note", "csl-json-ris-N1", "csl-json-csl-json-k"] {
      #expect(text.contains("\"\(name)\": "), "\(name)")
    }
    // Names no reader takes for anything else keep their own name.
    #expect(text.contains(#""plain": true"#))
    #expect(text.contains(#""Kind": "book""#))
    let again = try CSLJSONReader().read(written, options: ReadOptions(asOf: Fixtures.asOf))
    #expect(again.papers == r.papers)
    // A `csl-json-` member from elsewhere is such a key too.
    let other = try Self.read(#"[{"id": "b", "custom": {"csl-json-zeta": [1]}}]"#)
    #expect(other.papers.first?.extraFields == [ExtraField(source: "csl-json", name: "zeta", value: "[1]")])
  }

  /// A mapped variable whose value is no string or number is kept as it came, as the
  /// warning says, and written back.
  @Test func aValueThatIsNoTextIsKeptAndWrittenBack() throws {
    let json = #"[{"id": "k", "type": "book", "publisher": {"name": "P"}, "note": [1, 2], "title": "T"}]"#
    let r = try Self.read(json)
    let p = try #require(r.papers.first)
    #expect(p.publisher == nil)
    #expect(p.note == nil)
    #expect(
      p.extraFields == [
        ExtraField(source: "csl-json", name: "note", value: "[1,2]"),
        ExtraField(source: "csl-json", name: "publisher", value: #"{"name":"P"}"#),
      ])
    #expect(r.diagnostics.map(\.code) == ["csl-json.value", "csl-json.value"])
    let written = CSLJSONWriter().write(r.papers, options: WriteOptions()).bytes
    let again = try CSLJSONReader().read(written, options: ReadOptions(asOf: Fixtures.asOf))
    #expect(again.papers == r.papers)
    let text = String(decoding: written, as: UTF8.self)
    #expect(text.contains(#""publisher": {"#))
    #expect(text.contains(#""note": ["#))
  }

  @Test func keywordsSplitAtCommas() throws {
    let r = try Self.read(#"[{"id": "k", "type": "book", "keyword": "deep learning, ,optimization,é ,x,\u0301y"}]"#)
    // A comma followed by a combining mark is one character with it, not a separator.
    #expect(r.papers.first?.keywords == ["deep learning", "optimization", "é", "x,\u{301}y"])
  }
}
