import Foundation
import Testing

@testable import BibKit

/// Parsing in chunks gives exactly what parsing from start to end gives: the same entries,
/// fields, positions, preambles, macros and diagnostics in the same order.
@Suite struct BibTeXChunksTests {
  /// Everything a parse produced, as text.
  static func snapshot(_ p: BibTeXParser) -> [String] {
    var out: [String] = []
    for e in p.entries {
      out.append("@\(e.type){\(e.key)} \(e.line):\(e.column):\(e.offset)")
      for f in e.fields { out.append("  \(f.name) = [\(f.value)] \(f.line):\(f.column) macro=\(f.macro ?? "-")") }
    }
    out += p.preambles.map { "preamble [\($0)]" }
    out += p.diagnostics.map { "\($0.code) \($0) @\($0.location?.offset ?? -1)" }
    out += p.macros.sorted { $0.key < $1.key }.map { "macro \($0.key) = [\($0.value)]" }
    return out
  }

  static func sequential(_ bytes: [UInt8]) -> [String] {
    var p = BibTeXParser(bytes: bytes, source: "t.bib")
    p.parse()
    return snapshot(p)
  }

  /// Chunked parses with 2 to 5 chunks and no size threshold agree with the sequential one.
  static func expectSame(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    let bytes = Array(text.utf8)
    let expected = sequential(bytes)
    for n in 2...5 {
      for guessing in [true, false] {
        let got = snapshot(BibTeXParser.parsed(bytes: bytes, source: "t.bib", chunks: n, threshold: 0, guessing: guessing))
        #expect(got == expected, "\(n) chunks, guessing \(guessing)", sourceLocation: sourceLocation)
      }
    }
  }

  /// Entries that each start a line, so every cut can fall between them.
  static func entries(_ n: Int, field: (Int) -> String) -> String {
    (0..<n).map { "@article{k\($0),\n  \(field($0)),\n  year = 2000\n}\n" }.joined()
  }

  @Test func macrosDefinedEarlierAreUsedLater() {
    Self.expectSame("@string{j = \"Journal\"}\n" + Self.entries(40) { "journal = j # \" \" # \($0)" })
  }

  @Test func macrosRedefinedOnTheWay() {
    var text = "@string{j = {One}}\n" + Self.entries(15) { _ in "journal = j" }
    text += "@string{j = {Two}}\n" + Self.entries(15) { _ in "journal = j" }
    text += "@STRING{jan = {Janvier}}\n" + Self.entries(15) { _ in "month = jan" }
    text += "@string{k = j # { and } # jan}\n@string{j = k}\n" + Self.entries(15) { _ in "note = k # j # undefined" }
    Self.expectSame(text)
  }

  @Test func anEntryStartSwallowedByAValue() {
    // A value that is a bare word runs on into `@article` on the next line: the parse from
    // the start never sees that entry, so a cut there must not be taken.
    let text = (0..<40).map { "@misc{a\($0), title = \n@article{x\($0), title = {y}}\n" }.joined()
    Self.expectSame(text)
    // Some cuts do fall on such an @article line.
    let bytes = Array(text.utf8)
    let swallowed = (2...5).flatMap { BibTeXParser.chunkStarts(bytes, chunks: $0, threshold: 0) }
      .filter { bytes[$0 + 1] == UInt8(ascii: "a") }
    #expect(!swallowed.isEmpty)
  }

  @Test func aStringLineInsideAValueEndsTheEntry() {
    // A line inside a value that starts with @string ends the entry (the reader resumes at
    // any `@` that starts a line), so the quick scan is right to take it.
    var text = "@string{j = {Real}}\n" + Self.entries(10) { _ in "journal = j" }
    text += "@misc{trap, note = {text\n@string{j = {Fake}}\nmore}}\n"
    text += Self.entries(30) { _ in "journal = j" }
    Self.expectSame(text)
  }

  @Test func cutsInsideValuesAndBrokenEntries() {
    var text = Self.entries(10) { "title = {T\($0)}" }
    text += "@misc{long, abstract = {line\n@article{inside,\n  title = {x}\n}\nend}}\n"
    text += "@book{open, title = {unclosed\n" + Self.entries(10) { "title = {U\($0)}" }
    text += "@string{bad = undefinedthing # {x\n" + Self.entries(10) { _ in "journal = bad # undefinedthing" }
    text += "@preamble{ \"\\newcommand\" # j }\n@string{j = {P}}\n@preamble{ j }\n"
    text += "@misc{dup, note = j, note = undefinedtoo}\n" + Self.entries(10) { _ in "note = j" }
    Self.expectSame(text)
  }

  /// Every BibTeX file of the fixtures and of the BibTeX corpus (when present).
  static func realFiles() -> [URL] {
    var files: [URL] = []
    for dir in ["Fixtures/fuzz/BibTeX", "Fixtures/invalid/bibtex"] {
      let url = Fixtures.root.appendingPathComponent(dir)
      files += (try? FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)) ?? []
    }
    files += BibTeXCorpusTests.files().map { BibTeXCorpusTests.root.appendingPathComponent($0) }
    return files.filter { $0.pathExtension == "bib" }
  }

  @Test func realFiles() throws {
    var compared = 0
    for url in Self.realFiles() {
      var bytes = Array(try Data(contentsOf: url))
      if !String.isValidUTF8(bytes) { bytes = Windows1252.toUTF8(bytes) }
      let expected = Self.sequential(bytes)
      for (n, guessing) in [(2, true), (3, false)] {
        let got = Self.snapshot(BibTeXParser.parsed(bytes: bytes, source: "t.bib", chunks: n, threshold: 0, guessing: guessing))
        #expect(got == expected, "\(url.lastPathComponent), \(n) chunks, guessing \(guessing)")
      }
      compared += 1
    }
    #expect(compared > 10)
  }
}
