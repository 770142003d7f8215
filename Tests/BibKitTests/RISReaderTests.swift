import Testing

@testable import BibKit

/// TY-dependent reading: types as Zotero's importer names them, names by role.
@Suite struct RISReaderTests {
  static func read(_ ris: String) throws -> [Paper] {
    try RISReader().read(Array(ris.utf8), options: ReadOptions(source: "t.ris", asOf: Fixtures.asOf)).papers
  }

  static func write(_ papers: [Paper]) -> String {
    String(decoding: RISWriter().write(papers, options: WriteOptions()).bytes, as: UTF8.self)
  }

  /// A record whose ID an earlier record has (in any case) gets a generated key, with a
  /// warning at its line: BibTeX and biber would use only the first of two equal keys.
  @Test func repeatedIDsGetGeneratedKeys() throws {
    let ris = """
      TY  - JOUR
      ID  - doe2001deep
      TI  - First
      ER  - 
      TY  - JOUR
      ID  - DOE2001DEEP
      TI  - Deep nets
      AU  - Doe, Jane
      PY  - 2001
      ER  - 
      TY  - JOUR
      ID  - doe2001deep
      TI  - Third
      AU  - Roe, Ray
      ER  - 

      """
    let r = try RISReader().read(Array(ris.utf8), options: ReadOptions(source: "t.ris", asOf: Fixtures.asOf))
    let keys = r.papers.map { $0.citationKey ?? "" }
    #expect(keys[0] == "doe2001deep")
    // Generated as for a record without an ID: the base key is taken, so a suffix.
    #expect(keys[1] == "doe2001deepa")
    #expect(keys[2] == "roethird")
    #expect(r.diagnostics.map(\.description) == [
      "t.ris:5:1: warning: repeated ID 'DOE2001DEEP' (first in the record at line 1); this record gets a generated key",
      "t.ris:11:1: warning: repeated ID 'doe2001deep' (first in the record at line 1); this record gets a generated key",
    ])
    // Without filling in (several inputs joined), the keys are left to the whole.
    var options = ReadOptions(source: "t.ris", asOf: Fixtures.asOf)
    options.fillsMissingKeys = false
    #expect(try RISReader().read(Array(ris.utf8), options: options).papers.map(\.citationKey) == ["doe2001deep", nil, nil])
  }

  /// Names read on their bytes agree with the rule, on random names of pieces that try
  /// its every branch (particles, suffixes, `Family G.`, blanks, tabs, non-ASCII).
  @Test func quickNamesAgreeWithTheRule() {
    let pieces = ["Smith", "van", "de", "Ann", "J.", "K.R.", ",", ", ", " ", "  ", "\t", "Jr.", "Ørsted", "é", "O'Brien", "Li-Ming", "x"]
    var rng = XorShift64(state: 0x0A11)
    var cases = ["Smith, Ann", " Smith , Ann ", "van Dijk, J.", "Smith,", ", Ann", ",", "Smith, Ann, Jr.", "Fanning E.", "Smith", "Ørsted, H. C.", "Smith,\tAnn"]
    for _ in 0..<20_000 {
      cases.append((0..<(1 + Int(rng.next() % 6))).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined())
    }
    var quick = 0
    for c in cases {
      #expect(RISReader.name(c) == RISReader.nameByRule(c), "\(c.debugDescription)")
      if RISReader.quickName(c) != nil { quick += 1 }
    }
    // The byte path is taken often enough for the comparison to mean something.
    #expect(quick > 1_000)
    #expect(RISReader.quickName("Smith, Ann") == Person(given: "Ann", family: "Smith"))
  }

  /// Dates of digits and slashes (or digits alone), read on bytes, agree with the rule on
  /// text.
  @Test func slashDatesAgreeWithTheRule() {
    let pieces = ["1", "9", "0", "19", "2024", "02", "29", "/", "//", " ", "-", "+", "x", "12", "31"]
    var rng = XorShift64(state: 0xDA7E)
    var cases = [
      "1980/10//", "2024/02/29/", "2023/02/29", "0/1/1", "12345/1/1", "2024/13/01", "2024//", "/", "2024/", "99999999999999999999/1",
      "2020/1/1/Spring", "1980", "0", "0000", "0012", "12345", "00001", "99999999999999999999", " 1980", "1980 ",
    ]
    for _ in 0..<20_000 {
      cases.append((0..<(1 + Int(rng.next() % 6))).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined())
    }
    for c in cases { #expect(RISReader.date(c) == RISReader.dateByText(c), "\(c)") }
    #expect(RISReader.date("1980/10//") == PartialDate(year: 1980, month: 10))
    #expect(RISReader.date("2024/02/29/") == PartialDate(year: 2024, month: 2, day: 29))
    #expect(RISReader.date("2023/02/29") == PartialDate(year: 2023, month: 2))
  }

  // TY → CSL type where Zotero's RIS importer names an item type for the TY (Zotero item
  // type → CSL type through Zotero's schema), and where it only falls back.
  @Test(arguments: [
    ("AGGR", "document"), ("ANCIENT", "document"), ("CHART", "graphic"), ("FIGURE", "graphic"),
    ("CLSWK", "book"), ("SER", "book"), ("CTLG", "article-magazine"), ("INPR", "manuscript"),
    ("PAMP", "manuscript"), ("LEGAL", "legal_case"), ("MUSIC", "song"), ("STAND", "report"),
    ("GEN", "document"), ("UNPB", "manuscript"), ("GRANT", "document"),
  ])
  func typeAsZoteroReadsIt(ty: String, kind: String) throws {
    let papers = try Self.read("TY  - \(ty)\nTI  - T\nER  - \n")
    #expect(papers.first?.kind.rawValue == kind)
    // The TY itself survives RIS → RIS.
    let again = try Self.read(Self.write(papers))
    #expect(again == papers)
    #expect(Self.write(papers).hasPrefix("TY  - \(ty)\r\n"))
  }

  @Test func billSponsorIsItsAuthor() throws {
    let p = try #require(Self.read("TY  - BILL\nTI  - An Act\nA2  - Sponsor, Ann\nED  - Clerk, Bo\nER  - \n").first)
    #expect(p.authors.map(\.family) == ["Sponsor"])
    #expect(p.editors.map(\.family) == ["Clerk"])
    let written = Self.write([p])
    #expect(written.contains("A2  - Sponsor, Ann\r\n") == false)
    #expect(try Self.read(written) == [p])
  }

  @Test func editedBookNamesAreEditors() throws {
    let p = try #require(Self.read("TY  - EDBOOK\nTI  - Essays\nAU  - Editor, Ed\nA2  - Series, Sam\nER  - \n").first)
    #expect(p.authors.isEmpty)
    #expect(p.editors.map(\.family) == ["Editor", "Series"])
    #expect(try Self.read(Self.write([p])) == [p])
    // A book that gained authors elsewhere is no longer written as EDBOOK.
    var q = p
    q.authors = [Person(given: "Wu", family: "Writer")]
    let written = Self.write([q])
    #expect(written.hasPrefix("TY  - BOOK\r\n"))
    #expect(try Self.read(written).first?.authors == q.authors)
  }

  @Test func titleWhiteSpaceCollapses() throws {
    let p = try #require(Self.read("TY  - JOUR\nTI  - Communication: \u{2028}Potential\u{00A0}Gains\u{2029} \nER  - \n").first)
    #expect(p.title?.plainText == "Communication: Potential\u{00A0}Gains")
  }
}

/// A note read back as a field (`bibtex-name: value`) has its value trimmed as
/// `trimmingSpaces()` trims, whether the ends are ASCII white space, other white space, or
/// letters beyond ASCII.
@Suite struct RISNoteFieldTests {
  @Test func noteValuesAreTrimmedAsStringsAre() {
    var rng = XorShift64(state: 31)
    let pieces = [" ", "\t", "\u{A0}", "\u{3000}", "x", "é", "a b", "\u{1C}", ":"]
    for _ in 0..<5_000 {
      let raw = (0..<Int(rng.next() % 6)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
      for name in ["bibtex-acknowledgement", "pmid"] {
        var p = Paper(kind: .document)
        let taken = RISReader.applyExtension(name + ":" + raw, to: &p)
        let expected = raw.trimmingSpaces()
        #expect(taken == !expected.isEmpty, "\(raw.debugDescription)")
        guard taken else { continue }
        if name == "pmid" {
          #expect(p.identifiers.pmid == expected, "\(raw.debugDescription)")
        } else {
          #expect(p.extraFields == [ExtraField(source: "bibtex", name: "acknowledgement", value: expected)], "\(raw.debugDescription)")
        }
      }
    }
  }
}

/// N1 lines that hold another format's extra field are read from their bytes; the papers
/// are those of reading each such line as a note line first (`readsExtraNotes` off): over
/// names with and without a format's prefix, white space of every kind at the ends and
/// after the colon, empty values, values beyond ASCII, continuation lines and lines that
/// are notes.
@Suite struct RISExtraNoteTests {
  @Test func bytesReadAsTheNoteLineIs() throws {
    var rng = XorShift64(state: 0x4E31)
    let names = ["bibtex-coden", "bibtex-bib date", "csl-json-x", "arxiv-id", "ris-own", "profile-k", "genre", "Plain note", "bibtex-", "bibtex-é"]
    let pieces = [" ", "  ", "\t", "\u{A0}", "\u{3000}", "x", "é", "a b", ":", "", "Beebe, \\path|x|"]
    func pick(_ a: [String]) -> String { a[Int(rng.next() % UInt64(a.count))] }
    var split = 0
    for _ in 0..<300 {
      var text = ""
      for r in 0..<8 {
        text += "TY  - JOUR\nID  - k\(r)\n"
        for _ in 0..<Int(rng.next() % 6) {
          text += "N1  - " + pick(["", " ", "\u{A0}"]) + pick(names) + pick([":", ": ", ":  ", " :", ""])
          text += (0..<Int(rng.next() % 4)).map { _ in pick(pieces) }.joined() + "\n"
          if rng.next() % 5 == 0 { text += pick(["more", " more ", "\u{A0}x"]) + "\n" }
        }
        text += "ER  - \n"
      }
      let bytes = Array(text.utf8)
      let options = ReadOptions(asOf: Fixtures.asOf)
      let fast = try RISReader().read(bytes, options: options)
      var reference = RISReader()
      reference.readsExtraNotes = false
      let slow = try reference.read(bytes, options: options)
      #expect(fast.papers == slow.papers, "\(text.debugDescription)")
      #expect(fast.diagnostics.map(\.description) == slow.diagnostics.map(\.description))
      split += fast.papers.reduce(0) { $0 + $1.extraFields.filter { $0.source == "bibtex" }.count }
    }
    #expect(split > 300)
  }
}

/// A field's tag code matches the code of the same tag written in the source, and no other.
@Suite struct RISTagCodeTests {
  @Test func codesMatchOnlyTheSameTag() {
    let tags = ["TI", "T1", "ti", "AU", "A1", "TY", "ER", "N1", "T", "TIX", "", "É"]
    for t in tags {
      let f = RISReader.Field(tag: t, value: "v", line: 1)
      #expect((f.code == RISReader.Field.code("TI")) == (t == "TI"), "\(t)")
      #expect((f.code == RISReader.Field.code("A1")) == (t == "A1"), "\(t)")
      for u in tags where u != t {
        #expect(f.code != RISReader.Field(tag: u, value: "", line: 1).code || (t.utf8.count != 2 && u.utf8.count != 2), "\(t) \(u)")
      }
    }
    // A tag line's code, taken from its bytes, is its tag's, and gives the tag back.
    for line in ["TY  - JOUR", "ER  -", "T1  - x", "A2 - y", "N1\t- z"] {
      let b = Array(line.utf8)
      let tag = String(line.prefix(2))
      let read = RISReader.tagLine(b, 0, b.count)
      #expect(read != nil && read!.code == RISReader.Field(tag: tag, value: "", line: 1).code, "\(line)")
      #expect(read.map { RISReader.Field(code: $0.code, value: "", line: 1).tag } == tag)
    }
    // A tag that is not two characters keeps its text.
    #expect(RISReader.Field(tag: "TIX", value: "", line: 1).tag == "TIX")
  }
}
