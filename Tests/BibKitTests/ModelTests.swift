import Foundation
import Testing

@testable import BibKit

@Suite struct PersonTests {
  // Expected splits follow BibTeX's First-von-Last rule (research/bibtex.md §3, "Names").
  @Test(arguments: [
    ("Thijs Vogels", "Thijs", nil, "Vogels"),
    ("Jean Ogier du Terrail", "Jean Ogier", "du", "Terrail"),
    ("Alejandro Hernández Cano", "Alejandro Hernández", nil, "Cano"),
    ("Ludwig van Beethoven", "Ludwig", "van", "Beethoven"),
    ("Charles Louis Xavier Joseph de la Vallée Poussin", "Charles Louis Xavier Joseph", "de la", "Vallée Poussin"),
    ("Samy-Safwan Ayed", "Samy-Safwan", nil, "Ayed"),
    ("Sebastian U. Stich", "Sebastian U.", nil, "Stich"),
    ("Plato", nil, nil, "Plato"),
    ("van Gogh, Vincent", "Vincent", "van", "Gogh"),
  ] as [(String, String?, String?, String)])
  func firstVonLast(name: String, given: String?, particle: String?, family: String) {
    let p = Person(parsing: name)
    #expect(p.given == given)
    #expect(p.particle == particle)
    #expect(p.family == family)
    #expect(p.original == name)
  }

  /// The byte reading of a name with no comma gives what the reading by words gives
  /// (`referenceParsedWithoutComma`), on names near real and awkward ones.
  @Test func byteReadingMatchesWords() {
    let bases = [
      "Jean Ogier du Terrail", "Charles Louis Xavier Joseph de la Vallée Poussin", "Plato",
      "  Jean~de  la\tFontaine\n", "jean de", "de la Vallée", "a\r\nb c", "Élodie ünal Ünal",
      "ß Straße von ärger Öl", "~", "", "Ludwig van Beethoven", "Vincent {van} Gogh",
      "A. B. c. D", "x y z", "Samy-Safwan Ayed",
    ]
    var rng = XorShift64(state: 0x5EED_2026_1206)
    let alphabet: [UInt8] = [0x20, 0x7E, 0x09, 0x0A, 0x0D, 0x61, 0x5A, 0x2D, 0x2E, 0x7B, 0x7D, 0x2C, 0xC3, 0xA9, 0xC5]
    var checked = 0
    for name in variantTexts(of: bases, prefixes: 60, changes: 300, alphabet: alphabet, rng: &rng) {
      guard !name.utf8.contains(UInt8(ascii: ",")) else { continue }
      #expect(Person.parsedWithoutComma(name) == referenceParsedWithoutComma(name), "\(Array(name.utf8))")
      checked += 1
    }
    #expect(checked > 3000)
  }

  @Test func jrForm() {
    let p = Person(parsing: "King, Jr., Martin Luther")
    #expect(p.family == "King")
    #expect(p.suffix == "Jr.")
    #expect(p.given == "Martin Luther")
  }
}

@Suite struct TaxonomyTests {
  @Test(arguments: [
    ("LG", "cs.LG"), ("OC", "math.OC"), ("CL", "cs.CL"), ("CY", "cs.CY"), ("NE", "cs.NE"),
    ("DC", "cs.DC"), ("DS", "cs.DS"), ("CO", "math.CO"), ("ML", "stat.ML"), ("NA", "math.NA"),
    ("SY", "eess.SY"), ("IT", "cs.IT"), ("MP", "math-ph"), ("SP", "math.SP"),
  ])
  func code(code: String, category: String) {
    #expect(ArxivTaxonomy.category(forCode: code) == category)
  }

  @Test func unknownCode() {
    #expect(ArxivTaxonomy.category(forCode: "ZZ") == nil)
    #expect(ArxivTaxonomy.candidates(forCode: "DS") == ["cs.DS", "math.DS"])
  }
}

@Suite struct CitationKeyTests {
  func paper(_ family: String, _ year: Int, _ title: String, month: Int? = nil) -> Paper {
    Paper(
      kind: .article, title: RichText(title), authors: [Person(given: "A", family: family)],
      issued: PartialDate(year: year, month: month))
  }

  /// Keys compared for repeats are equal exactly when their `lowercased()` forms are, and
  /// then hash alike, whatever path the comparison takes (ASCII or not).
  @Test func foldedKeysCompareInLowerCase() {
    let pieces = ["a", "Z", "k1", ":", "-", "É", "é", "ß", "İ", "i", "K", "k", "\u{212A}", "ǅ", "Σ", "σ", " ", "0", "\u{301}"]
    var rng = XorShift64(state: 0xF01D)
    var keys = ["", "abc", "ABC", "Doe2001", "doe2001", "Ünïcode", "ÜNÏCODE", "straße", "STRASSE", "\u{212A}1", "k1", "K1"]
    for _ in 0..<2_000 { keys.append((0..<(1 + Int(rng.next() % 4))).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()) }
    var pairs: [(String, String)] = keys.map { ($0, $0.uppercased()) } + keys.map { ($0, $0.lowercased()) }
    for _ in 0..<4_000 { pairs.append((keys[Int(rng.next() % UInt64(keys.count))], keys[Int(rng.next() % UInt64(keys.count))])) }
    var equal = 0
    for (a, b) in pairs {
      let same = a.lowercased() == b.lowercased()
      if same { equal += 1 }
      #expect((CitationKeys.FoldedKey(a) == CitationKeys.FoldedKey(b)) == same, "\(a.debugDescription) \(b.debugDescription)")
      #expect(Set([CitationKeys.FoldedKey(a)]).contains(CitationKeys.FoldedKey(b)) == same, "\(a.debugDescription) \(b.debugDescription)")
    }
    #expect(equal > 2_000)
  }

  @Test func shape() {
    #expect(CitationKeys.baseKey(for: paper("Vogels", 2019, "PowerSGD: Practical Low-Rank")) == "vogels2019powersgd")
    #expect(CitationKeys.baseKey(for: paper("Kydlíček", 2025, "FineWeb2: One Pipeline")) == "kydlicek2025fineweb2")
    #expect(CitationKeys.baseKey(for: paper("Chen", 2023, "MEDITRON-70B: Scaling")) == "chen2023meditron")
    #expect(CitationKeys.baseKey(for: paper("Chayti", 2024, "A New First-Order Meta-Learning")) == "chayti2024new")
    #expect(CitationKeys.baseKey(for: paper("Øster", 2020, "The Æther")) == "oster2020aether")
  }

  @Test func collisionsAreOrderedByDateNotInput() {
    let a = paper("Fan", 2024, "Towards Alpha Beta", month: 2)
    let b = paper("Fan", 2024, "Alpha Gamma", month: 9)
    let c = paper("Smith", 2020, "Unrelated")
    #expect(CitationKeys.assign([a, b, c]) == ["fan2024alphaa", "fan2024alphab", "smith2020unrelated"])
    #expect(CitationKeys.assign([c, b, a]) == ["smith2020unrelated", "fan2024alphab", "fan2024alphaa"])
    // An unrelated paper added later changes no key.
    let d = paper("Jaggi", 2011, "Convex Optimization")
    #expect(Array(CitationKeys.assign([d, b, a, c]).dropFirst()) == ["fan2024alphab", "fan2024alphaa", "smith2020unrelated"])
  }

  @Test func sameBaseGetsSuffixes() {
    let a = paper("Fan", 2024, "Towards Alpha", month: 2)
    let b = paper("Fan", 2024, "Towards Alpha", month: 9)
    #expect(CitationKeys.assign([b, a]) == ["fan2024alphab", "fan2024alphaa"])
  }

  @Test func aBareKeyIsKeptBeforeAnotherGroupsSuffixes() {
    // `fan2024alphaa` is a bare key and also the first suffix of the `fan2024alpha` group:
    // the bare key wins, in every process (groups used to be served in hash order).
    let a = paper("Fan", 2024, "Alpha", month: 2)
    let b = paper("Fan", 2024, "Alpha", month: 9)
    let c = paper("Fan", 2024, "Alphaa")
    #expect(CitationKeys.assign([a, b, c]) == ["fan2024alphab", "fan2024alphac", "fan2024alphaa"])
    #expect(CitationKeys.assign([c, b, a]) == ["fan2024alphaa", "fan2024alphac", "fan2024alphab"])
  }

  @Test func theArxivIdentifierOrdersBeforeTheRestOfTheRecord() {
    var a = paper("Fan", 2024, "Alpha", month: 2)
    a.identifiers.arxiv = ArxivIdentifier(id: "2402.00002")
    a.abstract = "A first abstract."
    var b = a
    b.identifiers.arxiv = ArxivIdentifier(id: "2402.00001")
    b.abstract = "B second abstract."
    #expect(CitationKeys.assign([a, b]) == ["fan2024alphab", "fan2024alphaa"])
    // Equal but for the abstract: the rest of the record decides.
    var c = a
    c.abstract = "C third abstract."
    #expect(CitationKeys.assign([c, a]) == ["fan2024alphab", "fan2024alphaa"])
  }

  @Test func inputKeysAreKeptAndAvoided() {
    var a = paper("Fan", 2024, "Alpha")
    a.citationKey = "fan2024alpha"
    let b = paper("Fan", 2024, "Alpha", month: 3)
    #expect(CitationKeys.assign([b, a]) == ["fan2024alphaa", "fan2024alpha"])
  }
}

@Suite struct CodableTests {
  @Test func richTextAndDatesRoundTripThroughJSON() throws {
    var p = Paper(kind: .article)
    p.title = RichText(runs: [.init("The "), .init("DNA", .noCase), .init(" of "), .init("x^2", .math)])
    p.issued = PartialDate(year: 2026, month: 5, day: 27, yearInferred: true)
    p.extraFields = [ExtraField(source: "bibtex", name: "x", value: "y")]
    let data = try Fixtures.encodePapers([p])
    #expect(try JSONDecoder().decode([Paper].self, from: data) == [p])
    #expect(p.title?.plainText == "The DNA of $x^2$")
  }
}

@Suite struct PartialDateTests {
  /// The shortcut for ten bytes (`YYYY-MM-DD`) against the rule read part by part.
  @Test func isoDatesAgreeWithTheRule() {
    var rng = SystemRandomNumberGenerator()
    let bytes = Array("0123456789-+x".utf8)
    var cases = ["2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "+024-01-01", "2024-1-011", "2024--0101", "0000-01-01"]
    for _ in 0..<20_000 {
      var s = Array("2024-06-15".utf8)
      for _ in 0..<Int.random(in: 1...3, using: &rng) {
        s[Int.random(in: 0..<10, using: &rng)] = bytes.randomElement(using: &rng)!
      }
      cases.append(String(decoding: s, as: UTF8.self))
    }
    for c in cases { #expect(PartialDate(iso: c) == PartialDate.isoParts(c), "\(c)") }
    #expect(PartialDate(iso: "2024-02-29") == PartialDate(year: 2024, month: 2, day: 29))
    #expect(PartialDate(iso: "2023-02-29") == nil)
  }
}

/// Rich text keeps no empty run and no two neighbours of the same styles: runs given so are
/// joined, runs already so are kept as they are.
@Suite struct RichTextRunTests {
  @Test func runsAreMergedAsAPlainFoldWould() {
    var rng = XorShift64(state: 77)
    let texts = ["", "a", "b c", "é"]
    let styles: [RichText.Styles] = [[], .italic, .math, [.bold, .noCase]]
    for _ in 0..<5_000 {
      let runs = (0..<Int(rng.next() % 6)).map { _ in
        RichText.Run(texts[Int(rng.next() % 4)], styles[Int(rng.next() % 4)])
      }
      // Each non-empty run joins the last one kept when their styles are the same.
      var expected: [RichText.Run] = []
      for run in runs where !run.text.isEmpty {
        if let last = expected.last, last.styles == run.styles {
          expected[expected.count - 1] = RichText.Run(last.text + run.text, last.styles)
        } else {
          expected.append(run)
        }
      }
      #expect(RichText(runs: runs).runs == expected, "\(runs)")
    }
  }
}

@Suite struct PaperKindTests {
  /// The byte table the CSL-JSON writer asks agrees with the set of CSL types: every type is
  /// found, and near misses (case, spaces, BibTeX types, a prefix or extension) are not.
  @Test func cslTypeTableAgreesWithTheSet() {
    for t in PaperKind.cslTypes { #expect(PaperKind(t).isCSLType, "\(t)") }
    let misses = [
      "", "Article", "article ", " article", "journal-article", "misc", "inproceedings", "webpage2", "web",
      "post-weblo", "legal-case", "motion picture", "entry-encyclopaedia", "thesis\u{0}",
    ]
    for t in misses {
      #expect(!PaperKind(t).isCSLType, "\(t)")
      #expect(!PaperKind.cslTypes.contains(t), "\(t)")
    }
  }
}
