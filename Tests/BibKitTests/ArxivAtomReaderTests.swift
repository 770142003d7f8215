import CustomDump
import Foundation
import Testing

@testable import BibKit

@Suite struct ArxivAtomReaderTests {
  func read(_ bytes: [UInt8], _ options: ReadOptions = ReadOptions(source: "feed.xml", asOf: Fixtures.asOf))
    throws -> ReadResult
  {
    try ArxivAtomReader().read(bytes, options: options)
  }

  func read(_ text: String) throws -> ReadResult { try read(Array(text.utf8)) }

  @Test(arguments: ["legacy", "api2025"])
  func goldenFixture(name: String) throws {
    let result = try read(try Fixtures.bytes("Fixtures/arxiv/\(name).xml"))
    try Fixtures.recordIfAsked("Fixtures/arxiv/\(name).papers.json", try Fixtures.encodePapers(result.papers))
    expectNoDifference(result.papers, try Fixtures.decodePapers("Fixtures/arxiv/\(name).papers.json"))
  }

  @Test func legacyLayout() throws {
    let result = try read(try Fixtures.bytes("Fixtures/arxiv/legacy.xml"))
    #expect(result.papers.count == 2)
    let p = result.papers[0]
    #expect(p.identifiers.arxiv == ArxivIdentifier(id: "0901.0001", version: 3, primaryCategory: "cond-mat.str-el"))
    #expect(p.title?.plainText == "A Made-Up Study of $\\sigma$-Models on the Bethe Lattice in the Large Connectivity Limit")
    #expect(p.abstract == "This abstract is hard-wrapped the way the legacy API wrote abstracts, with a leading indent and $x^2 < 1$ kept as TeX, H\\\"older included.")
    #expect(p.authors.map(\.displayName) == ["Ada Lovelace", "Jan van der Berg", "H1 Collaboration"])
    #expect(p.authors[0].affiliations == ["Analytical Engine Society"])
    #expect(p.authors[1].particle == "van der")
    #expect(p.authors[2].literal == "H1 Collaboration")
    #expect(p.firstVersionDate == PartialDate(year: 2009, month: 1, day: 1))
    #expect(p.currentVersionDate == PartialDate(year: 2010, month: 2, day: 3))
    #expect(p.issued == p.firstVersionDate)
    #expect(p.categories == ["cond-mat.str-el", "math-ph"])
    #expect(p.keywords == ["82B20", "I.2.6"])
    #expect(p.identifiers.doi == "10.1000/example.42")
    #expect(p.note == "12 pages, 3 figures")
    #expect(p.extraFields == [ExtraField(source: "arxiv", name: "journal-ref", value: "Imag. J. Phys. 1, 2 (2010)")])
    #expect(p.urls == ["http://arxiv.org/abs/0901.0001v3", "http://arxiv.org/pdf/0901.0001v3"])
    #expect(result.papers[1].identifiers.arxiv?.id == "math/0211159")
    let hollow = try #require(result.diagnostics.first { $0.code == "arxiv.hollow-entry" })
    #expect(hollow.severity == .warning)
    #expect(result.metadata?.declaredPaperCount == 3)
  }

  @Test func linksWithoutAttributesAndAffiliations() throws {
    let p = try #require(try read(try Fixtures.bytes("Fixtures/arxiv/api2025.xml")).papers.first)
    #expect(p.urls == ["https://arxiv.org/abs/2401.00002v2", "https://arxiv.org/pdf/2401.00002v2"])
    #expect(p.title?.plainText == "Fast Transformers: Attention with Markov Chains & Friends")
    #expect(p.authors[0].affiliations == ["EPFL", "Allen Institute for AI"])
    #expect(p.authors[1].family == "Hernández-Cano")
    #expect(p.categories == ["cs.LG", "stat.ML"])
  }

  @Test func updatedDateOption() throws {
    let bytes = try Fixtures.bytes("Fixtures/arxiv/api2025.xml")
    let p = try #require(
      try read(bytes, ReadOptions(asOf: Fixtures.asOf, arxivDate: .updated)).papers.first)
    #expect(p.issued == PartialDate(year: 2024, month: 3, day: 5))
    #expect(p.firstVersionDate == PartialDate(year: 2024, month: 1, day: 2))
  }

  @Test(arguments: [
    ("http://arxiv.org/abs/2305.16300v2", "2305.16300", 2), ("http://arxiv.org/abs/hep-th/9901001v10", "hep-th/9901001", 10),
    ("arXiv:2305.16300", "2305.16300", nil), ("math/0211159", "math/0211159", nil),
  ] as [(String, String, Int?)])
  func ids(raw: String, id: String, version: Int?) {
    let split = ArxivAtomReader.splitID(raw)
    #expect(split.id == id)
    #expect(split.version == version)
  }

  @Test func seedFeed() throws {
    let result = try read(try Fixtures.bytes("seeds/martin-jaggi-arxiv.xml"))
    #expect(result.papers.count == 6)
    #expect(result.diagnostics.isEmpty)
    let ids = result.papers.compactMap { $0.identifiers.arxiv?.id }
    #expect(Set(ids) == ["2311.16079", "1905.13727", "2404.00456", "2305.16300", "1910.05653", "2508.08827"])
    let meditron = try #require(result.papers.first { $0.identifiers.arxiv?.id == "2311.16079" })
    #expect(meditron.authors.count == 20)
    #expect(!meditron.authorsTruncated)
    #expect(meditron.identifiers.arxiv?.primaryCategory == "cs.CL")
  }

  // MARK: Errors and empty results

  @Test func errorFeedIsAnErrorNotAPaper() throws {
    let feed = """
      <?xml version='1.0' encoding='UTF-8'?>
      <feed xmlns="http://www.w3.org/2005/Atom">
        <id>https://arxiv.org/</id>
        <title>arXiv Search Results</title>
        <entry>
          <id>https://arxiv.org/api/errors#incorrect_id_format_for_abc</id>
          <title>Error</title>
          <summary>incorrect id format for abc</summary>
          <author><name>arXiv api core</name></author>
        </entry>
      </feed>
      """
    let result = try read(feed)
    #expect(result.papers.isEmpty)
    let e = try #require(result.diagnostics.first)
    #expect(e.severity == .error)
    #expect(e.message == "arXiv API error: incorrect id format for abc")
    #expect(throws: BibError.self) {
      try read(Array(feed.utf8), ReadOptions(strict: true, asOf: Fixtures.asOf))
    }
  }

  @Test func emptyResultIsNoPapersAndNoError() throws {
    let result = try read(
      "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:opensearch=\"http://a9.com/-/spec/opensearch/1.1/\"><opensearch:totalResults>0</opensearch:totalResults></feed>")
    #expect(result.papers.isEmpty)
    #expect(result.diagnostics.isEmpty)
    #expect(result.metadata?.declaredPaperCount == 0)
  }

  // MARK: Hostile XML

  @Test func externalEntityIsRefusedAndNothingLeaks() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bibkit-xxe-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let secret = dir.appendingPathComponent("secret.txt")
    try "TOP-SECRET-VALUE".write(to: secret, atomically: true, encoding: .utf8)
    let feed = """
      <?xml version="1.0"?>
      <!DOCTYPE feed [<!ENTITY x SYSTEM "file://\(secret.path)">]>
      <feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/1234.5678v1</id><title>&x;</title></entry></feed>
      """
    let result = try read(feed)
    #expect(result.papers.isEmpty)
    let e = try #require(result.diagnostics.first)
    #expect(e.message.contains("DOCTYPE"))
    #expect(e.location?.line == 2)
    #expect(!result.diagnostics.contains { $0.message.contains("TOP-SECRET") })
  }

  @Test func billionLaughsIsRefused() throws {
    var entities = "<!ENTITY a0 \"lol\">"
    for i in 1...9 {
      entities += "<!ENTITY a\(i) \"" + String(repeating: "&a\(i - 1);", count: 10) + "\">"
    }
    let feed = "<?xml version=\"1.0\"?><!DOCTYPE feed [\(entities)]><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>&a9;</title></feed>"
    let result = try read(feed)
    #expect(result.papers.isEmpty)
    #expect(result.diagnostics.first?.severity == .error)
  }

  @Test func entityReferenceWithoutDoctypeIsAnError() throws {
    let result = try read("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>&undefined;</title></feed>")
    #expect(result.papers.isEmpty)
    #expect(result.diagnostics.first?.severity == .error)
  }

  @Test func deepNestingIsAnErrorNotACrash() throws {
    let depth = 100_000
    let feed = "<feed xmlns=\"http://www.w3.org/2005/Atom\">" + String(repeating: "<a>", count: depth)
      + String(repeating: "</a>", count: depth) + "</feed>"
    let result = try read(feed)
    let e = try #require(result.diagnostics.first)
    #expect(e.severity == .error)
    #expect(e.location?.line == 1)
  }

  @Test func truncatedDocument() throws {
    let full = try Fixtures.text("Fixtures/arxiv/api2025.xml")
    let result = try read(String(full.prefix(full.count / 2)))
    let e = try #require(result.diagnostics.first)
    #expect(e.severity == .error)
    #expect(e.code == "arxiv.xml")
    #expect((e.location?.line ?? 0) > 1)
  }

  @Test func invalidUTF8() throws {
    var bytes = Array("<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>".utf8)
    bytes += [0xC3, 0x28, 0xFF]
    bytes += Array("</title></feed>".utf8)
    let result = try read(bytes)
    let e = try #require(result.diagnostics.first)
    #expect(e.severity == .error)
    #expect(e.location?.line == 2)
  }

  @Test func fiftyMegabyteFeed() throws {
    let entry = try Fixtures.text("Fixtures/arxiv/api2025.xml")
    let start = try #require(entry.range(of: "<entry>"))
    let end = try #require(entry.range(of: "</entry>"))
    let one = String(entry[start.lowerBound..<end.upperBound]) + "\n"
    let count = 50_000_000 / one.utf8.count + 1
    var feed = String(entry[..<start.lowerBound])
    feed.reserveCapacity(51_000_000)
    for _ in 0..<count { feed += one }
    feed += "</feed>\n"
    #expect(feed.utf8.count >= 50_000_000)
    let result = try read(feed)
    #expect(result.papers.count == count)
    #expect(result.diagnostics.isEmpty)
  }
}

/// The real feeds in ../shared/corpora/arxiv, read in place; skipped when the folder is absent.
@Suite struct ArxivCorpusTests {
  static let root = Fixtures.root.appendingPathComponent("../shared/corpora/arxiv").standardizedFileURL
  static var available: Bool { FileManager.default.fileExists(atPath: root.path) }

  static func files() -> [String] {
    guard available else { return [] }
    return ["api-legacy", "api-2025"].flatMap { dir in
      ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(dir).path)) ?? [])
        .filter { $0.hasSuffix(".xml") }.sorted().map { dir + "/" + $0 }
    }
  }

  func read(_ file: String) throws -> ReadResult {
    let bytes = Array(try Data(contentsOf: Self.root.appendingPathComponent(file)))
    return try ArxivAtomReader().read(bytes, options: ReadOptions(source: file, asOf: Fixtures.asOf))
  }

  /// Every `<entry>` becomes a paper, a hollow-entry warning or an API error.
  @Test(.enabled(if: available), arguments: files())
  func everyEntryIsAccountedFor(file: String) throws {
    let text = String(decoding: try Data(contentsOf: Self.root.appendingPathComponent(file)), as: UTF8.self)
    let entries = text.components(separatedBy: "<entry>").count - 1
    let result = try read(file)
    let hollow = result.diagnostics.filter { $0.code == "arxiv.hollow-entry" }.count
    let errors = result.diagnostics.filter { $0.code == "arxiv.api-error" }.count
    #expect(result.papers.count + hollow + errors == entries)
    #expect(!result.diagnostics.contains { $0.code == "arxiv.xml" })
    print("arxiv corpus: \(file): \(entries) entries, \(result.papers.count) papers, \(hollow) hollow, \(errors) API errors")
  }

  @Test(.enabled(if: available))
  func knownCounts() throws {
    #expect(try read("api-2025/2026-04_search_all-testing_start0_max100.xml").papers.count == 100)
    #expect(try read("api-2025/2026-04_error_http400_id_list_abc.xml").diagnostics.map(\.message)
      == ["arXiv API error: incorrect id format for abc"])
    #expect(try read("api-2025/2026-04_id_list_0000.0000_zero_results.xml").papers.isEmpty)
    let many = try read("api-2025/2026-04_id_list_0808.05394_1707.08567_one_missing.xml").papers
    #expect(many.count == 1 && many[0].authors.count == 34)
  }

  /// The same query before and after the November 2025 switch: the ids both returned agree
  /// on title, authors and dates.
  @Test(.enabled(if: available), arguments: [
    "id_list_2206.06921", "id_list_with_missing_ids", "search_all-electron_AND_all-proton",
    "search_cat-math.CA_AND_ti-diffuse", "id_list_nonexistent_1201.56789",
  ])
  func generationsAgree(query: String) throws {
    let old = try read("api-legacy/2025-08_\(query).xml").papers
    let new = try read("api-2025/2025-11_\(query).xml").papers
    func key(_ p: Paper) -> String { p.identifiers.arxiv?.id ?? "" }
    let newByID = Dictionary(uniqueKeysWithValues: new.map { (key($0), $0) })
    var shared = 0
    for p in old {
      guard let q = newByID[key(p)] else { continue }
      shared += 1
      #expect(p.title?.plainText == q.title?.plainText, "\(key(p))")
      #expect(p.authors.map(\.displayName) == q.authors.map(\.displayName), "\(key(p))")
      #expect(p.firstVersionDate == q.firstVersionDate, "\(key(p))")
    }
    if query.hasPrefix("id_list") { #expect(shared == old.count && shared == new.count) }
    print("arxiv generations: \(query): \(old.count) legacy, \(new.count) new, \(shared) shared")
  }
}

/// libxml2 must not print its own messages: they would reach the user's terminal outside our
/// `file:line:col` diagnostics. Standard error is captured around the read.
@Suite(.serialized) struct XMLQuietTests {
  static func stderrDuring(_ body: () -> Void) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("bibkit-stderr-\(UUID().uuidString)").path
    let fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0o600)
    defer { unlink(path) }
    try #require(fd >= 0)
    fflush(nil)
    let saved = dup(2)
    dup2(fd, 2)
    body()
    fflush(nil)
    dup2(saved, 2)
    close(saved)
    close(fd)
    return try String(contentsOfFile: path, encoding: .utf8)
  }

  // The first four bytes announce UTF-32 in an unusual byte order, which libxml2 refuses.
  @Test(arguments: [[0x00, 0x3C, 0x00, 0x00] as [UInt8], [0x00, 0x00, 0x3C, 0x00], [0x3C, 0x00, 0x00, 0x00, 0x3F, 0x00]])
  func unsupportedEncodingIsAnErrorNotNoise(bytes: [UInt8]) throws {
    var errors: [Diagnostic] = []
    let printed = try Self.stderrDuring {
      let result = try? ArxivAtomReader().read(bytes, options: ReadOptions(source: "odd.xml", asOf: Fixtures.asOf))
      errors = result?.diagnostics.filter { $0.severity == .error } ?? []
    }
    // Reported as our own error diagnostic, at a place in the file.
    #expect(errors.count == 1)
    #expect(errors.first?.location?.line == 1)
    #expect(Self.notFromTheTestRunner(printed).isEmpty, "libxml2 printed: \(printed)")
  }

  /// The captured lines that the test runner did not write: other suites run meanwhile, and
  /// their progress lines (`◇ Test … started.`, `✔ …`) go to the same standard error.
  static func notFromTheTestRunner(_ text: String) -> [Substring] {
    text.split(separator: "\n").filter { line in
      !["◇", "✔", "✘", "↳", " ", "\t"].contains { line.hasPrefix($0) }
    }
  }
}
