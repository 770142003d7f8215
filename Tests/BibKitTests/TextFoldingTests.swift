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
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    for _ in 0..<5_000 {
      var s = ""
      state ^= state << 13
      state ^= state >> 7
      state ^= state << 17
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

  @Test func nameTokens() {
    #expect(Person.tokens("Jean~de  la\tFontaine\n") == ["Jean", "de", "la", "Fontaine"])
    #expect(Person.tokens("") == [])
    #expect(Person.tokens("Élodie Ünal") == ["Élodie", "Ünal"])
    // CR LF is one Character and not a separator.
    #expect(Person.tokens("a\r\nb") == ["a\r\nb"])
  }
}
