import Testing

@testable import BibKit

/// White-space collapsing, byte search and name tokens, which run on UTF-8 bytes, agree with
/// rules stated on Unicode scalars.
@Suite struct TextFoldingTests {
  /// The rule, on scalars: runs of space, tab, CR, LF, NEL, LINE SEPARATOR and PARAGRAPH
  /// SEPARATOR become one space; leading and trailing runs go. No-break space is text.
  static func reference(_ s: String) -> String {
    let blank: Set<UInt32> = [0x20, 0x09, 0x0A, 0x0D, 0x85, 0x2028, 0x2029]
    var out = String.UnicodeScalarView()
    var pending = false
    for u in s.unicodeScalars {
      if blank.contains(u.value) {
        pending = !out.isEmpty
      } else {
        if pending { out.append(" ") }
        pending = false
        out.append(u)
      }
    }
    return String(out)
  }

  static let alphabet: [String] = [
    " ", " ", "\t", "\n", "\r", "\r\n", "\u{85}", "\u{2028}", "\u{2029}", "\u{A0}", "a", "b", "é", "\u{301}",
    "€", "😀", "\u{2027}", "\u{C2}",
  ]

  /// Trimming on bytes agrees with trimming every White_Space scalar, on strings whose ends
  /// mix ASCII and other white space with text.
  @Test func trimmingOnBytesAgreesWithScalars() {
    let pieces = [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{1C}", "\u{85}", "\u{A0}", "\u{2028}", "\u{3000}", "a", "é", "🙂", "x y", ""]
    var rng = XorShift64(state: 0x7E57)
    var cases = ["", " ", "a", " a ", "\u{A0}a", "a\u{3000}", " \u{A0} ", "\t\n"]
    for _ in 0..<5_000 {
      cases.append((0..<Int(rng.next() % 7)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined())
    }
    for c in cases { #expect(c.trimmingSpaces() == c.trimmingSpacesByScalars(), "\(c.unicodeScalars.map(\.value))") }
    // Made straight from the bytes, the same.
    for c in cases {
      let fromBytes = Array(c.utf8).withUnsafeBufferPointer { String(trimmingSpaces: $0) }
      #expect(fromBytes == c.trimmingSpacesByScalars(), "\(c.unicodeScalars.map(\.value))")
    }
    #expect(" \u{A0}x\u{3000} ".trimmingSpaces() == "x")
    #expect("\u{1C}x ".trimmingSpaces() == "\u{1C}x")
  }

  /// Collapsing agrees with a split at the white space it knows (ASCII space, tab, CR, LF,
  /// NEL, LINE and PARAGRAPH SEPARATOR) and a join with single spaces, on random texts: short
  /// ones, and long ones of mostly plain words (read eight bytes at a time) in which the
  /// other pieces fall at every place of a word.
  @Test func collapseAgreesWithASplitAndJoin() {
    let white: Set<Unicode.Scalar> = [" ", "\t", "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"]
    var rng = XorShift64(state: 818)
    let pieces = ["a", "bc", " ", "  ", "\n", "\t", "\r\n", "\u{85}", "\u{2028}", "\u{A0}", "é", "\u{1}", "~"]
    let plain = ["a", "bc", "def ", " ghij", "klmno ", "p"]
    for round in 0..<40_000 {
      let long = round % 2 == 1
      let s = (0..<Int(rng.next() % (long ? 30 : 9))).map { _ in
        long && rng.next() % 6 != 0 ? plain[Int(rng.next() % UInt64(plain.count))] : pieces[Int(rng.next() % UInt64(pieces.count))]
      }.joined()
      var words: [String] = []
      var word = ""
      for u in s.unicodeScalars {
        if white.contains(u) {
          if !word.isEmpty { words.append(word) }
          word = ""
        } else {
          word.unicodeScalars.append(u)
        }
      }
      if !word.isEmpty { words.append(word) }
      let expected = words.joined(separator: " ")
      #expect(TextFolding.collapse(s) == expected, "\(s.debugDescription)")
      #expect(TextFolding.collapse(Array(s.utf8)) == expected, "\(s.debugDescription)")
    }
  }

  @Test func examples() {
    #expect(TextFolding.collapse("  Deep \n\t learning  ") == "Deep learning")
    #expect(TextFolding.collapse("a\u{2028}b\u{2029}\u{85}c") == "a b c")
    #expect(TextFolding.collapse("no\u{A0}break") == "no\u{A0}break")
    #expect(TextFolding.collapse("") == "")
    #expect(TextFolding.collapse(" ") == "")
    #expect(TextFolding.collapse("x ") == "x")
    #expect(TextFolding.collapse(Array("a  b".utf8)) == "a b")
  }

  @Test func agreesWithTheScalarRule() {
    var rng = XorShift64(state: 0x2545_F491_4F6C_DD1D)
    for _ in 0..<5_000 {
      var s = ""
      let state = rng.next()
      for k in 0..<Int(state % 12) {
        s += Self.alphabet[Int((state >> UInt64(4 * k + 8)) % UInt64(Self.alphabet.count))]
      }
      #expect(TextFolding.collapse(s) == Self.reference(s), "\(Array(s.unicodeScalars))")
      #expect(TextFolding.collapse(Array(s.utf8)) == Self.reference(s))
    }
  }

  @Test func byteSearch() {
    #expect("http://doi.org/10.1/x".containsBytes("doi.org/"))
    #expect(!"http://doi.or/10.1/x".containsBytes("doi.org/"))
    #expect("abc".containsBytes(""))
    #expect(!"ab".containsBytes("abc"))
    #expect("ATLAS Collaboration".lowercased().containsBytes("collaboration"))
    #expect("xxabab".dropFirst(2).containsBytes("bab"))
    #expect(!"naïve".containsBytes("nai"))
  }

  /// The byte helpers on a string's contiguous UTF-8 answer as the same questions put to its
  /// `utf8` view, and the memchr search as a plain scan, on strings of ASCII, multi-byte
  /// characters and the bytes asked for.
  @Test func byteHelpersAgreeWithTheUTF8View() {
    let pieces = ["a", "Z", "-", "\n", " ", "é", "ß", "😀", "ab", "aab", "AND", ""]
    var rng = XorShift64(state: 0x9E37_79B9_7F4A_7C15)
    for _ in 0..<5_000 {
      let state = rng.next()
      var s = ""
      for k in 0..<Int(state % 9) { s += pieces[Int((state >> UInt64(4 * k + 8)) % UInt64(pieces.count))] }
      for byte: UInt8 in [0x0A, 0x20, UInt8(ascii: "a"), 0xC3, 0x00] {
        #expect(s.containsByte(byte) == s.utf8.contains(byte), "\(s) \(byte)")
      }
      #expect(s.allBytes { $0 < 0x80 } == s.utf8.allSatisfy { $0 < 0x80 })
      #expect(s.anyByte { ASCII.isUpper($0) } == s.utf8.contains { ASCII.isUpper($0) })
      for needle in ["aab", "b", "-\n", "é"] {
        let plain = Array(s.utf8).withUnsafeBufferPointer { h -> Int? in
          let n = Array(needle.utf8)
          guard h.count >= n.count else { return nil }
          return (0...(h.count - n.count)).first { i in (0..<n.count).allSatisfy { h[i + $0] == n[$0] } }
        }
        let found = Array(s.utf8).withUnsafeBufferPointer { ByteSearch.firstIndex(of: Array(needle.utf8), in: $0) }
        #expect(found == plain, "\(s) \(needle)")
        let prefixed = Array(s.utf8).withUnsafeBufferPointer { $0.hasPrefix(Array(needle.utf8)) }
        #expect(prefixed == s.utf8.starts(with: needle.utf8), "\(s) \(needle)")
      }
      #expect(Array(s.utf8).withUnsafeBufferPointer { $0.hasPrefix([]) })
    }
  }

  /// The UTF-8 check agrees with the standard library's decoder on byte strings built from
  /// the bytes that sit at the edges of the UTF-8 table, at every alignment.
  @Test func utf8ValidationAgreesWithTheDecoder() {
    let edges: [UInt8] = [
      0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED,
      0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
    ]
    func decoderSays(_ b: [UInt8]) -> Bool {
      var it = b.makeIterator()
      var decoder = UTF8()
      while true {
        switch decoder.decode(&it) {
        case .scalarValue: continue
        case .emptyInput: return true
        case .error: return false
        }
      }
    }
    var rng = XorShift64(state: 0x9E37_79B9_7F4A_7C15)
    var valid = 0
    for _ in 0..<40_000 {
      let state = rng.next()
      var b = [UInt8](repeating: 0x61, count: Int(state % 10))
      for k in 0..<Int((state >> 8) % 6) { b.append(edges[Int((state >> UInt64(12 + 5 * k)) % UInt64(edges.count))]) }
      let ok = decoderSays(b)
      if ok { valid += 1 }
      #expect(String.isValidUTF8(b) == ok, "\(b)")
    }
    #expect(valid > 1_000)
    #expect(String.isValidUTF8(Array("Ünïcödé 😀 text that is longer than eight bytes".utf8)))
  }

  /// Text the LaTeX decoder's shortcut passes through as it is decodes to itself.
  @Test func latexShortcutAgreesWithTheDecoder() {
    let alphabet = ["a", "B", " ", " ", "-", "`", "'", "é", "\u{A0}", "\u{2028}", "\t", "\\", "{", "}", "~", "$", "x"]
    var rng = XorShift64(state: 0x1234_5678_9ABC_DEF1)
    var shortcut = 0
    for _ in 0..<20_000 {
      let state = rng.next()
      var s = ""
      for k in 0..<Int(state % 9) { s += alphabet[Int((state >> UInt64(4 + 6 * k)) % UInt64(alphabet.count))] }
      // Text with none of the special bytes always took the shortcut, as it is; the case
      // checked here is text whose only special bytes are single - ` or '.
      guard LaTeXDecoding.readsAsItself(s), s.utf8.contains(where: LaTeXDecoding.isSpecial) else { continue }
      shortcut += 1
      #expect(LaTeXDecoding.decoded(s) == RichText(s), "\(Array(s.unicodeScalars))")
      #expect(TextFolding.collapse(LaTeXDecoding.decoded(s).plainText) == LaTeXDecoding.plain(s))
    }
    #expect(shortcut > 300)
    #expect(!LaTeXDecoding.readsAsItself("a--b"))
    #expect(LaTeXDecoding.readsAsItself("O'Brien-Smith"))
    #expect(!LaTeXDecoding.readsAsItself(" O'Brien"))
  }

  @Test func nameTokens() {
    #expect(Person.tokens("Jean~de  la\tFontaine\n") == ["Jean", "de", "la", "Fontaine"])
    #expect(Person.tokens("") == [])
    #expect(Person.tokens("Élodie Ünal") == ["Élodie", "Ünal"])
    // CR LF is one Character and not a separator.
    #expect(Person.tokens("a\r\nb") == ["a\r\nb"])
  }
}

/// Splitting at ASCII separators on the bytes of text beyond ASCII gives what the split by
/// Characters gives: marks and joiners after a separator, prepended marks before it, and
/// scalars equal to an ASCII separator as Characters (U+037E is `;`) all send it there.
@Suite struct ASCIISeparatorSplitTests {
  @Test func agreesWithTheCharacterSplit() {
    let pieces = [
      "a", "é", "日本", ",", ";", " ", "\u{301}", "\u{200D}", "\u{600}", "\u{903}", "\u{37E}", "\u{1FEF}",
      "\u{212A}", "\r\n", "\u{1F469}", "x,", ";y",
    ]
    var rng = XorShift64(state: 0x5E9A)
    var byBytes = 0
    for _ in 0..<20_000 {
      let s = (0..<Int(rng.next() % 9)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
      let both = s.splitOmittingEmpty(
        bytes: { $0 == ASCII.comma || $0 == UInt8(ascii: ";") }, characters: { $0 == "," || $0 == ";" },
        asciiSeparatorsOnly: true)
      #expect(both == s.split(whereSeparator: { $0 == "," || $0 == ";" }).map(String.init), "\(Array(s.unicodeScalars))")
      let commas = s.splitOmittingEmpty(bytes: { $0 == ASCII.comma }, characters: { $0 == "," }, asciiSeparatorsOnly: true)
      #expect(commas == s.split(whereSeparator: { $0 == "," }).map(String.init), "\(Array(s.unicodeScalars))")
      var copy = s
      if copy.withUTF8({ $0.contains { $0 >= 0x80 } && !ByteSearch.hasASCIIEquivalent($0) && ByteSearch.asciiMarksStandAlone($0) { $0 == ASCII.comma } }) {
        byBytes += 1
      }
    }
    // Most of the text beyond ASCII took the byte split.
    #expect(byBytes > 5_000)
  }
}

/// White space at the ends of decoded text says nothing (BibTeX trims values): spaces and
/// no-break spaces (`~`) go, at both ends, but a space that a combining mark joins is a
/// different character and stays.
@Suite struct DecodedEndsTests {
  @Test func spacesAtTheEndsGo() {
    #expect(LaTeXDecoding.decoded("~Title~").plainText == "Title")
    #expect(LaTeXDecoding.decoded("{} Title {}").plainText == "Title")
    #expect(LaTeXDecoding.decoded("Title \u{A0}").plainText == "Title")
    #expect(LaTeXDecoding.decoded(" \u{301}x").plainText == " \u{301}x")
    #expect(LaTeXDecoding.decoded("x \u{301}").plainText == "x \u{301}")
  }
}
