import Foundation
import Testing

@testable import BibKit

@Suite struct MatchingTests {
  func person(_ s: String) -> Person { Person(parsing: s) }

  func record(_ id: String, _ title: String, _ authors: [String], _ date: PartialDate) -> Paper {
    Paper(
      kind: .article, title: RichText(title), authors: authors.map(person),
      issued: date, firstVersionDate: date,
      identifiers: Identifiers(arxiv: ArxivIdentifier(id: id, version: 1, primaryCategory: "cs.LG")),
      categories: ["cs.LG"])
  }

  func profilePaper(_ title: String, _ authors: [String], _ date: PartialDate, truncated: Bool = true) -> Paper {
    Paper(kind: .article, title: RichText(title), authors: authors.map(person), authorsTruncated: truncated, issued: date)
  }

  @Test func nameVariants() {
    #expect(Matcher.sameName(person("Alejandro Hernández Cano"), person("Alejandro Hernández-Cano")))
    #expect(Matcher.sameName(person("Sebastian U. Stich"), person("Sebastian Stich")))
    #expect(Matcher.sameName(person("S. Stich"), person("Sebastian U. Stich")))
    #expect(!Matcher.sameName(person("Sebastian Stich"), person("Sebastian Vogels")))
    #expect(!Matcher.sameName(person("Anna Stich"), person("Sebastian Stich")))
  }

  @Test func nearIdenticalTitles() {
    let p = profilePaper("PowerSGD: Practical low-rank gradient compression", ["Thijs Vogels"], PartialDate(year: 2019, month: 5, day: 31))
    let r = record("1905.13727", "PowerSGD -- Practical Low-Rank Gradient Compression.", ["Thijs Vogels", "Sai Praneeth Karimireddy", "Martin Jaggi"], PartialDate(year: 2019, month: 5, day: 31))
    let (out, outcomes) = Enrichment.enrich([p], with: [r])
    #expect(outcomes[0].status == .matched)
    #expect(out[0].identifiers.arxiv?.id == "1905.13727")
    #expect(out[0].authors.count == 3)
    #expect(!out[0].authorsTruncated)
  }

  @Test func titleChangedBetweenVersions() {
    let p = profilePaper("Sparse Flash Attention for Long Sequences", ["Matteo Pagliardini", "Daniele Paliotta"], PartialDate(year: 2023, month: 6, day: 1))
    let r = record("2306.01160", "Faster Causal Attention Over Large Sequences Through Sparse Flash Attention", ["Matteo Pagliardini", "Daniele Paliotta", "Martin Jaggi", "François Fleuret"], PartialDate(year: 2023, month: 6, day: 1))
    let (_, outcomes) = Enrichment.enrich([p], with: [r])
    // Too different a title: reported, not merged.
    #expect(outcomes[0].status == .unmatched)
    let q = profilePaper("Faster Causal Attention Over Large Sequences with Sparse Flash Attention", ["Matteo Pagliardini", "Daniele Paliotta"], PartialDate(year: 2023, month: 6, day: 1))
    let (out, o2) = Enrichment.enrich([q], with: [r])
    #expect(o2[0].status == .matched)
    #expect(out[0].title?.plainText == q.title?.plainText)  // the paper keeps its own title
  }

  @Test func visibleAuthorsMustAppearInOrder() {
    let p = profilePaper("Landmark Attention: Random-Access Infinite Context Length for Transformers", ["Martin Jaggi", "Amirkeivan Mohtashami"], PartialDate(year: 2023, month: 5, day: 25), truncated: false)
    let r = record("2305.16300", "Landmark Attention: Random-Access Infinite Context Length for Transformers", ["Amirkeivan Mohtashami", "Martin Jaggi"], PartialDate(year: 2023, month: 5, day: 25))
    let (out, outcomes) = Enrichment.enrich([p], with: [r])
    #expect(outcomes[0].status == .unmatched)
    #expect(outcomes[0].reason.contains("in order"))
    #expect(out[0] == p)
  }

  @Test func absentPaperIsUnmatchedAndUnchanged() {
    let p = profilePaper("Convex Optimization without Projection Steps", ["Martin Jaggi"], PartialDate(year: 2011, month: 12, day: 27), truncated: false)
    let r = record("2305.16300", "Landmark Attention", ["Amirkeivan Mohtashami", "Martin Jaggi"], PartialDate(year: 2023, month: 5, day: 25))
    let (out, outcomes) = Enrichment.enrich([p], with: [r])
    #expect(outcomes[0].status == .unmatched)
    #expect(out == [p])
  }

  @Test func beyondSpectralGapPapersAreNotConfused() {
    let short = profilePaper("Beyond spectral gap: The role of the topology in decentralized learning", ["Thijs Vogels", "Hadrien Hendrikx", "Martin Jaggi"], PartialDate(year: 2022, month: 6, day: 7), truncated: false)
    let extended = profilePaper("Beyond spectral gap (extended): The role of the topology in decentralized learning", ["Thijs Vogels", "Hadrien Hendrikx", "Martin Jaggi"], PartialDate(year: 2023, month: 1, day: 5), truncated: false)
    let authors = ["Thijs Vogels", "Hadrien Hendrikx", "Martin Jaggi"]
    let rShort = record("2206.03093", "Beyond spectral gap: The role of the topology in decentralized learning", authors, PartialDate(year: 2022, month: 6, day: 7))
    let rExt = record("2301.02151", "Beyond spectral gap (extended): The role of the topology in decentralized learning", authors, PartialDate(year: 2023, month: 1, day: 5))
    // Both records: each paper gets its own.
    let (both, _) = Enrichment.enrich([extended, short], with: [rShort, rExt])
    #expect(both.map { $0.identifiers.arxiv?.id } == ["2301.02151", "2206.03093"])
    // Only the short one's record: the extended paper stays unmatched.
    let (one, outcomes) = Enrichment.enrich([extended, short], with: [rShort])
    #expect(one[0].identifiers.arxiv?.id == nil)
    #expect(outcomes[0].status == .unmatched)
    #expect(one[1].identifiers.arxiv?.id == "2206.03093")
  }

  @Test func twoRecordsThatFitEquallyAreAmbiguous() {
    let p = profilePaper("A Study of Things", ["Ann Smith"], PartialDate(year: 2020, month: 1, day: 1))
    let a = record("2001.00001", "A Study of Things", ["Ann Smith", "Bo Chen"], PartialDate(year: 2020, month: 1, day: 1))
    let b = record("2001.00002", "A Study of Things", ["Ann Smith", "Cy Dee"], PartialDate(year: 2020, month: 1, day: 2))
    let (out, outcomes) = Enrichment.enrich([p], with: [a, b])
    #expect(outcomes[0].status == .ambiguous)
    #expect(out == [p])
  }

  @Test func overlappingFeedsGiveOneRecordEach() {
    let a = record("2001.00001", "A Study of Things", ["Ann Smith"], PartialDate(year: 2020, month: 1, day: 1))
    let b = record("2002.00002", "Another Study", ["Bo Chen"], PartialDate(year: 2020, month: 2, day: 1))
    let (records, merges) = Deduplication.run([a, b, a])
    #expect(records.count == 2)
    #expect(merges.map(\.reason) == ["same arXiv id 2001.00001"])
  }

  @Test func seedProfileFromTheSeedFeed() throws {
    let profile = try Fixtures.readProfile("seeds/martin-jaggi-profile.txt").papers
    let feed = try ArxivAtomReader().read(try Fixtures.bytes("seeds/martin-jaggi-arxiv.xml"), options: ReadOptions(asOf: Fixtures.asOf)).papers
    let (out, outcomes) = Enrichment.enrich(profile, with: feed)
    let matched = outcomes.enumerated().filter { $0.element.status == .matched }
    #expect(matched.count == 6)
    #expect(outcomes.filter { $0.status == .unmatched }.count == 44)
    var ids: [String: String] = [:]
    for (i, _) in matched { ids[String(out[i].title!.plainText.prefix(12))] = out[i].identifiers.arxiv?.id }
    #expect(ids == [
      "MEDITRON-70B": "2311.16079", "PowerSGD: Pr": "1905.13727", "QuaRot: Outl": "2404.00456",
      "Landmark Att": "2305.16300", "Model Fusion": "1910.05653", "TiMoE: Time-": "2508.08827",
    ])
    let meditron = try #require(out.first { $0.identifiers.arxiv?.id == "2311.16079" })
    #expect(meditron.authors.count == 20)
    #expect(!meditron.authorsTruncated)
    #expect(meditron.hasCode)  // its own facts stay
    #expect(meditron.extraFields.contains(ExtraField(source: "profile", name: "org", value: "allen-ai")))
    for (i, o) in outcomes.enumerated() where o.status == .unmatched { #expect(out[i] == profile[i]) }
  }
}

/// Deduplication gives what its first, slower form gives (kept papers, merges and their
/// reasons), on inputs where many papers share a title and identifiers, years, kinds and
/// first authors vary: the cases where it tries fewer papers than the first form did.
@Suite struct DeduplicationAgreementTests {
  static func papers(seed: UInt64, count: Int) -> [Paper] {
    var rng = XorShift64(state: seed)
    func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }
    let titles = ["A Study of Many Things", "a study of many things!", "Editorial comments on things", "Short"]
    let names = ["Ann Smith", "A. Smith", "Ann B. Smith", "Bo Chen", "Smith, Ann", ""]
    return (0..<count).map { k in
      var p = Paper(citationKey: "k\(k)", kind: pick([.article, .articleJournal]), title: RichText(pick(titles)))
      let first = pick(names)
      p.authors = first.isEmpty ? [] : [Person(parsing: first), Person(parsing: pick(names.dropLast()))]
      p.authorsTruncated = rng.next() % 4 == 0
      if rng.next() % 5 != 0 { p.issued = PartialDate(year: 2018 + Int(rng.next() % 3)) }
      if rng.next() % 2 == 0 { p.identifiers.arxiv = ArxivIdentifier(id: "2001.\(10000 + rng.next() % 150)") }
      if rng.next() % 3 == 0 { p.identifiers.doi = pick(["10.1/A", "10.1/a", "10.1/B", "10.2/c"]) }
      if rng.next() % 4 == 0 { p.keywords = [pick(["x", "y"])] }
      return p
    }
  }

  @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
  func agreesWithTheFirstForm(seed: UInt64) {
    let input = Self.papers(seed: 0x9E37_79B9 &* seed, count: 300)
    let (papers, merges) = Deduplication.run(input)
    let (want, wantMerges) = DeduplicationReference.run(input)
    #expect(papers == want)
    #expect(merges.map { [$0.kept, $0.dropped, $0.reason] } == wantMerges.map { [$0.kept, $0.dropped, $0.reason] })
    // The inputs do merge, by every rule.
    #expect(Set(merges.map { $0.reason.prefix(9) }).count == 3)
  }
}

/// The bit-vector edit distance agrees with distances worked by hand and with the table.
@Suite struct EditDistanceTests {
  @Test func byHand() {
    func d(_ a: String, _ b: String) -> Int { Matcher.editDistance(pattern: Array(a.utf8), text: Array(b.utf8)) }
    #expect(d("kitten", "sitting") == 3)
    #expect(d("flaw", "lawn") == 2)
    #expect(d("abc", "") == 3)
    #expect(d("", "abc") == 3)
    #expect(d("intention", "execution") == 5)
    #expect(EditDistanceReference.distance(Array("kitten".utf8), Array("sitting".utf8)) == 3)
    #expect(EditDistanceReference.distance(Array("intention".utf8), Array("execution".utf8)) == 5)
  }

  /// Random byte strings over small alphabets (so that bytes repeat): patterns of 1 to 200
  /// bytes (one to four blocks, block edges included), texts of 0 to 250.
  @Test func bitVectorAgreesWithTheTable() {
    var rng = XorShift64(state: 0xD1B5_4A32_D192_ED03)
    for round in 0..<2000 {
      let alphabet = UInt64(2 + round % 6)
      let m = round % 10 == 0 ? [63, 64, 65, 127, 128, 129][round / 10 % 6] : 1 + Int(rng.next() % 200)
      let n = Int(rng.next() % 251)
      let x = (0..<m).map { _ in UInt8(0x61 + rng.next() % alphabet) }
      let y = (0..<n).map { _ in UInt8(0x61 + rng.next() % alphabet) }
      #expect(Matcher.editDistance(pattern: x, text: y) == EditDistanceReference.distance(x, y), "\(x) \(y)")
    }
  }
}
