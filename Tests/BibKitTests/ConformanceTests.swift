import CustomDump
import Foundation
import Testing

@testable import BibKit

/// The round-trip conformance matrix: each writer's declared capabilities are checked field
/// by field against what writing and reading back actually keeps, generated papers within
/// those capabilities survive, and each reader sets only the fields it declares.
@Suite struct ConformanceTests {
  static var writable: [FormatID] { [.bibtex, .cslJSON, .ris] }

  static func base() -> Paper {
    Paper(
      citationKey: "smith2020base", kind: .articleJournal, title: "Base title",
      authors: [Person(given: "Ann", family: "Smith")], issued: PartialDate(year: 2020))
  }

  /// Sets `field` in `p` to a sample value for `format`.
  static func set(_ field: PaperField, in p: inout Paper, format: FormatID) {
    switch field {
    case .citationKey: p.citationKey = "key2021x"
    case .kind: p.kind = .book
    case .originalType: p.originalType = "fancytype"
    case .title: p.title = "A New Title with Words"
    case .titleMarkup: p.title = RichText(runs: [.init("The "), .init("E. coli", .italic), .init(" "), .init("dna", .noCase)])
    case .containerTitle: p.containerTitle = "Journal of Tests"
    case .authors: p.authors = [Person(given: "Ann", family: "Smith"), Person(given: "Bo", family: "Chen")]
    case .nameParticles: p.authors = [Person(given: "Jean Ogier", family: "Terrail", particle: "du")]
    case .nameSuffixes: p.authors = [Person(given: "Martin Luther", family: "King", suffix: "Jr.")]
    case .literalNames: p.authors = [.literal("World Health Organization")]
    case .authorsTruncated: p.authorsTruncated = true
    case .editors: p.editors = [Person(given: "Eve", family: "Editor")]
    case .translators: p.translators = [Person(given: "Tom", family: "Translator")]
    case .issuedYear: p.issued = PartialDate(year: 2019)
    case .issuedMonth: p.issued = PartialDate(year: 2019, month: 5)
    case .issuedDay: p.issued = PartialDate(year: 2019, month: 5, day: 31)
    case .yearInferred: p.issued = PartialDate(year: 2026, month: 5, day: 27, yearInferred: true)
    case .approximateDate: p.issued = PartialDate(year: 1850, approximate: true)
    case .firstVersionDate: p.firstVersionDate = PartialDate(year: 2018, month: 1, day: 2)
    case .currentVersionDate: p.currentVersionDate = PartialDate(year: 2018, month: 3, day: 4)
    case .doi: p.identifiers.doi = "10.1000/xyz.123"
    case .arxivID: p.identifiers.arxiv = ArxivIdentifier(id: "2301.00001")
    case .arxivVersion: p.identifiers.arxiv = ArxivIdentifier(id: "2301.00001", version: 3)
    case .arxivPrimaryCategory: p.identifiers.arxiv = ArxivIdentifier(primaryCategory: "math.OC")
    case .isbn: p.identifiers.isbn = ["978-3-16-148410-0"]
    case .issn: p.identifiers.issn = ["1234-5678"]
    case .pmid: p.identifiers.pmid = "12345678"
    case .pmcid: p.identifiers.pmcid = "PMC1234567"
    case .url: p.urls = ["https://example.org/paper"]
    case .codeLinks: p.codeLinks = ["https://github.com/x/y"]
    case .hasCode: p.hasCode = true
    case .relatedLinks: p.relatedLinks = ["https://example.org/demo"]
    case .publisher: p.publisher = "ACM"
    case .publisherPlace: p.publisherPlace = "New York"
    case .volume: p.volume = "12"
    case .issue: p.issue = "3"
    case .pages: p.pages = "100-110"
    case .edition: p.edition = "2"
    case .number: p.number = "TR-42"
    case .genre: p.genre = "Review"
    case .keywords: p.keywords = ["alpha", "beta gamma"]
    case .categories: p.categories = ["cs.LG", "stat.ML"]
    case .abstract: p.abstract = "One paragraph with $x^2$ math & 50% more."
    case .note: p.note = "A note."
    case .language: p.language = "en"
    case .unknownFields:
      let own: ExtraField =
        switch format {
        case .bibtex: ExtraField(source: "bibtex", name: "mycustom", value: "value")
        case .cslJSON: ExtraField(source: "csl-json", name: "archive", value: "\"Arch\"")
        default: ExtraField(source: "ris", name: "C1", value: "custom one")
        }
      p.extraFields = [own, ExtraField(source: "profile", name: "org", value: "eth-zurich")]
    case .nameOriginal: p.authors = [Person(given: "Ann", family: "Smith", original: "Ann Smith")]
    case .affiliations: p.authors = [Person(given: "Ann", family: "Smith", affiliations: ["EPFL"])]
    }
  }

  static func roundTrip(_ p: [Paper], _ format: FormatID) throws -> [Paper] {
    let d = FormatRegistry.standard.format(format)!
    let bytes = d.writer!.write(p, options: WriteOptions()).bytes
    return try d.reader!.read(bytes, options: ReadOptions(asOf: Fixtures.asOf)).papers
  }

  @Test(arguments: writable)
  func declaredCapabilitiesMatchWhatHappens(format: FormatID) throws {
    let carries = Capabilities.carries[format]!
    var mismatches: [String] = []
    for field in PaperField.allCases {
      var p = Self.base()
      Self.set(field, in: &p, format: format)
      let back = try #require(try Self.roundTrip([p], format).first)
      let kept = field.value(in: back) == field.value(in: p)
      if kept != carries.contains(field) {
        mismatches.append("\(field): declared \(carries.contains(field) ? "carried" : "lost"), but \(kept ? "kept" : "lost: \(field.value(in: p) ?? "nil") → \(field.value(in: back) ?? "nil")")")
      }
    }
    #expect(mismatches.isEmpty, "\(format): \(mismatches)")
  }

  /// A small seeded generator (SplitMix64), so every run tests the same papers.
  struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func bool() -> Bool { int(2) == 0 }
    mutating func pick<T>(_ a: [T]) -> T { a[int(a.count)] }

    static let words = [
      "Deep", "learning", "of", "Graphs", "LLMs", "PowerSGD", "Café", "Ünal", "naïve", "R&D", "50%",
      "x_1", "C#", "$5", "über", "Ørsted", "Łódź", "self-supervised", "A", "on", "the", "GPT-4",
      "(extended):", "Sabolčec", "Hernández", "“quoted”", "non-ASCII", "β-decay", "Q&A", "it's",
    ]
    mutating func text(_ n: Int) -> String { (0..<max(1, n)).map { _ in pick(Self.words) }.joined(separator: " ") }
    mutating func name() -> Person {
      let given = pick(["Ann", "José", "Zoë", "Li", "Jean Ogier", "Mary-Anne", "K. R."])
      let family = pick(["Smith", "Kydlíček", "Hernández-Cano", "Ørsted", "O'Brien", "Chen"])
      switch int(6) {
      case 0: return Person(given: given, family: family, particle: pick(["van", "du", "de la"]))
      case 1: return Person(given: given, family: family, suffix: "Jr.")
      case 2: return Person(literal: pick(["World Health Organization", "H1 Collaboration"]))
      default: return Person(given: given, family: family)
      }
    }
  }

  static func generate(_ g: inout Generator, _ n: Int, carries: Set<PaperField>) -> Paper {
    // Every CSL type, each with and without a type name from another format.
    var p = Paper(citationKey: "gen\(n)key", kind: PaperKind(g.pick(PaperKind.cslTypes.sorted())))
    if g.int(4) == 0 { p.originalType = g.pick(["legal_case", "Thesis", "CONF", "foo_bar", "web page"]) }
    p.title = RichText(g.text(1 + g.int(8)))
    if carries.contains(.titleMarkup), g.bool() {
      p.title = RichText(runs: [.init(g.text(2) + " "), .init(g.pick(["DNA", "dna", "E. coli"]), g.pick([.noCase, .italic, .bold])), .init(" " + g.text(2))])
    }
    p.authors = (0..<(1 + g.int(4))).map { _ in g.name() }
    p.authorsTruncated = g.bool()
    if g.bool() { p.editors = [g.name()] }
    p.issued = PartialDate(year: 1900 + g.int(126), month: g.bool() ? 1 + g.int(12) : nil)
    if carries.contains(.issuedDay), let y = p.issued?.year, let m = p.issued?.month, g.bool() {
      let day = 1 + g.int(PartialDate.daysIn(month: m, year: y))
      p.issued?.day = day
    }
    if g.bool() { p.containerTitle = RichText(g.text(3)) }
    if g.bool() { p.identifiers.doi = "10.\(1000 + g.int(9000))/abc.\(g.int(99999))" }
    if g.bool() {
      p.identifiers.arxiv = ArxivIdentifier(id: "2\(g.int(4))0\(1 + g.int(9)).\(10000 + g.int(89999))", version: g.bool() ? 1 + g.int(5) : nil, primaryCategory: "cs.LG")
      p.categories = ["cs.LG"]
    }
    if g.bool() { p.publisher = g.text(2) }
    if g.bool() { p.volume = String(1 + g.int(99)) }
    if g.bool() { p.pages = "\(1 + g.int(100))-\(101 + g.int(100))" }
    if g.bool() { p.keywords = [g.text(1), g.text(2)] }
    if g.bool() { p.abstract = g.text(12) }
    if g.bool() { p.note = g.text(4) }
    if g.bool() { p.urls = ["https://example.org/\(g.int(1000))"] }
    if g.bool() { p.hasCode = true }
    return p
  }

  @Test(arguments: writable)
  func generatedPapersSurviveTheirOwnFormat(format: FormatID) throws {
    var g = Generator(state: 20261129)
    let papers = (0..<300).map { Self.generate(&g, $0, carries: Capabilities.carries[format]!) }
    let back = try Self.roundTrip(papers, format)
    try #require(back.count == papers.count)
    var failures = 0
    for (a, b) in zip(papers, back) where a != b {
      failures += 1
      if failures <= 3 { Issue.record("\(format): \(a.citationKey!): \(diff(a, b) ?? "")") }
    }
    #expect(failures == 0)
  }

  /// Readers set only the fields they declare, over the project's fixtures and the seeds.
  @Test func readersProduceOnlyWhatTheyDeclare() throws {
    let inputs: [(FormatID, String)] = [
      (.profile, "seeds/martin-jaggi-profile.txt"), (.profile, "Fixtures/profile/small.txt"),
      (.arxiv, "seeds/martin-jaggi-arxiv.xml"), (.arxiv, "Fixtures/arxiv/legacy.xml"), (.arxiv, "Fixtures/arxiv/api2025.xml"),
    ]
    for (format, path) in inputs {
      let papers = try FormatRegistry.standard.format(format)!.reader!.read(
        try Fixtures.bytes(path), options: ReadOptions(asOf: Fixtures.asOf)
      ).papers
      let declared = Capabilities.produces[format]!
      for p in papers {
        let set = PaperField.allCases.filter { $0.value(in: p) != nil && $0 != .kind }
        let extra = Set(set).subtracting(declared)
        #expect(extra.isEmpty, "\(path): \(p.title?.plainText.prefix(30) ?? "") sets \(extra.sorted())")
      }
    }
  }

  /// The table in README.md is the one the capability declarations make.
  @Test func readmeShowsTheGeneratedTable() throws {
    let readme = try Fixtures.text("README.md")
    #expect(readme.contains(Capabilities.markdownTable()))
  }
}
