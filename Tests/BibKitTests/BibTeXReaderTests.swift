import Foundation
import Testing

@testable import BibKit

/// The hard cases of research/bibtex.md §3, each with its expected reading (numbers refer to
/// that list). Where the adopted behaviour differs from BibTeX 0.99d, the test says so.
@Suite struct BibTeXHardCaseTests {
  func read(_ s: String) throws -> ReadResult {
    try BibTeXReader().read(Array(s.utf8), options: ReadOptions(source: "t.bib", asOf: Fixtures.asOf))
  }

  func one(_ s: String) throws -> Paper {
    let r = try read(s)
    try #require(r.papers.count == 1, "\(r.papers.count) papers, \(r.diagnostics)")
    return r.papers[0]
  }

  func extra(_ p: Paper, _ name: String) -> String? {
    p.extraFields.first { $0.name == name }?.value
  }

  func codes(_ r: ReadResult) -> [String] { r.diagnostics.map(\.code.rawValue) }

  // MARK: Lexical and structural

  @Test func h01_parenthesesDelimitEntries() throws {
    let p = try one("@article(key, title = {T})")
    #expect(p.citationKey == "key")
    #expect(p.title?.plainText == "T")
  }

  @Test func h02_mismatchedDelimitersAreAcceptedWithAWarning() throws {
    let r = try read("@book{key, title = {T} )\n@misc{b, title={U}}")
    #expect(r.papers.map(\.citationKey) == ["key", "b"])
    #expect(codes(r).contains("bibtex.delimiter"))
  }

  @Test func h03_namesAreCaseInsensitive() throws {
    let r = try read("@STRING{ACM = {Assoc}}\n@ARTICLE{k, TITLE = {A}, Title = {B}, publisher = acm}")
    #expect(r.papers[0].kind == .articleJournal)
    #expect(r.papers[0].title?.plainText == "A")
    #expect(codes(r).contains("bibtex.duplicate-field"))
    #expect(r.papers[0].publisher == "Assoc")
  }

  /// A macro's expansion is the one defined last before its use, in whatever case the use
  /// writes it: lookups the parser remembers do not outlive a redefinition.
  @Test func macroUsesFollowRedefinitions() {
    let source = """
      @string{jn = "First"}
      @misc{a, journal = jn, note = JN # " " # Jn}
      @string{JN = "Second"}
      @misc{b, journal = jN, note = jan # jn}
      @string{other = "x"}
      @misc{c, journal = Jn}
      """
    var parser = BibTeXParser(bytes: Array(source.utf8), source: "t.bib")
    parser.parse()
    #expect(parser.entries.map { $0.field(.journal)?.value } == ["First", "Second", "Second"])
    #expect(parser.entries.map { $0.field(.note)?.value } == ["First First", "JanuarySecond", nil])
    #expect(parser.entries.map { $0.field(.journal)?.macro } == ["jn", "jn", "jn"])
  }

  /// A field name read in any case is stored in lower case with the hash of that lower
  /// case, so lookups by name and duplicate checks do not depend on how it was written.
  @Test func fieldNamesInAnyCaseHashAsTheirLowerCase() {
    let source = "@misc{k, TITLE = {A}, BibDate = {x}, bibDATE = {y}, note = {n}, X-Tra = {z}}"
    var parser = BibTeXParser(bytes: Array(source.utf8), source: "t.bib")
    parser.parse()
    let e = parser.entries[0]
    #expect(e.fields.map(\.name) == ["title", "bibdate", "note", "x-tra"])
    for f in e.fields {
      #expect(f.nameHash == RawField.hash(f.name), "\(f.name)")
      #expect(f.known == KnownField(f.name, hash: RawField.hash(f.name)), "\(f.name)")
    }
    #expect(e.fields[0].known == .title)
    #expect(e.field("bibdate")?.value == "x")
    #expect(e.field("x-tra")?.value == "z")
    #expect(parser.diagnostics.map(\.code) == ["bibtex.duplicate-field"])
  }

  @Test func h04_whitespaceAroundTheParts() throws {
    let p = try one("@misc { k , title = {T} }")
    #expect(p.citationKey == "k")
  }

  @Test func h05_trailingCommaAndNoFields() throws {
    let r = try read("@misc{a, title = {T},}\n@misc{b,}")
    #expect(r.papers.map(\.citationKey) == ["a", "b"])
    #expect(r.diagnostics.isEmpty)
  }

  @Test func h06_doubleCommaIsToleratedWithAWarning() throws {
    let r = try read("@misc{k, title = {T},  , year = {2020}}")
    #expect(r.papers[0].title?.plainText == "T")
    #expect(r.papers[0].issued?.year == 2020)
    #expect(codes(r) == ["bibtex.empty-field"])
  }

  @Test func h07_missingCommaAfterKeyIsAnErrorAndTheNextEntryIsRead() throws {
    let r = try read("@misc{k title = {T}}\n@misc{next, title = {U}}")
    #expect(r.papers.map(\.citationKey) == ["next"])
    let e = try #require(r.diagnostics.first)
    #expect(e.severity == .error)
    #expect(e.location?.line == 1)
  }

  @Test func h08_percentLineOutsideEntriesIsAComment() throws {
    let r = try read("% @misc{x, title = {T}}\n@misc{y, title = {U}}")
    #expect(r.papers.map(\.citationKey) == ["y"])
  }

  @Test func h09_percentInsideAValueIsText() throws {
    #expect(try one("@misc{k, title = {50% off}}").title?.plainText == "50% off")
    #expect(try one("@misc{k, title = {Line % not a comment}}").title?.plainText == "Line % not a comment")
  }

  @Test func h10_percentCommentBetweenFields() throws {
    let p = try one("@misc{k, year = {2022},  % a note\n title = {T}}")
    #expect(p.issued?.year == 2022)
    #expect(p.title?.plainText == "T")
  }

  @Test func h11_commentBlockIsSkippedWhole() throws {
    let r = try read("@comment{ @misc{x, title = {T}} }\n@misc{y, title={U}}")
    #expect(r.papers.map(\.citationKey) == ["y"])
  }

  @Test func h12_commentWithoutBracesRunsToTheEndOfTheLine() throws {
    let r = try read("@comment free text here\n@misc{y, title={U}}")
    #expect(r.papers.map(\.citationKey) == ["y"])
  }

  @Test func h13_preamblesConcatenateAndAreKeptInOrder() throws {
    let r = try read(#"@preamble{ "\newcommand{\noopsort}[1]{} " # "\relax" }"# + "\n@preamble{{second}}")
    #expect(r.metadata?.preambles == [#"\newcommand{\noopsort}[1]{} \relax"#, "second"])
    var options = WriteOptions()
    options.preambles = r.metadata!.preambles
    let out = String(decoding: BibTeXWriter().write([], options: options).bytes, as: UTF8.self)
    #expect(out.hasPrefix(#"@preamble{{\newcommand{\noopsort}[1]{} \relax}}"#))
  }

  @Test func h14_macroUsedBeforeItsDefinition() throws {
    let r = try read("@misc{a, publisher = later}\n@string{later = {Now}}\n@misc{b, publisher = later}\n@string{later = {Again}}\n@misc{c, publisher = later}")
    #expect(r.papers.map(\.publisher) == ["later", "Now", "Again"])
    #expect(codes(r).contains("bibtex.undefined-macro"))
  }

  @Test func h15_undefinedMacroIsKeptAsTextWithAWarning() throws {
    let r = try read("@article{k, journal = AIJ}")
    #expect(r.papers[0].containerTitle?.plainText == "AIJ")
    #expect(codes(r) == ["bibtex.undefined-macro"])
  }

  @Test func h17_monthMacros() throws {
    #expect(try one("@misc{k, year = 2020, month = JAN}").issued == PartialDate(year: 2020, month: 1))
    #expect(try one("@misc{k, year = 2020, month = \"jan\"}").issued == PartialDate(year: 2020, month: 1))
    #expect(try one("@misc{k, year = 2020, month = {September}}").issued == PartialDate(year: 2020, month: 9))
    // Not a month: kept as written.
    let p = try one("@misc{k, year = 2020, month = jan # \"~1\"}")
    #expect(p.issued == PartialDate(year: 2020))
    #expect(extra(p, "month") == "January~1")
  }

  /// The byte shortcut for month values against the rule on text, on every name, its
  /// prefixes and case variants, numbers, and values with spaces or full stops.
  @Test func monthShortcutAgreesWithTheRule() {
    var cases = ["", " ", "0", "00", "1", "01", "9", "12", "13", "99", "001", "1 ", " 1", "+1", "1.", "sept.", "Sept", "jan.", "ja", "j", "mayy", "Mai", "okt", "décembre", "DeCeMbEr", "june ", "JUNE"]
    for name in BibTeXMapping.monthNames {
      for n in 1...name.count {
        let prefix = String(name.prefix(n))
        cases += [prefix, prefix.uppercased(), prefix.capitalized, prefix + ".", prefix + "x"]
      }
    }
    for n in 0...120 { cases.append(String(n)) }
    for c in cases { #expect(BibTeXMapping.month(c) == BibTeXMapping.monthByText(c), "\(c)") }
    #expect(BibTeXMapping.month("Oct") == 10)
    #expect(BibTeXMapping.month("Octo") == nil)
    #expect(BibTeXMapping.month("December") == 12)
    #expect(BibTeXMapping.month("13") == nil)
  }

  @Test func h18_concatenation() throws {
    #expect(try one(#"@misc{k, title = {x} # {y} # "z"}"#).title?.plainText == "xyz")
    #expect(try one(#"@misc{k, howpublished = 10 # "~" # jan}"#).containerTitle?.plainText == "10\u{00A0}January")
  }

  @Test func h19_bareValuesMustBeDigits() throws {
    let r = try read("@misc{k, pages = 12--15}\n@misc{ok, title = {T}}")
    #expect(r.papers.map(\.citationKey) == ["ok"])
    #expect(r.diagnostics.first?.severity == .error)
  }

  @Test func h20_quoteInsideBracesInAQuotedValue() throws {
    #expect(try one(#"@misc{k, title = "He said {"}hi{"}"}"#).title?.plainText == #"He said "hi""#)
  }

  @Test func h21_backslashedBraceLeavesTheValueOpen() throws {
    let r = try read("@misc{bad,\n  title = {a \\{ b},\n}\n@misc{good, title = {T}}")
    #expect(r.papers.map(\.citationKey) == ["good"])
    let e = try #require(r.diagnostics.first { $0.severity == .error })
    #expect(e.location?.line == 1)  // where the entry began
    #expect(e.message.contains("unbalanced braces"))
  }

  @Test func h22_unbalancedBraceInAQuotedValue() throws {
    let r = try read("@misc{bad, title = \"a { b\"}\n@misc{good, title = {T}}")
    #expect(r.papers.map(\.citationKey) == ["good"])
    #expect(r.diagnostics.first?.location?.line == 1)
  }

  @Test func h23_whitespaceCollapsesAndStringSpacesAreKept() throws {
    let p = try one("@string(press = { Press})\n@book{k, title = {A\n   long\ttitle}, publisher = \"ACM\" # press}")
    #expect(p.title?.plainText == "A long title")
    #expect(p.publisher == "ACM Press")
  }

  /// A field that is one macro shares the macro's text when that is already what collapsing
  /// and trimming would give; either way it reads as the same macro joined to an empty
  /// part, which takes the copying path, on macro texts with spaces, line breaks, tabs and
  /// guarded backslashes at either end.
  @Test func loneMacroReadsAsTheMacroJoinedToNothing() {
    var rng = XorShift64(state: 2024)
    let pieces = [" ", "  ", "\n", "\t", "a", "bc", "\\", "\\{}", "{x}", "é"]
    for _ in 0..<2_000 {
      let text = (0..<Int(rng.next() % 7)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
      let source = "@string{m = {\(text)}}\n@misc{k, a = m, b = m # {}, c = {} # m, d = M}"
      var p = BibTeXParser(bytes: Array(source.utf8), source: "t.bib")
      p.parse()
      guard let e = p.entries.first else {
        Issue.record("no entry for \(text.debugDescription)")
        continue
      }
      let joined = e.field("b")?.value
      #expect(joined != nil)
      #expect(e.field("a")?.value == joined, "\(text.debugDescription)")
      #expect(e.field("c")?.value == joined, "\(text.debugDescription)")
      #expect(e.field("d")?.value == joined, "\(text.debugDescription)")
      #expect(e.field("a")?.macro == "m")
      #expect(e.field("b")?.macro == nil)
    }
  }

  @Test func h24_duplicateFieldFirstWins() throws {
    let r = try read("@misc{k, note = {first}, note = {second}}")
    #expect(r.papers[0].note == "first")
    #expect(codes(r) == ["bibtex.duplicate-field"])
  }

  @Test func h25_duplicateKeyFirstWinsCaseInsensitively() throws {
    let r = try read("@misc{Key, title = {one}}\n@misc{key, title = {two}}")
    #expect(r.papers.map { $0.title?.plainText } == ["one"])
    let w = try #require(r.diagnostics.first)
    #expect(w.code == "bibtex.duplicate-key")
    #expect(w.location?.line == 2)
  }

  @Test func h26_keysWithPunctuationNonASCIIAndEmpty() throws {
    #expect(try one("@misc{DBLP:conf/nips/X17, title={T}}").citationKey == "DBLP:conf/nips/X17")
    #expect(try one("@misc{Müller2020, title={T}}").citationKey == "Müller2020")
    let r = try read("@article{, author = {Smith, A}, year = 2020, title = {Word}}")
    #expect(r.papers[0].citationKey == "smith2020word")
    #expect(codes(r) == ["bibtex.empty-key"])
  }

  @Test func h27_unknownTypesAreKept() throws {
    let p = try one("@web_page{k, title = {T}}")
    #expect(p.originalType == "web_page")
    #expect(p.kind == .document)
    let out = String(decoding: BibTeXWriter().write([p], options: WriteOptions()).bytes, as: UTF8.self)
    #expect(out.hasPrefix("@web_page{k,"))
  }

  @Test func h28_latin1IsReadAsWindows1252WithAWarning() throws {
    var bytes = Array("@misc{k, author = {Ram".utf8)
    bytes += [0xED]  // í in Latin-1
    bytes += Array("rez, Jos".utf8) + [0xE9] + Array("}, title = {Caf".utf8) + [0xE9, 0x80] + Array("}}".utf8)
    let r = try BibTeXReader().read(bytes, options: ReadOptions(asOf: Fixtures.asOf))
    #expect(r.papers[0].authors[0].family == "Ramírez")
    #expect(r.papers[0].authors[0].given == "José")
    #expect(r.papers[0].title?.plainText == "Café€")
    #expect(codes(r) == ["bibtex.encoding"])
    let bom = try BibTeXReader().read([0xEF, 0xBB, 0xBF] + Array("@misc{k, title={T}}".utf8), options: ReadOptions(asOf: Fixtures.asOf))
    #expect(bom.papers.count == 1 && bom.diagnostics.isEmpty)
  }

  @Test func h29_strayAtSignIsReportedAndReadingGoesOn() throws {
    let r = try read("Mail me @ home.\n@misc{k, title = {T}}")
    #expect(r.papers.map(\.citationKey) == ["k"])
  }

  // MARK: Names

  func name(_ s: String) -> Person { BibTeXNames.person(s) }

  /// Names with nothing to decode take a shortcut; on every such name it must agree with the
  /// full rules. Random names over the bytes the shortcut accepts, plus the near misses it
  /// must leave to the full rules (doubled `-`, `'` and spaces, and ends with a space).
  @Test func plainNamesAgreeWithTheFullRules() {
    #expect(BibTeXNames.plainPerson("Knuth, Donald E.") != nil)
    #expect(BibTeXNames.plainPerson("Jean-Pierre de la Fontaine") != nil)
    #expect(BibTeXNames.plainPerson("Vall{\\'e}e") == nil)
    var g = ConformanceTests.Generator(state: 11)
    let pieces = ["a", "b", "Z", "K", "x1", ".", "-", "'", " ", " ", ",", ", ", "de", "van", "Jr.", "O'Brien"]
    var taken = 0
    for _ in 0..<20_000 {
      let name = (0..<(1 + g.int(8))).map { _ in g.pick(pieces) }.joined()
      guard let plain = BibTeXNames.plainPerson(name) else { continue }
      taken += 1
      #expect(plain == BibTeXNames.generalPerson(name), "\(name)")
    }
    #expect(taken > 5_000)
    for name in ["a--b", "O''Brien", "a  b", " a", "a "] { #expect(BibTeXNames.plainPerson(name) == nil, "\(name)") }
  }

  /// An odd run of backslashes at the end escapes the closing brace; the writer guards it.
  @Test(arguments: [
    ("", false), ("a", false), ("a\\", true), ("a\\\\", false), ("\\\\\\", true), ("é\\", true), ("\\a", false),
  ])
  func loneBackslashAtTheEnd(value: String, lone: Bool) {
    #expect(BibTeXParser.endsWithLoneBackslash(value) == lone)
  }

  /// Page ranges with nothing to decode take a shortcut; it must give what decoding the
  /// value and joining its dashes gives, and leave every other value to that path.
  @Test func plainPagesAgreeWithDecoding() {
    #expect(BibTeXReader.plainPages("12--34") == "12-34")
    var g = ConformanceTests.Generator(state: 5)
    let pieces = ["1", "23", "e", "A", "-", "--", "---", " ", ".", ",", "+", ":", "~", "{", "}", "\\", "–", "$", "'"]
    var taken = 0
    for _ in 0..<20_000 {
      let value = (0..<(1 + g.int(6))).map { _ in g.pick(pieces) }.joined()
      guard let pages = BibTeXReader.plainPages(value) else { continue }
      taken += 1
      #expect(pages == BibTeXReader.pageRange(LaTeXDecoding.plain(value)), "\(value)")
    }
    #expect(taken > 2_000)
    for value in ["1~2", "{1}", "1  2", " 1", "1–2", "1\\,2", "", "\t1"] { #expect(BibTeXReader.plainPages(value) == nil, "\(value)") }
  }

  @Test func h30_firstVonLast() {
    let p = name("Charles Louis Xavier Joseph de la Vall{\\'e}e Poussin")
    #expect(p.given == "Charles Louis Xavier Joseph")
    #expect(p.particle == "de la")
    #expect(p.family == "Vallée Poussin")
  }

  /// Adopted from biber, not BibTeX: a capitalised first word in "von Last, First" is no von.
  @Test func h31_capitalisedVonInCommaFormIsFamily() {
    #expect(name("Van de Graaff, R. J.").family == "Van de Graaff")
    #expect(name("Van de Graaff, R. J.").particle == nil)
    #expect(name("Drummond de Andrade, Carlos").family == "Drummond de Andrade")
  }

  @Test func h32_vonLastJrFirst() {
    let p = name("von Beethoven, Jr, Ludwig")
    #expect([p.particle, p.family, p.suffix, p.given] == ["von", "Beethoven", "Jr", "Ludwig"])
    #expect(name("Ford, Jr., Henry").suffix == "Jr.")
  }

  @Test func h33_suffixPutLastReadsAsBibTeXDoes() {
    let p = name("Sherry, John F., Jr.")
    #expect(p.suffix == "John F.")
    #expect(p.given == "Jr.")
  }

  @Test func h34_moreThanTwoCommas() {
    let p = BibTeXNames.split("Smith, John, Jr, Extra")
    #expect(p.last == "Smith")
    #expect(p.jr == "John")
    #expect(p.first == "Jr Extra")
  }

  @Test func h35_andSplitsOnlyAtDepthZeroWithSpaces() {
    #expect(BibTeXNames.splitList("A Smith AND B Jones") == ["A Smith", "B Jones"])
    #expect(BibTeXNames.splitList("{Anderson}and{Smith}") == ["{Anderson}and{Smith}"])
    #expect(BibTeXNames.splitList("and{ }Smith") == ["and{ }Smith"])
  }

  @Test func h36_bracedNameIsALiteral() throws {
    let p = try one("@misc{k, author = {{Barnes and Noble} and {American Psychological Association, Task Force}}}")
    #expect(p.authors.map(\.literal) == ["Barnes and Noble", "American Psychological Association, Task Force"])
  }

  @Test func h37_andOthersMarksTruncation() throws {
    let p = try one("@misc{k, author = {A Smith and others}}")
    #expect(p.authors.map(\.family) == ["Smith"])
    #expect(p.authorsTruncated)
    #expect(String(decoding: BibTeXWriter().write([p], options: WriteOptions()).bytes, as: UTF8.self).contains("author = {Smith, A and others},"))
  }

  /// Documented exception: hyphenated tokens stay whole (BibTeX would make "baptiste" a von).
  @Test func h38_hyphenatedTokensStayWhole() {
    let p = name("Jean-baptiste Poquelin")
    #expect(p.given == "Jean-baptiste")
    #expect(p.particle == nil)
    #expect(p.family == "Poquelin")
    #expect(name("Świerczewska-Gwiazda, Agnieszka").family == "Świerczewska-Gwiazda")
  }

  @Test func h39_specialCharacterAtTheStartOfAName() {
    let p = name("{\\relax Ch}ristopher Smith")
    #expect(p.given == "Christopher")
    #expect(p.particle == nil)
  }

  @Test func h40_caseOfTokens() {
    let p = name("Jean {de} La Fontaine")
    #expect(p.given == "Jean de La")
    #expect(p.particle == nil)
    #expect(p.family == "Fontaine")
    #expect(name("{\\aa}ke Andersson").particle == "åke")  // \aa counts as lower case, as in BibTeX
    #expect(name("{\\\"O}zt{\\\"u}rk Can").particle == nil)
  }

  /// Documented exception: Unicode letters have Unicode case (8-bit BibTeX sees no case).
  @Test func h41_unicodeCase() {
    let p = name("Ünal Öztürk")
    #expect(p.given == "Ünal")
    #expect(p.family == "Öztürk")
  }

  @Test func h42_tiesSeparateTokens() {
    #expect(name("John~Smith").family == "Smith")
    #expect(name("John~Smith").given == "John")
  }

  @Test func h43_thinSpaceIsNotASeparator() {
    let p = name("Smith, J.\\,R.")
    #expect(p.family == "Smith")
    #expect(p.given == "J. R.")
  }

  @Test func h44_lastWordIsAlwaysLast() {
    #expect(name("Ludwig van").family == "van")
    let p = name("jean de la fontaine")
    #expect(p.particle == "jean de la")
    #expect(p.family == "fontaine")
  }

  @Test func h45_extendedNameFormat() {
    let p = name("family=Jong, given=K., prefix=de, useprefix=true")
    #expect([p.family, p.given, p.particle] == ["Jong", "K.", "de"])
  }

  @Test func h46_emptyNamesAreDroppedWithAWarning() throws {
    let r = try read("@misc{k, author = {A Smith and and B Jones}}")
    #expect(r.papers[0].authors.map(\.family) == ["Smith", "Jones"])
    #expect(codes(r) == ["bibtex.field"])
  }

  @Test func h47_initialsAndMarksAreKeptAsWritten() {
    #expect(name("J.R.R. Tolkien").given == "J.R.R.")
    #expect(name("Lin*, Yujun").family == "Lin*")
  }

  // MARK: Case protection, LaTeX, verbatim

  @Test func h48_bracesProtectCase() {
    let t = LaTeXDecoding.richText("{T}he {LaTeX} Companion")
    #expect(t.runs == [.init("T", .noCase), .init("he LaTeX Companion")])
    #expect(t.plainText == "The LaTeX Companion")
  }

  @Test func h49_specialCharacterGroupIsNotProtection() {
    #expect(LaTeXDecoding.richText("{\\\"O}sterreich").runs == [.init("Österreich")])
  }

  @Test func h50_mathIsKeptAsTeX() {
    #expect(LaTeXDecoding.richText("Energy $E=mc^2$ now").runs == [.init("Energy "), .init("E=mc^2", .math), .init(" now")])
  }

  @Test func h51_doubleBracesProtectTheWholeTitle() {
    #expect(LaTeXDecoding.richText("{{Uncertainty Relations for Angular Momentum}}").runs
      == [.init("Uncertainty Relations for Angular Momentum", .noCase)])
  }

  @Test(arguments: [
    (#"\"o"#, "ö"), (#"{\"o}"#, "ö"), (#"\"{o}"#, "ö"), (#"{\"{o}}"#, "ö"), (#"{\'\i}"#, "í"),
    (#"\'{\i}"#, "í"), (#"\ss"#, "ß"), (#"\o"#, "ø"), (#"\aa"#, "å"), (#"\l"#, "ł"),
    (#"\c{c}"#, "ç"), (#"\v{s}"#, "š"), (#"\H{o}"#, "ő"), (#"\k{a}"#, "ą"), (#"\={a}"#, "ā"),
    (#"\.{z}"#, "ż"), (#"\u{g}"#, "ğ"), (#"\r{a}"#, "å"), (#"\d{s}"#, "ṣ"), (#"\H o"#, "ő"),
    (#"\`a"#, "à"), (#"\^e"#, "ê"), (#"\~n"#, "ñ"), (#"\AE"#, "Æ"), (#"\oe"#, "œ"), (#"\L"#, "Ł"),
    (#"\O"#, "Ø"), (#"\AA"#, "Å"), (#"\ae"#, "æ"), (#"\OE"#, "Œ"), (#"\i"#, "ı"), (#"\j"#, "ȷ"),
  ])
  func h52_accents(latex: String, unicode: String) {
    #expect(LaTeXDecoding.plain(latex) == unicode)
  }

  @Test func h53_ligaturesAndEscapes() throws {
    #expect(LaTeXDecoding.plain("a--b---c~d ``e'' \\& \\% \\$ \\_ \\#") == "a–b—c\u{00A0}d “e” & % $ _ #")
    #expect(try one("@misc{k, pages = {12--15}}").pages == "12-15")
  }

  @Test func h54_namedMacrosStylesAndUnknownCommands() {
    #expect(LaTeXDecoding.plain("\\LaTeX\\ and \\TeX\\ldots") == "LaTeX and TeX…")
    #expect(LaTeXDecoding.richText("An \\emph{emphasised} \\textbf{bold} word").runs
      == [.init("An "), .init("emphasised", .italic), .init(" "), .init("bold", .bold), .init(" word")])
    #expect(LaTeXDecoding.plain("see \\url{https://x.org/a_b}") == "see https://x.org/a_b")
    #expect(LaTeXDecoding.plain("\\href{https://x.org}{the site}") == "the site")
    let unknown = LaTeXDecoding.richText("The \\foo{bar} thing")
    #expect(unknown.runs.contains(.init("\\foo", .tex)))
    #expect(unknown.plainText == "The \\foobar thing")
  }

  @Test func h55_verbatimFields() throws {
    let p = try one("@misc{k, url = {https://e.org/a_b%20c~d}, doi = {10.1000/x_y}}")
    #expect(p.urls == ["https://e.org/a_b%20c~d"])
    #expect(p.identifiers.doi == "10.1000/x_y")
  }

  // MARK: Inheritance and aliases

  @Test func h56_crossrefWhateverTheOrder() throws {
    let parentFirst = try read("@proceedings{p, title = {Proc}, year = 2020, publisher = {ACM}}\n@inproceedings{c, title = {Paper}, crossref = {P}}")
    let childFirst = try read("@inproceedings{c, title = {Paper}, crossref = {P}}\n@proceedings{p, title = {Proc}, year = 2020, publisher = {ACM}}")
    for r in [parentFirst, childFirst] {
      let c = try #require(r.papers.first { $0.citationKey == "c" })
      #expect(c.title?.plainText == "Paper")
      #expect(c.containerTitle?.plainText == "Proc")
      #expect(c.issued?.year == 2020)
      #expect(c.publisher == "ACM")
    }
    let cycle = try read("@misc{a, crossref = {b}}\n@misc{b, crossref = {a}}")
    #expect(cycle.papers.count == 2)
    #expect(codes(cycle).contains("bibtex.crossref-cycle"))
  }

  @Test func h57_xdataCopiesFields() throws {
    let r = try read("@xdata{pub, publisher = {Macmillan}, location = {London}}\n@book{b, title = {T}, xdata = {pub}}")
    let b = try #require(r.papers.first { $0.citationKey == "b" })
    #expect(b.publisher == "Macmillan")
    #expect(b.publisherPlace == "London")
  }

  @Test func h58_biblatexAliases() throws {
    let a = try one("@article{k, journaltitle = {J}, date = {2017-06-12}, location = {Bern}}")
    #expect(a.containerTitle?.plainText == "J")
    #expect(a.issued == PartialDate(year: 2017, month: 6, day: 12))
    #expect(a.publisherPlace == "Bern")
    let t = try one("@thesis{k, type = {mathesis}, institution = {ETH}}")
    #expect(t.kind == .thesis)
    #expect(t.genre == "mathesis")
    #expect(t.publisher == "ETH")
    #expect(try one("@online{k, url = {https://x.org}}").kind == .webpage)
    let e = try one("@misc{k, eprint = {1706.03762}, eprinttype = {arxiv}, eprintclass = {cs.CL}}")
    #expect(e.identifiers.arxiv == ArxivIdentifier(id: "1706.03762", primaryCategory: "cs.CL"))
    #expect(e.kind == .article)
  }

  @Test func arxivFormsOfJournal() throws {
    let scholar = try one("@article{k, journal = {arXiv preprint arXiv:2305.16300}, year = 2023}")
    #expect(scholar.identifiers.arxiv?.id == "2305.16300")
    #expect(scholar.kind == .article)
    let upper = try one("@article{k, journal = {ARXIV preprint ARXIV:2305.16300}, year = 2023}")
    #expect(upper.identifiers.arxiv?.id == "2305.16300")
    for journal in ["Annals arXiv:2305.16300", "A", "ar", "Ar\\'{x}iv arXiv:2305.16300"] {
      #expect(try one("@article{k, journal = {\(journal)}, year = 2023}").identifiers.arxiv == nil, "\(journal)")
    }
    let dblp = try one("@article{k, journal = {CoRR}, volume = {abs/1706.03762}, eprinttype = {arXiv}, eprint = {1706.03762}}")
    #expect(dblp.identifiers.arxiv?.id == "1706.03762")
    let published = try one("@article{k, journal = {Nature}, eprint = {1706.03762}, archivePrefix = {arXiv}, doi = {10.1038/x}}")
    #expect(published.kind == .articleJournal)
    #expect(published.identifiers.arxiv?.id == "1706.03762")
  }
}

@Suite struct BibTeXDialectTests {
  func write(_ s: String, _ dialect: BibTeXDialect) throws -> (String, [Diagnostic]) {
    let r = try BibTeXReader().read(Array(s.utf8), options: ReadOptions(asOf: Fixtures.asOf))
    var o = WriteOptions()
    o.bibtexDialect = dialect
    let w = BibTeXWriter().write(r.papers, options: o)
    return (String(decoding: w.bytes, as: UTF8.self), w.diagnostics)
  }

  @Test func biblatexIsWrittenAsRead() throws {
    let (out, diags) = try write("@online{k, title = {T}, date = {2017-06-12}, journaltitle = {J}, urldate = {2020-01-01}}", .biblatex)
    #expect(out.hasPrefix("@online{k,"))
    #expect(out.contains("  date = {2017-06-12},"))
    #expect(out.contains("  journaltitle = {J},"))
    #expect(diags.isEmpty)
  }

  @Test func classicBibTeXMapsBiblatexTypesAndFields() throws {
    let (out, diags) = try write("@thesis{k, title = {T}, type = {mathesis}, date = {2017-06-12}, location = {Bern}, annotation = {A}}", .bibtex)
    #expect(out.hasPrefix("@mastersthesis{k,"))
    #expect(out.contains("  year = {2017},\n  month = jun,\n"))
    #expect(!out.contains("date ="))
    #expect(out.contains("  address = {Bern},"))
    #expect(out.contains("  annote = {A},"))
    #expect(diags.map(\.code) == ["write.dropped"])
    let online = try write("@online{k, title = {T}}", .bibtex).0
    #expect(online.hasPrefix("@misc{k,"))
  }
}

/// Inputs the fuzzer found (Scripts/fuzz.sh), reduced by hand to the smallest that shows the
/// bug: each must read, write and read back to the same papers.
/// Inputs the fuzzers found, reduced by hand, one folder per target in `Fixtures/fuzz/`.
/// Each must read without a crash and, for formats with a writer, write(read(x)) must read
/// back to the same papers: the two properties `Scripts/fuzz.sh` checks.
@Suite struct FuzzRegressionTests {
  static let targets = ["BibTeX", "CSLJSON", "RIS", "Profile", "Arxiv"]

  static func cases() -> [String] {
    targets.flatMap { target in
      ((try? FileManager.default.contentsOfDirectory(atPath: Fixtures.url("Fixtures/fuzz/\(target)").path)) ?? [])
        .sorted().map { "\(target)/\($0)" }
    }
  }

  static func pair(_ target: Substring) -> (any BibliographyReader, (any BibliographyWriter)?) {
    switch target {
    case "BibTeX": (BibTeXReader(), BibTeXWriter())
    case "CSLJSON": (CSLJSONReader(), CSLJSONWriter())
    case "RIS": (RISReader(), RISWriter())
    case "Profile": (ProfileReader(), nil)
    default: (ArxivAtomReader(), nil)
    }
  }

  @Test func everyTargetHasRegressions() {
    let folders = Set(Self.cases().map { $0.split(separator: "/")[0] })
    #expect(folders.isSuperset(of: ["BibTeX", "CSLJSON", "RIS"]))
  }

  @Test(arguments: cases())
  func roundTrip(path: String) throws {
    let bytes = try Fixtures.bytes("Fixtures/fuzz/\(path)")
    let (reader, writer) = Self.pair(path.split(separator: "/")[0])
    let options = ReadOptions(source: path, asOf: Fixtures.asOf)
    let first = try reader.read(bytes, options: options)
    #expect(!first.papers.isEmpty)
    guard let writer else { return }
    var writeOptions = WriteOptions()
    writeOptions.bibtexDialect = .biblatex
    writeOptions.preambles = first.metadata?.preambles ?? []
    let second = try reader.read(writer.write(first.papers, options: writeOptions).bytes, options: options)
    #expect(second.papers == first.papers)
  }
}

@Suite struct KnownFieldTests {
  @Test func everyNameFindsItsCaseAndNothingElseDoes() {
    #expect(KnownField.allCases.count <= 64)  // one bit each in `RawEntry.knownFields`
    #expect(Set(KnownField.names).count == KnownField.allCases.count)
    for k in KnownField.allCases {
      #expect(KnownField(k.name, hash: RawField.hash(k.name)) == k, "\(k.name)")
      #expect(k.name == k.name.lowercased())
    }
    #expect(KnownField.year.name == "year")
    #expect(KnownField.arxivVersion.name == "arxiv-version")
    for other in ["", "titles", "tit", "Title", "bibdate", "arxiv_version", "journal-url", "yearinferred"] {
      #expect(KnownField(other, hash: RawField.hash(other)) == nil, "\(other)")
    }
  }

  /// The one-pass lookup of a name in lower case agrees with lowering it first, on names
  /// from the table, in other cases, with letters whose lower case is ASCII (the Kelvin
  /// sign, U+212A, lowers to `k`), other non-ASCII letters and unknown names.
  @Test func lookupLoweredAgreesWithLoweringFirst() {
    let table = KnownField.table
    func reference(_ name: String) -> NameTable.Lowered {
      let lower = name.lowercased()
      return table.find(lower).map { .known($0) } ?? .unknown(lower)
    }
    var names = KnownField.names + KnownField.names.map { $0.uppercased() } + KnownField.names.map { $0.capitalized }
    names += ["\u{212A}eywords", "Y\u{212A}EAR", "tİtle", "ÉDITION", "bibdate", "Journal-URL", "", "-", "ȺRXIV", "\u{0130}", "archivePrefix"]
    var g = ConformanceTests.Generator(state: 5)
    let letters = ["t", "I", "K", "\u{212A}", "e", "é", "É", "-", "y", "E", "a", "R", "x", "İ", "1"]
    names += (0..<2_000).map { _ in (0..<(1 + g.int(7))).map { _ in g.pick(letters) }.joined() }
    for name in names {
      #expect(table.lookupLowered(name) == reference(name), "\(name)")
      // On the name's bytes (the CSL-JSON reader's keys), the same.
      #expect(Array(name.utf8).withUnsafeBufferPointer { table.lookupLowered($0) } == reference(name), "\(name)")
    }
    // Bytes that are not UTF-8 read as `String(decoding:)` reads them.
    for bytes: [UInt8] in [[0x74, 0xFF, 0x74, 0x6C, 0x65], [0xC3], [0x54, 0x49, 0x54, 0x4C, 0x45, 0x80]] {
      #expect(bytes.withUnsafeBufferPointer { table.lookupLowered($0) } == reference(String(decoding: bytes, as: UTF8.self)))
    }
    #expect(table.lookupLowered("\u{212A}eywords") == .known(Int(KnownField.keywords.rawValue)))
    #expect(table.lookupLowered("Title") == .known(Int(KnownField.title.rawValue)))
    #expect(table.lookupLowered("BibDate") == .unknown("bibdate"))
  }

  /// For classic BibTeX, biblatex-only fields kept as extra fields take their classic
  /// names, whatever their case; biblatex keeps them.
  @Test func classicRenamesOfExtraFields() {
    var p = Paper(kind: .article)
    p.title = RichText("T")
    p.extraFields = [
      ExtraField(source: "bibtex", name: "Annotation", value: "a"), ExtraField(source: "bibtex", name: "eprintclass", value: "cs.LG"),
      ExtraField(source: "bibtex", name: "bibdate", value: "d"),
    ]
    func written(_ dialect: BibTeXDialect) -> String {
      var options = WriteOptions()
      options.bibtexDialect = dialect
      return String(decoding: BibTeXWriter().write([p], options: options).bytes, as: UTF8.self)
    }
    let classic = written(.bibtex)
    #expect(classic.contains("  annote = {a},\n") && classic.contains("  primaryClass = {cs.LG},\n") && classic.contains("  bibdate = {d},\n"), "\(classic)")
    let biblatex = written(.biblatex)
    #expect(biblatex.contains("  Annotation = {a},\n") && biblatex.contains("  eprintclass = {cs.LG},\n"), "\(biblatex)")
  }

  @Test func entriesFindFieldsByCaseAndByName() {
    var e = RawEntry(type: "article", key: "k", line: 1, column: 1, offset: 0)
    for (name, value) in [("bibdate", "x"), ("title", "T"), ("arxiv-version", "2"), ("journal-url", "u")] {
      let added = e.append(RawField(name: name, value: value, line: 1, column: 1, macro: nil))
      #expect(added)
    }
    let again = e.append(RawField(name: "title", value: "again", line: 2, column: 1, macro: nil))
    #expect(!again)
    #expect(e.field(.title)?.value == "T")
    #expect(e.field("title")?.value == "T")
    #expect(e.index(of: .arxivVersion) == 2)
    #expect(e.field("journal-url")?.value == "u")
    #expect(e.field(.year) == nil)
    #expect(e.field("year") == nil)
    #expect(e.field("nothing") == nil)
  }
}

/// Abstracts and notes normalized on their bytes agree with the scalar-by-scalar rule, on
/// texts built from the marks it looks for, math, escapes and letters beyond ASCII.
@Suite struct TeXNormalizedTests {
  /// `BibTeXReader.texNormalized(_:braces:)` scalar by scalar, as it was first written: the
  /// reference the byte version is held to.
  static func texNormalizedByScalars(_ s: String, braces: Bool) -> (text: String, braces: Bool) {
    var out = ""
    var inMath = false
    var converted = false
    var it = Array(s.unicodeScalars)[...]
    while let u = it.first {
      it = it.dropFirst()
      if u == "$" { inMath.toggle() }
      guard u == "\\", let next = it.first else {
        out.unicodeScalars.append(u)
        continue
      }
      if next == "%" || (!inMath && (next == "&" || next == "#" || next == "_")) {
        out.unicodeScalars.append(next)
        it = it.dropFirst()
      } else if !inMath, it.starts(with: "textasciicircum{}".unicodeScalars) {
        out += "^"
        it = it.dropFirst(17)
      } else if braces, it.starts(with: "textbraceleft{}".unicodeScalars) {
        out += "{"
        it = it.dropFirst(15)
        converted = true
      } else if braces, it.starts(with: "textbraceright{}".unicodeScalars) {
        out += "}"
        it = it.dropFirst(16)
        converted = true
      } else {
        out.unicodeScalars.append(u)
        out.unicodeScalars.append(next)
        it = it.dropFirst()
      }
    }
    return (out, converted)
  }

  @Test func bytesAgreeWithScalars() {
    var rng = XorShift64(state: 515)
    let pieces = [
      "a", " ", "$", "\\", "\\%", "\\&", "\\#", "\\_", "\\$", "\\\\", "\\textasciicircum{}", "\\textbraceleft{}",
      "\\textbraceright{}", "\\textbrace", "{", "}", "é", "\\é", "€", "^", "\\textasciicircum",
    ]
    for _ in 0..<20_000 {
      let s = (0..<Int(rng.next() % 9)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
      for braces in [true, false] {
        let bytes = BibTeXReader.texNormalized(s, braces: braces)
        let scalars = Self.texNormalizedByScalars(s, braces: braces)
        #expect(bytes.text == scalars.text && bytes.braces == scalars.braces, "\(s.debugDescription) braces \(braces)")
      }
    }
  }

  /// Keyword lists split on bytes agree with the split by Characters.
  @Test func keywordsAgreeWithACharacterSplit() {
    var rng = XorShift64(state: 616)
    let pieces = ["a", "b c", ",", ";", " ", ",,", "é", ",\u{301}", "\t", "x;y"]
    for _ in 0..<10_000 {
      let s = (0..<Int(rng.next() % 8)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
      let expected = s.split(whereSeparator: { $0 == "," || $0 == ";" }).map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
      #expect(BibTeXReader.keywords(s) == expected, "\(s.debugDescription)")
    }
  }
}

@Suite struct NameStringsTests {
  static func name(_ cache: inout NameStrings, _ bytes: [UInt8], hash: UInt64? = nil) -> String {
    bytes.withUnsafeBufferPointer { b in cache.name(hash ?? NameTable.hash(b), b) }
  }

  /// Each name comes back as the string of its bytes, whether remembered or new, and
  /// whether another name took its slot or has its hash (a forced collision).
  @Test func namesAreTheirBytes() {
    var cache = NameStrings()
    let names = ["bibdate", "bibsource", "a-very-long-field-name-of-this-file", "", "bibdate", "x", "bibsource"]
    for _ in 0..<2 {
      for n in names { #expect(Self.name(&cache, Array(n.utf8)) == n) }
    }
    // Same hash, other bytes: never the remembered string.
    #expect(Self.name(&cache, Array("bibdate".utf8), hash: 42) == "bibdate")
    #expect(Self.name(&cache, Array("bibdata".utf8), hash: 42) == "bibdata")
    #expect(Self.name(&cache, Array("bibdat".utf8), hash: 42) == "bibdat")
    // Bytes that are not UTF-8 are repaired, every time.
    for _ in 0..<2 { #expect(Self.name(&cache, [0x62, 0xFF, 0x63]) == "b\u{FFFD}c") }
  }

  /// The parser shares one string among the fields of a name, and keeps every name as written.
  @Test func parserKeepsOtherFieldNames() {
    let text = "@misc{a, BibDate = {1}, bibsource = {2}}\n@misc{b, bibdate = {3}, BIBSOURCE = {4}, bibdata = {5}}\n"
    var parser = BibTeXParser(bytes: Array(text.utf8), source: nil)
    parser.parse()
    let names = parser.entries.map { $0.fields.map(\.name) }
    #expect(names == [["bibdate", "bibsource"], ["bibdate", "bibsource", "bibdata"]])
  }
}
