import Testing

@testable import BibKit

@Suite struct RegistryTests {
  let registry = FormatRegistry.standard

  @Test(arguments: [
    ("refs.bib", "", "bibtex"), ("refs.BIB", "", "bibtex"), ("x.ris", "", "ris"),
    ("feed.xml", "", "arxiv"), ("items.json", "", "csl-json"),
    // Unknown extensions fall back to the content.
    ("notes.txt", "LGMay 31, 2019Code\nTitle\n", "profile"),
    ("data", "\u{FEFF}TY  - JOUR\r\nER  - \r\n", "ris"),
    ("data", "% comment\n@article{k,\n title={T}}\n", "bibtex"),
    ("data", "  [ {\"id\": \"x\"} ]", "csl-json"),
    ("data", "<?xml version='1.0'?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">", "arxiv"),
  ])
  func detection(path: String, content: String, expected: String) {
    #expect(registry.detect(path: path, content: Array(content.utf8))?.id.rawValue == expected)
  }

  @Test func unknownContentIsNotGuessed() {
    #expect(registry.detect(path: "notes.txt", content: Array("milk\neggs\n".utf8)) == nil)
  }

  @Test(arguments: [("BIB", "bibtex"), ("biblatex", "bibtex"), ("json", "csl-json"), ("Atom", "arxiv"), ("RIS", "ris")])
  func namesAndAliases(name: String, id: String) {
    #expect(registry.format(named: name)?.id.rawValue == id)
  }

  @Test func libxml2IsLinked() {
    #expect(LibXML.version.hasPrefix("2."))
  }
}
