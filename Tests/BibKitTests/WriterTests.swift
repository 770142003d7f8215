import CustomDump
import Foundation
import Testing

@testable import BibKit

@Suite struct WriterGoldenTests {
  static let cases: [(format: FormatID, ext: String)] = [
    (.bibtex, "bib"), (.cslJSON, "json"), (.ris, "ris"),
  ]

  func write(_ papers: [Paper], _ format: FormatID, _ options: WriteOptions = WriteOptions()) -> String {
    let writer = FormatRegistry.standard.format(format)!.writer!
    return String(decoding: writer.write(papers, options: options).bytes, as: UTF8.self)
  }

  /// `small.out.*` were written by hand from `small.txt`, not from the program's output.
  @Test(arguments: cases)
  func smallFixtureByteForByte(format: FormatID, ext: String) throws {
    let papers = try Fixtures.readProfile("Fixtures/profile/small.txt").papers
    expectNoDifference(write(papers, format), try Fixtures.text("Fixtures/profile/small.out.\(ext)"))
  }

  /// The seed goldens were recorded once and reviewed entry by entry against the seed text.
  @Test(arguments: cases)
  func seedByteForByte(format: FormatID, ext: String) throws {
    let papers = try Fixtures.readProfile("seeds/martin-jaggi-profile.txt").papers
    let out = write(papers, format)
    try Fixtures.recordIfAsked("Fixtures/profile/martin-jaggi.out.\(ext)", Data(out.utf8))
    expectNoDifference(out, try Fixtures.text("Fixtures/profile/martin-jaggi.out.\(ext)"))
  }

  @Test(arguments: cases)
  func outputDoesNotDependOnInputOrder(format: FormatID, ext: String) throws {
    let papers = try Fixtures.readProfile("seeds/martin-jaggi-profile.txt").papers
    let forward = write(papers, format)
    let backward = write(papers.reversed(), format)
    // The same entries, only in the other order: compare them as sets of entries.
    let sep = format == .ris ? "ER  - \r\n\r\n" : (format == .bibtex ? "\n@" : "\n  },\n")
    #expect(Set(forward.components(separatedBy: sep).map { $0.trimmingCharacters(in: .whitespacesAndNewlines.union(.init(charactersIn: "[]{},@"))) })
      == Set(backward.components(separatedBy: sep).map { $0.trimmingCharacters(in: .whitespacesAndNewlines.union(.init(charactersIn: "[]{},@"))) }))
  }

  @Test func seedCounts() throws {
    let papers = try Fixtures.readProfile("seeds/martin-jaggi-profile.txt").papers
    let bib = write(papers, .bibtex)
    #expect(bib.components(separatedBy: "\n@misc{").count == 50)
    #expect(bib.components(separatedBy: " and others}").count - 1 == 30)
    let json = try JSONSerialization.jsonObject(with: Data(write(papers, .cslJSON).utf8)) as? [Any]
    #expect(json?.count == 50)
    let ris = write(papers, .ris)
    #expect(ris.components(separatedBy: "\r\nER  - \r\n").count - 1 == 50)
    #expect(!ris.contains("\n") || !ris.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    #expect(!ris.hasPrefix("\u{FEFF}"))
  }
}

@Suite struct BibTeXWriterTests {
  func entry(_ p: Paper, ascii: Bool = false) -> String {
    String(decoding: BibTeXWriter().write([p], options: WriteOptions(asciiOnly: ascii)).bytes, as: UTF8.self)
  }

  @Test func protectsAcronymsAndInnerCapitals() {
    var p = Paper(kind: .article, title: "Fast LLMs with PowerSGD and MEDITRON-70B: On-Device Llama-2 in GPT-4")
    p.citationKey = "k"
    #expect(entry(p).contains("title = {Fast {LLMs} with {PowerSGD} and {MEDITRON-70B}: On-Device Llama-2 in {GPT-4}},"))
  }

  /// A particle reads back as a particle only when each of its words reads as lower case:
  /// words that start with a capital, a non-ASCII capital or an escaped symbol are braced
  /// up to their first lower-case letter (bibtex 0.99d reads `{{}\%Å}ke Larsson` and
  /// `{{}\%{\AA}}ke Larsson` with von `…ke`, checked with a `format.name$` style); when
  /// the first or last word has none, the particle is one word (`v{an Ö}`, `{ÓK Y}z`).
  @Test func particlesReadBackAsParticles() throws {
    let particles = [
      "%Åke", "Åke", "Van", "De La", "Öz", "50%off", "{X}y", "van Der", "L'ar", "#x",
      // A first or last word with no lower-case letter: the particle is written as one word.
      "ÓK Yz", "van Ö", "de Ö la", "\u{AF}ÓK \u{B4}£æ)Š\u{81}Yz", "Van {X}",
    ]
    for particle in particles {
      for ascii in [false, true] {
        var p = Paper(kind: .article, title: "T")
        p.citationKey = "k"
        p.authors = [Person(given: "Ann", family: "Larsson", particle: particle)]
        let text = entry(p, ascii: ascii)
        let back = try BibTeXReader().read(Array(text.utf8), options: ReadOptions(asOf: Fixtures.asOf)).papers
        #expect(back.first?.authors == p.authors, "\(particle) ascii \(ascii): \(text)")
      }
    }
    var p = Paper(kind: .article, title: "T")
    p.citationKey = "k"
    p.authors = [Person(given: "Ann", family: "Larsson", particle: "%Åke")]
    #expect(entry(p).contains(##"author = {{{}\%Å}ke Larsson, Ann}"##))
    #expect(entry(p, ascii: true).contains(##"author = {{{}\%{\AA}}ke Larsson, Ann}"##))
    p.authors = [Person(given: "Ann", family: "Larsson", particle: "van Ö")]
    #expect(entry(p).contains("author = {v{an Ö} Larsson, Ann}"))
    #expect(entry(p, ascii: true).contains(##"author = {v{an {\"O}} Larsson, Ann}"##))
    p.authors = [Person(given: "Ann", family: "Larsson", particle: "ÓK Yz")]
    #expect(entry(p).contains("author = {{ÓK Y}z Larsson, Ann}"))
  }

  @Test func escapesSpecialCharacters() {
    var p = Paper(kind: .article, title: ##"A & B 50% $5 #1 snake_case {x} ~ ^ \ end"##)
    p.citationKey = "k"
    #expect(entry(p).contains(##"title = {A \& B 50\% \$5 \#1 snake\_case \{x\} \textasciitilde{} \textasciicircum{} \textbackslash{} end},"##))
  }

  @Test func caseProtectedRunsAndMath() {
    var p = Paper(kind: .article)
    p.title = RichText(runs: [.init("The "), .init("dna", .noCase), .init(" of "), .init("x^2", .math)])
    p.citationKey = "k"
    #expect(entry(p).contains("title = {The {dna} of $x^2$},"))
  }

  @Test func asciiModeWritesLaTeXAccents() {
    var p = Paper(kind: .article, title: "Über Sabolčec’s Café")
    p.authors = [Person(given: "Hynek", family: "Kydlíček"), Person(given: "Ana", family: "Ødegård")]
    p.citationKey = "k"
    let out = entry(p, ascii: true)
    #expect(out.contains(#"author = {Kydl{\'\i}{\v{c}}ek, Hynek and {\O}deg{\aa}rd, Ana},"#))
    #expect(out.contains(#"title = {{\"U}ber Sabol{\v{c}}ec's Caf{\'e}},"#))
    #expect(out.unicodeScalars.allSatisfy { $0.isASCII })
  }

  @Test func preprintWithArxivId() {
    var p = Paper(kind: .article, title: "Landmark Attention")
    p.authors = [Person(given: "Amirkeivan", family: "Mohtashami")]
    p.issued = PartialDate(year: 2023, month: 5, day: 25)
    p.identifiers.arxiv = ArxivIdentifier(id: "2305.16300", version: 2, primaryCategory: "cs.CL")
    let out = entry(p)
    #expect(out.hasPrefix("@misc{mohtashami2023landmark,\n"))
    for line in [
      "  doi = {10.48550/arXiv.2305.16300},", "  url = {https://arxiv.org/abs/2305.16300},",
      "  eprint = {2305.16300},", "  archivePrefix = {arXiv},", "  primaryClass = {cs.CL},",
      "  arxiv-version = {2},",
    ] {
      #expect(out.contains(line + "\n"), "missing \(line)")
    }
  }

  @Test func namesKeepParticlesSuffixesAndLiterals() {
    var p = Paper(kind: .book, title: "T")
    p.authors = [
      Person(given: "Martin Luther", family: "King", suffix: "Jr."),
      Person(given: "Per", family: "Brinch Hansen"),
      .literal("Barnes and Noble"),
    ]
    p.citationKey = "k"
    #expect(entry(p).contains("author = {King, Jr., Martin Luther and {Brinch Hansen}, Per and {Barnes and Noble}},"))
  }

  /// Braces that do not nest (from RIS or CSL-JSON, or a BibTeX `\\textbraceright`) are
  /// written so that BibTeX does not count them, and read back as the same characters.
  @Test func bracesThatDoNotNestSurvive() throws {
    var p = Paper(citationKey: "k", kind: .book, title: RichText("Left { only"))
    p.publisherPlace = "Piscataway, ush }, note = *tuo"
    p.note = "} before {"
    p.authors = [Person(given: "Ann", family: "O}Neil")]
    p.publisher = "Balanced {pair} stays"
    let bytes = BibTeXWriter().write([p], options: WriteOptions()).bytes
    let text = String(decoding: bytes, as: UTF8.self)
    #expect(text.contains("address = {Piscataway, ush \\textbraceright{}, note = *tuo}"), "\(text)")
    #expect(text.contains("publisher = {Balanced \\{pair\\} stays}"), "\(text)")
    let back = try #require(try BibTeXReader().read(bytes, options: ReadOptions(asOf: Fixtures.asOf)).papers.first)
    #expect(back.publisherPlace == p.publisherPlace)
    #expect(back.note == p.note)
    #expect(back.title?.plainText == "Left { only")
    #expect(back.authors.first?.family == "O}Neil")
    #expect(back.publisher == p.publisher)
  }
}

/// A BibTeX extra field whose name (in any case) the writer already wrote from the model is
/// not written again, with a warning per entry; one of another name is written. Entries
/// written one after another by the same builder do not see each other's names.
/// Keys BibTeX cannot read (white space, a control character, a comma, a brace) are written
/// with those as `-`, apart from every other key, with a warning; other keys as they are.
@Suite struct BibTeXKeyTests {
  static func paper(_ key: String) -> Paper {
    var p = Paper(kind: .book, title: RichText("Title \(key.utf8.count)"))
    p.citationKey = key
    return p
  }

  static func keys(_ bib: [UInt8]) throws -> [String] {
    try BibTeXReader().read(bib, options: ReadOptions(source: "t.bib", asOf: Fixtures.asOf)).papers.map { $0.citationKey ?? "" }
  }

  @Test func unreadableKeysAreMadeReadable() throws {
    let given = ["OEB 205629", "Doe, 2001", "x{y}", "tab\there", " lead", "a\u{7F}b", ",{}",
                 "http://zotero.org/users/1/items/ABC", "café", "DBLP:conf/nips/X17", "50%", "a\"b"]
    let papers = given.map(Self.paper)
    let r = BibTeXWriter().write(papers, options: WriteOptions())
    let read = try Self.keys(r.bytes)
    #expect(read == ["OEB-205629", "Doe-2001", "x-y", "tab-here", "lead", "a-b", "key",
                     "http://zotero.org/users/1/items/ABC", "café", "DBLP:conf/nips/X17", "50%", "a\"b"])
    #expect(r.diagnostics.filter { $0.code == "write.key" }.count == 7)
    #expect(r.diagnostics.first?.description == "bibkit: warning: 'OEB 205629': BibTeX cannot read white space, a comma or a brace in a key; written as 'OEB-205629'")
    // Each paper still has its title: nothing else moved.
    #expect(try BibTeXReader().read(r.bytes, options: ReadOptions(asOf: Fixtures.asOf)).papers.map { $0.title?.plainText } == given.map { "Title \($0.utf8.count)" })
  }

  /// The one-pass hash agrees with `FoldedKey`, and is nil exactly for unreadable keys;
  /// the hash set holds what was put in it and nothing else.
  @Test func keyHashesAndTheirSet() {
    let pieces = ["a", "Z", "1", ":", " ", ",", "{", "}", "\t", "\u{7F}", "é", "\u{212A}", "ß", "-"]
    var rng = XorShift64(state: 0xB1B)
    var set = HashSet64()
    var inserted: [UInt64] = []
    for _ in 0..<3_000 {
      let key = (0..<(1 + Int(rng.next() % 5))).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
      let hash = BibTeXWriter.readableKeyHash(key)
      #expect((hash == nil) == BibTeXWriter.isUnreadableKey(key), "\(key.debugDescription)")
      if let hash {
        #expect(hash == CitationKeys.FoldedKey(key).fnv, "\(key.debugDescription)")
      }
      let h = rng.next() | 2  // neither 0 nor 1, which the set keeps as one
      if rng.next() % 2 == 0 {
        set.insert(h)
        inserted.append(h)
      } else {
        #expect(!set.contains(h))
      }
    }
    #expect(inserted.allSatisfy(set.contains))
  }

  @Test func madeKeysStayApartFromEveryOther() throws {
    // Within one batch, the made key avoids the batch's keys, in any case.
    let r = BibTeXWriter().write(["a b", "A-B", "a-ba", "c d"].map(Self.paper), options: WriteOptions())
    #expect(try Self.keys(r.bytes) == ["a-bb", "A-B", "a-ba", "c-d"])
    // A later batch's key that an earlier batch made: made again.
    var w = BibTeXWriter.Batches(options: WriteOptions())
    let first = w.write([Self.paper("e f")], keys: ["e f"])
    let second = w.write([Self.paper("e-F"), Self.paper("g")], keys: ["e-F", "g"])
    let text = (first.parts + second.parts).flatMap { $0 }
    #expect(try Self.keys(text) == ["e-f", "e-Fa", "g"])
    #expect(second.diagnostics.map(\.description) == ["bibkit: warning: 'e-F': a key made for another paper; written as 'e-Fa'"])
  }
}

@Suite struct BibTeXExtraConflictTests {
  static func paper(_ key: String, arxiv: Bool, extras: [(String, String)]) -> Paper {
    var p = Paper(citationKey: key, kind: .article, title: "T")
    if arxiv { p.identifiers.arxiv = ArxivIdentifier(id: "2101.00001") }
    p.extraFields = extras.map { ExtraField(source: "bibtex", name: $0.0, value: $0.1) }
    return p
  }

  @Test func conflictsAreSkippedInAnyCaseAndPerEntry() {
    let papers = [
      Self.paper("a", arxiv: true, extras: [("ARCHIVEPREFIX", "x"), ("Title", "y"), ("bibdate", "d"), ("Bibdate", "e")]),
      Self.paper("b", arxiv: false, extras: [("archivePrefix", "z"), ("bibdate", "f")]),
    ]
    let result = BibTeXWriter().write(papers, options: WriteOptions())
    let text = String(decoding: result.bytes, as: UTF8.self)
    let conflicts = result.diagnostics.filter { $0.code == "write.conflict" }.map(\.message)
    #expect(
      conflicts == [
        "a: extra field 'ARCHIVEPREFIX' conflicts with a field written from the model; not written",
        "a: extra field 'Title' conflicts with a field written from the model; not written",
        "a: extra field 'Bibdate' conflicts with a field written from the model; not written",
      ])
    #expect(text.contains("archivePrefix = {arXiv}"))
    #expect(!text.contains("ARCHIVEPREFIX"))
    #expect(text.contains("bibdate = {d}"))
    #expect(!text.contains("= {e}"))
    // The second entry has no arXiv id: its archivePrefix and bibdate are its own.
    #expect(text.contains("archivePrefix = {z}"))
    #expect(text.contains("bibdate = {f}"))
  }
}

/// The shortcut for the usual `Family, Given` writes what the general rules write, on names
/// with and without what the shortcut leaves to them (spaces, commas, "and", braces, TeX,
/// non-ASCII letters, particles and suffixes).
@Suite struct BibTeXNameShortcutTests {
  @Test func shortcutAgreesWithTheRules() {
    var rng = XorShift64(state: 4242)
    let parts = ["Smith", "O'Neil", "Anne-Marie", "J.", "van", "Brinch Hansen", "and", "AND", "Sand", "a,b", "{X}", "\\'e", "Ç", "x_y", "", "Ann Lee"]
    for _ in 0..<5_000 {
      func pick() -> String? {
        let k = Int(rng.next() % UInt64(parts.count + 1))
        return k == parts.count ? nil : parts[k]
      }
      var p = Person(given: pick(), family: pick())
      if rng.next() % 4 == 0 { p.particle = pick() }
      if rng.next() % 6 == 0 { p.suffix = pick() }
      if rng.next() % 8 == 0 { p.droppingParticle = pick() }
      for ascii in [false, true] {
        var fast = EntryBuilder(ascii: ascii)
        var slow = EntryBuilder(ascii: ascii)
        let a = fast.name(p)
        let b = slow.name(p, shortcut: false)
        #expect(a == b, "\(p)")
        #expect(fast.keptNonASCII == slow.keptNonASCII, "\(p)")
      }
    }
  }
}

/// A list of names goes into the entry as the field of its names, each by the general
/// rules, joined by ` and ` (with the guard after a final lone backslash).
@Suite struct BibTeXNameListTests {
  @Test func listAgreesWithTheJoinedField() {
    var rng = XorShift64(state: 1206)
    let parts = ["Smith", "O'Neil", "Brinch Hansen", "and", "a,b", "{X}", "\\'e", "Ç", "", "x\\", "y\\\\"]
    var guarded = 0
    for _ in 0..<3_000 {
      func pick() -> String? {
        let k = Int(rng.next() % UInt64(parts.count + 1))
        return k == parts.count ? nil : parts[k]
      }
      let people = (0..<(1 + Int(rng.next() % 3))).map { _ -> Person in
        var p = Person(given: pick(), family: pick())
        if rng.next() % 5 == 0 { p.particle = pick() }
        if rng.next() % 7 == 0 { p.suffix = pick() }
        return p
      }
      let truncated = rng.next() % 4 == 0
      for ascii in [false, true] {
        var list = EntryBuilder(ascii: ascii)
        var joined = EntryBuilder(ascii: ascii)
        list.names(.editor, people, truncated: truncated)
        let value = people.map { joined.name($0, shortcut: false) }.joined(separator: " and ") + (truncated ? " and others" : "")
        joined.field(.editor, raw: value)
        let (a, b) = (list.text.array, joined.text.array)
        #expect(a == b, "\(people)")
        let (ka, kb) = (list.keptNonASCII, joined.keptNonASCII)
        #expect(ka == kb, "\(people)")
        let noted = list.isWritten("editor")
        #expect(noted)
        if BibTeXParser.endsWithLoneBackslash(value) { guarded += 1 }
      }
    }
    #expect(guarded > 100)
  }
}

/// TeX text (abstracts, notes) written with its runs found eight bytes at a time gives what
/// the byte-by-byte writing gives (`referenceTeXText`), on text near real abstracts.
@Suite struct TeXTextTests {
  @Test func agreesWithTheByteByByteWriting() {
    let bases = [
      "We study $O(n^2)$ methods for \\emph{large} data_sets & show 50% gains (see {Smith}).",
      "Braces } that { do not nest, a lone \\ and ^ outside math; café, naïve, Ω and 😀 too.",
      "Plain text with nothing special in it at all, long enough to fill several words.",
    ]
    var rng = XorShift64(state: 0x7E47)
    let alphabet: [UInt8] = [0x5C, 0x24, 0x25, 0x26, 0x23, 0x5F, 0x5E, 0x7B, 0x7D, 0x27, 0x20, 0x61, 0xC3, 0xA9, 0xE2]
    var changed = 0
    for s in variantTexts(of: bases, prefixes: 100, changes: 600, alphabet: alphabet, rng: &rng) {
      for ascii in [false, true] {
        var out = "x"
        let kept = LaTeXEncoding.texText(s, ascii: ascii, into: &out)
        let expected = referenceTeXText(s, ascii: ascii)
        #expect(out == "x" + expected.text, "\(Array(s.utf8))")
        #expect(kept == expected.kept, "\(Array(s.utf8))")
        if expected.text != s { changed += 1 }
      }
    }
    #expect(changed > 1_000)
  }
}

/// Page ranges split on bytes agree with the split by Characters.
@Suite struct RISPagePartsTests {
  @Test func pagePartsAgreeWithACharacterSplit() {
    var rng = XorShift64(state: 717)
    let pieces = ["1", "23", "-", "--", "–", " ", "e", "-\u{301}", "\r\n", "x"]
    for _ in 0..<10_000 {
      let s = (0..<Int(rng.next() % 6)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
      let expected = s.split(whereSeparator: { $0 == "-" || $0 == "–" }).map(String.init)
      #expect(RISWriter.pageParts(s) == expected, "\(s.debugDescription)")
    }
  }
}

@Suite struct RISWriterTests {
  @Test func preprintTypeOption() {
    let p = Paper(citationKey: "k", kind: .article, title: "T")
    let gen = String(decoding: RISWriter().write([p], options: WriteOptions(risPreprintType: "GEN")).bytes, as: UTF8.self)
    #expect(gen.hasPrefix("TY  - GEN\r\nID  - k\r\nTI  - T\r\n"))
    let journal = Paper(citationKey: "j", kind: .articleJournal, title: "T")
    #expect(String(decoding: RISWriter().write([journal], options: WriteOptions()).bytes, as: UTF8.self).hasPrefix("TY  - JOUR\r\n"))
  }

  /// Facts RIS has no tag for are `N1  - name: value` lines, one line each: a line break
  /// in the name or the value becomes a space.
  @Test func extensionFieldsAreOneLineNotes() {
    var p = Paper(citationKey: "k", kind: .article, title: "T")
    p.hasCode = true
    p.extraFields = [
      ExtraField(source: "bibtex", name: "note2", value: "plain"),
      ExtraField(source: "bibtex", name: "remark", value: "two\nlines\r\nhere"),
      ExtraField(source: "csl-json", name: "odd\nkey", value: "v"),
    ]
    let ris = String(decoding: RISWriter().write([p], options: WriteOptions()).bytes, as: UTF8.self)
    #expect(ris.contains("\r\nN1  - code-badge: true\r\nN1  - bibtex-note2: plain\r\nN1  - bibtex-remark: two lines here\r\nN1  - csl-json-odd key: v\r\n"))
  }

  /// A preprint's genre (CSL's `article` with `genre: Working paper`) was not written at all:
  /// the preprint marker took the M3. It is now a second M3, for both preprint types.
  @Test func aPreprintKeepsItsGenre() throws {
    var p = Paper(citationKey: "k", kind: .article, title: "T")
    for genre in ["Working paper", "Preprint"] {
      p.genre = genre
      for type in ["UNPB", "GEN"] {
        let ris = RISWriter().write([p], options: WriteOptions(risPreprintType: type)).bytes
        #expect(String(decoding: ris, as: UTF8.self).contains("M3  - Preprint\r\nM3  - \(genre)\r\n"))
        let back = try RISReader().read(ris, options: ReadOptions(asOf: PartialDate(year: 2026))).papers
        #expect(back.map(\.kind) == [.article])
        #expect(back.map(\.genre) == [genre])
      }
    }
  }
}

@Suite struct NameListSeparatorTests {
  /// The writer's test for a name part that would split a list agrees with splitting.
  @Test func agreesWithSplitting() {
    let pieces = [" ", "and", "AND", "And", "{", "}", "~", "a", "x", "\t", "nd", "\\", ","]
    var rng = SystemRandomNumberGenerator()
    var cases = ["", "and", "Sandra", "Anderson", "Rock and Roll", "{Rock and Roll}", "and Co", "X and", "a~and~b"]
    for _ in 0..<5_000 {
      cases.append((0..<Int.random(in: 0...7, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined())
    }
    for c in cases { #expect(BibTeXNames.splitsNameList(c) == (BibTeXNames.splitList("x " + c + " x").count > 1), "\(c)") }
    #expect(BibTeXNames.splitsNameList("Rock and Roll"))
    #expect(!BibTeXNames.splitsNameList("{Rock and Roll}"))
    #expect(!BibTeXNames.splitsNameList("Sandra"))
  }
}

@Suite struct LaTeXEscapeShortcutTests {
  /// Text the escape gives back as it is takes a shortcut; the result is the same as the
  /// byte-by-byte escape's, in both modes.
  @Test func shortcutAgreesWithTheEscape() {
    let pieces = ["a", "Z", "9", " ", "-", "--", "`", "'", ".", ",", "{", "}", "&", "%", "$", "#", "_", "^", "~", "\\", "é", "ß", "😀", "\"", "<"]
    var rng = SystemRandomNumberGenerator()
    var cases = ["", "Smith", "O'Neil", "Jean-Paul", "a--b", "x''", "50%", "A & B"]
    for _ in 0..<5_000 {
      cases.append((0..<Int.random(in: 0...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined())
    }
    for c in cases {
      for ascii in [false, true] {
        var quick = ">"
        var full = ">"
        let keptQuick = LaTeXEncoding.escape(c, ascii: ascii, into: &quick)
        let keptFull = LaTeXEncoding.escapeBytes(c, ascii: ascii, into: &full)
        #expect(quick == full && keptQuick == keptFull, "\(c)")
      }
    }
    #expect(LaTeXEncoding.readsAsItself("Jean-Paul O'Neil"))
    #expect(!LaTeXEncoding.readsAsItself("a--b"))
  }
}

@Suite struct BibTeXPagesTests {
  /// The byte rule for ASCII page text agrees with the rule on characters.
  @Test func bytesAgreeWithCharacters() {
    let pieces = ["1", "23", "a", "B", "-", "--", "–", " ", ",", "\r\n", "\n", "é", "x"]
    var rng = SystemRandomNumberGenerator()
    var cases = ["", "-", "12-15", "12--15", "12–15", "e101-e105", "-5", "5-", "a-b-c", "S1-S2, 4-6", "12 - 15"]
    for _ in 0..<5_000 {
      cases.append((0..<Int.random(in: 0...7, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined())
    }
    for c in cases { #expect(EntryBuilder.bibtexPages(c) == EntryBuilder.bibtexPagesByCharacters(c), "\(c)") }
    #expect(EntryBuilder.bibtexPages("12-15") == "12--15")
    #expect(EntryBuilder.bibtexPages("a-b-c") == "a--b--c")
    #expect(EntryBuilder.bibtexPages("12 - 15") == "12 - 15")
  }
}

/// CSL-JSON members no CSL variable holds, through RIS and back: the writer puts them in
/// `N1  - csl-json-<name>: <JSON>` notes, and the reader must give them back as members, not
/// as note text.
@Suite struct CSLJSONThroughRISTests {
  @Test func unknownMembersComeBackAsMembers() throws {
    let json = #"[{"id":"a","type":"book","title":"T","foo-bar":"baz","custom":{"zzz":"1"},"flag":true}]"#
    let options = ReadOptions(asOf: PartialDate(year: 2026))
    let first = try CSLJSONReader().read(Array(json.utf8), options: options).papers
    #expect(first[0].extraFields.filter { $0.source == "csl-json" }.count == 3)
    let ris = RISWriter().write(first, options: WriteOptions()).bytes
    #expect(String(decoding: ris, as: UTF8.self).contains("N1  - csl-json-foo-bar: \"baz\"\r\n"))
    let back = try RISReader().read(ris, options: options).papers
    #expect(back[0].note == nil)
    #expect(back[0].extraFields == first[0].extraFields)
    let again = String(decoding: CSLJSONWriter().write(back, options: WriteOptions()).bytes, as: UTF8.self)
    #expect(again.contains(#""foo-bar": "baz""#))
    #expect(again.contains(#""flag": true"#))
  }
}

@Suite struct CSLJSONWriterTests {
  @Test func richTextBecomesCSLMarkup() {
    var p = Paper(citationKey: "k", kind: .articleJournal)
    p.title = RichText(runs: [.init("The "), .init("DNA", .noCase), .init(" of "), .init("E. coli", .italic)])
    p.issued = PartialDate(year: 2020, month: 3)
    let out = String(decoding: CSLJSONWriter().write([p], options: WriteOptions()).bytes, as: UTF8.self)
    #expect(out.contains(#""title": "The <span class=\"nocase\">DNA</span> of <i>E. coli</i>""#))
    #expect(out.contains(#""date-parts": [[2020, 3]]"#))
    #expect(out.contains(#""type": "article-journal""#))
  }

  @Test func emptyListIsAnEmptyArray() {
    #expect(CSLJSONWriter().write([], options: WriteOptions()).bytes == Array("[]\n".utf8))
  }
}

@Suite struct ReadmeExampleTests {
  /// The library example of README.md, kept in step with it.
  @Test func libraryExample() throws {
    let bytes = Array("LGMay 31, 2019Code\nPowerSGD: Practical Low-Rank Gradient Compression\n\nThijs Vogels, Martin Jaggi\n".utf8)
    let result = try ProfileReader().read(bytes, options: ReadOptions(asOf: PartialDate(year: 2026, month: 11, day: 28)))
    let bib = BibTeXWriter().write(result.papers, options: WriteOptions())
    #expect(String(decoding: bib.bytes, as: UTF8.self).hasPrefix("@misc{vogels2019powersgd,\n"))
  }
}

/// The CSL-JSON writer streams each item; the tree it replaces is the reference.
@Suite struct CSLJSONStreamingTests {
  @Test func streamedItemsEqualTheTree() throws {
    var papers = try Fixtures.readProfile("seeds/martin-jaggi-profile.txt").papers
    papers += try ArxivAtomReader().read(Fixtures.bytes("seeds/martin-jaggi-arxiv.xml"), options: ReadOptions(asOf: Fixtures.asOf)).papers
    var g = ConformanceTests.Generator(state: 7)
    papers += (0..<300).map { ConformanceTests.generate(&g, $0, carries: Capabilities.carries[.cslJSON]!) }
    var p = papers[0]
    p.authors = [Person(given: "A", family: "B", particle: "van", droppingParticle: "de", suffix: "Jr."), Person(literal: "Org")]
    p.issued = PartialDate(year: 2020, month: 2, day: 3)
    p.issued?.approximate = true
    p.identifiers.isbn = ["1", "2"]
    p.translators = [Person(given: "T", family: "U")]
    papers.append(p)
    // Custom members out of order, one name twice (they keep their order) and a name that
    // needs escaping.
    var q = papers[1]
    q.hasCode = true
    q.urls = ["https://a.example", "https://b.example"]
    q.extraFields = [
      ExtraField(source: "ris", name: "ZZ", value: "second"), ExtraField(source: "bibtex", name: "b\"q", value: "x"),
      ExtraField(source: "ris", name: "ZZ", value: "third"), ExtraField(source: "arxiv", name: "a", value: "y"),
    ]
    q.codeLinks = ["https://c.example"]
    papers.append(q)
    let writer = CSLJSONWriter()
    for (i, paper) in papers.enumerated() {
      var streamed = ByteBuffer()
      writer.writeItem(paper, key: "k\(i)", into: &streamed)
      var tree = ByteBuffer()
      writer.item(paper, key: "k\(i)").write(into: &tree, indent: 2)
      let (a, b) = (streamed.string(), tree.string())
      #expect(a == b)
    }
  }
}

/// CSL markup in ASCII text is read on its bytes; it must give the runs the reading by
/// characters gives, on random mixes of the tags, stray `<` and `>`, and text.
@Suite struct CSLRichTextTests {
  @Test func asciiMarkupReadsAsByCharacters() {
    var g = ConformanceTests.Generator(state: 3)
    let pieces = [
      "<i>", "</i>", "<b>", "</b>", "<sup>", "</sup>", "<sub>", "</sub>", "<span class=\"nocase\">", "</span>",
      "<sc>", "</sc>", "<span style=\"font-variant:small-caps;\">", "<", ">", "<x>", "a", "Bc", " ", "$", "\r\n",
    ]
    for _ in 0..<5_000 {
      let s = (0..<(1 + g.int(10))).map { _ in g.pick(pieces) }.joined()
      #expect(CSLRichText.asciiRuns(s) == CSLRichText.characterRuns(s), "\(s)")
    }
    #expect(CSLRichText.asciiRuns("a <i>b</i> c").map(\.text) == ["a ", "b", " c"])
  }

  /// Text with other characters is read on its bytes too where no `<` or `>` touches one;
  /// either way, the runs are those of the reading by characters. The pieces put combining
  /// marks, a prepended mark (U+0600) and `≮` (`<` with U+0338) next to tags.
  @Test func markupAmongOtherCharactersReadsAsByCharacters() {
    var g = ConformanceTests.Generator(state: 11)
    let pieces = [
      "<i>", "</i>", "<b>", "</b>", "<span class=\"nocase\">", "</span>", "<sc>", "</sc>", "<", ">", "<x>",
      "a", "é", "e\u{301}", "\u{301}", "\u{338}", "\u{600}", "≮", "日本", "👩\u{200D}💻", " ", "$", "\r\n",
    ]
    var bytewise = 0
    for _ in 0..<20_000 {
      let s = (0..<(1 + g.int(10))).map { _ in g.pick(pieces) }.joined()
      let expected = CSLRichText.characterRuns(s)
      if CSLRichText.bytesReadAsCharacters(s) {
        bytewise += 1
        #expect(CSLRichText.asciiRuns(s) == expected, "\(s.unicodeScalars.map { String($0.value, radix: 16) })")
      }
    }
    #expect(bytewise > 10_000)
    #expect(!CSLRichText.bytesReadAsCharacters("<i>\u{301}x</i>"))
    #expect(!CSLRichText.bytesReadAsCharacters("\u{600}<i>x</i>"))
    #expect(!CSLRichText.bytesReadAsCharacters("a<\u{338}"))
    #expect(CSLRichText.bytesReadAsCharacters("<i>É</i>日本<b>\u{1F469}</b>"))
  }

  /// Text without `$` is one plain run holding the text itself; with one, math is found.
  @Test func inlineMathFastPathAgrees() {
    #expect(RichText.parsingInlineMath("Caf\u{E9} au lait").runs == [RichText.Run("Caf\u{E9} au lait")])
    #expect(RichText.parsingInlineMath("").plainText == "")
    #expect(RichText.parsingInlineMath("").runs.allSatisfy { $0.text.isEmpty && $0.styles.isEmpty })
    #expect(RichText.parsingInlineMath("a $x$ b").runs.map(\.text) == ["a ", "x", " b"])
  }
}

/// Whether a title word needs braces, decided on its bytes for ASCII and Latin letters, is
/// what the reading by characters decides.
@Suite struct ProtectionTests {
  @Test func byteDecisionAgreesWithCharacters() {
    var g = ConformanceTests.Generator(state: 17)
    let pieces = [
      "a", "B", "c", "D", "-", "1", ".", "É", "é", "ß", "İ", "ı", "Ŀ", "ŀ", "×", "÷", "ĸ", "ŉ", "Ÿ", "ſ", "Ł", "ł",
      "Ω", "e\u{301}", "\u{301}", "ǅ", "Ａ", "ª", "Я", "я", "Σ", "ς", "—", "–", "\u{200D}", "\u{600}", "\u{5B0}", "א",
      "\u{2061}", "‘", "ǈ", "ʼ", "\u{7FF}",
    ]
    var bytewise = 0
    for _ in 0..<20_000 {
      let word = (0..<(1 + g.int(6))).map { _ in g.pick(pieces) }.joined()
      let expected = LaTeXEncoding.needsProtection(Substring(word))
      let got = Array(word.utf8).withUnsafeBufferPointer { LaTeXEncoding.needsProtection($0, 0..<$0.count) }
      #expect(got == expected, "\(word)")
      if word.unicodeScalars.allSatisfy({ $0.value < 0x800 || (0x2000..<0x2070).contains($0.value) }) { bytewise += 1 }
    }
    #expect(bytewise > 5_000)
    // The generated table is what this Swift's Characters say.
    let scalars = Array(UInt32(0x80)..<0x800) + Array(UInt32(0x2000)..<0x2070)
    #expect(LaTeXEncoding.scalarClasses.count == scalars.count)
    for (k, v) in scalars.enumerated() {
      let alone = String(Unicode.Scalar(v)!)
      let ch = Character(alone)
      let expected: UInt8 =
        ("a" + alone).count != 2 || (alone + "a").count != 2 ? 3 : !ch.isLetter ? 0 : ch.isUppercase ? 2 : 1
      #expect(LaTeXEncoding.scalarClasses[k] == expected, "U+\(String(v, radix: 16))")
    }
    // Every scalar of the table in words: alone, after a letter, doubled, before a capital.
    for v in Array(UInt32(0x80)..<0x800) + Array(UInt32(0x2000)..<0x2070) {
      let ch = String(Unicode.Scalar(v)!)
      for word in [ch, "a" + ch, ch + ch, ch + "-" + ch + ch, ch + "B"] {
        let got = Array(word.utf8).withUnsafeBufferPointer { LaTeXEncoding.needsProtection($0, 0..<$0.count) }
        #expect(got == LaTeXEncoding.needsProtection(Substring(word)), "\(word)")
      }
    }
  }
}
