import CustomDump
import Foundation
import Testing

@testable import BibKit

@Suite struct ProfileReaderTests {
  let seedPath = "seeds/martin-jaggi-profile.txt"

  @Test func seedMatchesReviewedGolden() throws {
    let result = try Fixtures.readProfile(seedPath)
    try Fixtures.recordIfAsked(
      "Fixtures/profile/martin-jaggi.papers.json", try Fixtures.encodePapers(result.papers))
    let expected = try Fixtures.decodePapers("Fixtures/profile/martin-jaggi.papers.json")
    expectNoDifference(result.papers, expected)
  }

  @Test func smallFixtureMatchesGolden() throws {
    let result = try Fixtures.readProfile("Fixtures/profile/small.txt")
    try Fixtures.recordIfAsked(
      "Fixtures/profile/small.papers.json", try Fixtures.encodePapers(result.papers))
    expectNoDifference(result.papers, try Fixtures.decodePapers("Fixtures/profile/small.papers.json"))
  }

  @Test func seedHeaderIsMetadataNotPapers() throws {
    let result = try Fixtures.readProfile(seedPath)
    let m = try #require(result.metadata)
    #expect(m.owner == "Martin Jaggi")
    #expect(m.primaryCategoryCode == "LG")
    #expect(m.primaryCategory == "cs.LG")
    #expect(m.declaredPaperCount == 158)
    #expect(m.integer("h-index") == 66)
    #expect(m.integer("citations") == 31675)
    #expect(m.integer("papers") == 158)
    #expect(m.metrics.first { $0.name == "Novelty" }?.value == "55%")
    #expect(m.integer("AI Score") == 63)
    let note = try #require(result.diagnostics.first { $0.code == "profile.partial" })
    #expect(note.severity == .note)
    #expect(note.message == "50 of 158 papers listed")
    #expect(note.location?.line == 10)
    #expect(!result.diagnostics.contains { $0.severity >= .warning })
  }

  // Counts stated in research/profiles-users.md §0 and issue #2, measured on the seed text.
  @Test func seedFacts() throws {
    let papers = try Fixtures.readProfile(seedPath).papers
    #expect(papers.count == 50)
    #expect(papers.filter(\.authorsTruncated).count == 30)
    #expect(papers.filter(\.hasCode).count == 16)
    let codes = Dictionary(grouping: papers) {
      $0.extraFields.first { $0.name == "category-code" }?.value ?? "?"
    }.mapValues(\.count)
    #expect(codes == ["LG": 32, "CL": 11, "OC": 4, "CY": 1, "NE": 1, "DC": 1])
    let oc = papers.filter { $0.extraFields.contains { $0.value == "OC" } }
    #expect(oc.allSatisfy { $0.identifiers.arxiv?.primaryCategory == "math.OC" })
    let orgs = papers.compactMap { p in p.extraFields.first { $0.name == "org" }?.value }
    #expect(orgs == ["allen-ai", "eth-zurich", "huggingface"])
    #expect(papers.filter { ($0.abstract ?? "").contains("$") }.count == 9)
  }

  @Test func seedDatesWithoutYearAreInferred() throws {
    let papers = try Fixtures.readProfile(seedPath).papers
    let inferred = papers.filter { $0.issued?.yearInferred == true }
    let found = inferred.map { ($0.title?.plainText.prefix(20) ?? "", $0.issued!.description) }
    #expect(found.map(\.0) == ["Apertus LLM Family E", "Local MixVR: Breakin", "An Engineering Journ"])
    #expect(found.map(\.1) == ["2026-05-27", "2026-05-31", "2026-04-15"])
  }

  @Test func yearIsTheLatestNotAfterTheReference() throws {
    let ref = PartialDate(year: 2026, month: 5, day: 28)
    let papers = try Fixtures.readProfile(seedPath, asOf: ref).papers
    let years = papers.filter { $0.issued?.yearInferred == true }.map { $0.issued!.description }
    // May 27 and Apr 15 fall before May 28, 2026; May 31 would be after it, so 2025.
    #expect(years == ["2026-05-27", "2025-05-31", "2026-04-15"])
    #expect(
      PartialDate.inferringYear(month: 2, day: 29, onOrBefore: ref)
        == PartialDate(year: 2024, month: 2, day: 29, yearInferred: true))
  }

  @Test func meditronBlock() throws {
    let p = try #require(try Fixtures.readProfile(seedPath).papers.first)
    #expect(p.title?.plainText == "MEDITRON-70B: Scaling Medical Pretraining for Large Language Models")
    #expect(p.authors.map(\.original) == ["Zeming Chen", "Alejandro Hernández Cano", "Angelika Romanou"])
    #expect(p.authorsTruncated)
    #expect(p.issued == PartialDate(year: 2023, month: 11, day: 27))
    #expect(p.hasCode)
    #expect(p.kind == .article)
    #expect(p.categories == ["cs.CL"])
    #expect(p.abstract?.hasPrefix("Large language models (LLMs) can potentially") == true)
    #expect(p.abstract?.hasSuffix("more capable medical LLMs.") == true)
  }

  @Test func beyondSpectralGapPapersStayApart() throws {
    let papers = try Fixtures.readProfile(seedPath).papers
    let beyond = papers.filter { $0.title?.plainText.hasPrefix("Beyond spectral gap") == true }
    #expect(beyond.count == 2)
    #expect(Set(beyond.map { $0.issued!.description }) == ["2023-01-05", "2022-06-07"])
  }

  @Test func abstractKeepsTeXAndLinks() throws {
    let papers = try Fixtures.readProfile(seedPath).papers
    let flamby = try #require(papers.first { $0.title?.plainText.hasPrefix("FLamby") == true })
    #expect(flamby.abstract?.contains("few ($2$--$50$) reliable") == true)
    #expect(flamby.abstract?.hasSuffix("available at~\\url{www.github.com/owkin/flamby}.") == true)
    #expect(flamby.codeLinks == ["https://www.github.com/owkin/flamby"])
    let disco = try #require(papers.first { $0.title?.plainText.hasPrefix("DISCO") == true })
    #expect(disco.codeLinks == ["https://github.com/epfml/disco"])
    #expect(disco.relatedLinks == ["https://discolab.ai"])
  }

  @Test func singleAuthorEqualToOwnerIsAnAuthor() throws {
    let papers = try Fixtures.readProfile(seedPath).papers
    let convex = try #require(papers.first { $0.title?.plainText == "Convex Optimization without Projection Steps" })
    #expect(convex.authors.map(\.displayName) == ["Martin Jaggi"])
    #expect(convex.abstract?.isEmpty == false)
  }

  @Test func messyInputReadsLikeCleanInput() throws {
    let clean = try Fixtures.readProfile(seedPath).papers
    var text = try Fixtures.text(seedPath)
    text = text.replacingOccurrences(of: "\n\n", with: "   \n \n\n")
    text = text.replacingOccurrences(of: "\n", with: "\r\n")
    let messy = try ProfileReader().read(Array(text.utf8), options: ReadOptions(asOf: Fixtures.asOf))
    expectNoDifference(messy.papers, clean)
  }

  @Test func repeatedBlockIsReadOnceWithAWarning() throws {
    let text = try Fixtures.text("Fixtures/profile/small.txt")
    let blocks = text.components(separatedBy: "LGMay 31")
    let doubled = text + "\r\nLGMay 31" + blocks[1]
    let result = try ProfileReader().read(
      Array(doubled.utf8), options: ReadOptions(source: "x.txt", asOf: Fixtures.asOf))
    #expect(result.papers.count == 3)
    let w = try #require(result.diagnostics.first { $0.code == "profile.duplicate" })
    #expect(w.severity == .warning)
    #expect(w.location?.line == 27)
    #expect(w.description.hasPrefix("x.txt:27:1: warning: paper listed again (first at line 9)"))
  }

  @Test func missingAbstractAndMissingAuthorsAreReported() throws {
    let text = "Someone\n\nLGJan 5, 2023\nA Title Only\n\nCLJan 6, 2023\nTitle Two\n\nAda Lovelace\n"
    let r = try ProfileReader().read(Array(text.utf8), options: ReadOptions(source: "t", asOf: Fixtures.asOf))
    #expect(r.papers.count == 2)
    #expect(r.papers[1].abstract == nil)
    #expect(r.papers[1].authors.map(\.displayName) == ["Ada Lovelace"])
    let w = try #require(r.diagnostics.first { $0.code == "profile.authors" })
    #expect(w.location?.line == 4)
  }

  @Test func blockWithoutTitleIsReportedNotSilentlySkipped() throws {
    let text = "Someone\n\nLGJan 5, 2023\n\nCLJan 6, 2023\nTitle Two\n\nAda Lovelace\n"
    let r = try ProfileReader().read(Array(text.utf8), options: ReadOptions(source: "t", asOf: Fixtures.asOf))
    #expect(r.papers.count == 1)
    let w = try #require(r.diagnostics.first { $0.code == "profile.block" })
    #expect(w.location?.line == 3)
  }

  @Test func impossibleDateIsAWarning() throws {
    let text = "LGFeb 30, 2023\nA Title\n\nAda Lovelace\n"
    let r = try ProfileReader().read(Array(text.utf8), options: ReadOptions(source: "t", asOf: Fixtures.asOf))
    #expect(r.papers.first?.issued == nil)
    #expect(r.diagnostics.contains { $0.code == "profile.date" && $0.location?.line == 1 })
  }

  @Test func strictModeThrowsOnNoPapers() {
    #expect(throws: BibError.self) {
      try ProfileReader().read(Array("just text\n".utf8), options: ReadOptions(strict: true, asOf: Fixtures.asOf))
    }
  }

  @Test(arguments: [
    ("LGMay 31, 2019Code", true), ("OCDec 27, 2011", true), ("LGMay 27", true),
    ("DCApr 15", true), ("LGMay 31, 19", false), ("LgMay 31", false), ("LGMai 31", false),
    ("LGMay 31, 2019 Code", false), ("LGMay", false),
  ])
  func blockHeaderShape(line: String, matches: Bool) {
    let b = Array(line.utf8)
    #expect((ProfileReader.parseBlockHeader(b, 0, b.count) != nil) == matches)
  }
}
