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
