import Testing

@testable import BibKit

/// The eight-bytes-at-once tests agree with looking at each byte, on words built to have the
/// byte in question at every position, and on pseudo-random words.
@Suite struct SWARTests {
  static func bytes(_ w: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }

  static func words() -> [UInt64] {
    var out: [UInt64] = [0, ~0, 0x2020_2020_2020_2020, 0x8080_8080_8080_8080, 0x7F7F_7F7F_7F7F_7F7F]
    var rng = XorShift64(state: 0x9E37_79B9_7F4A_7C15)
    for _ in 0..<20_000 {
      let state = rng.next()
      out.append(state)
    }
    // Each interesting byte at each position, in a word of otherwise harmless letters.
    for c: UInt8 in [0x00, 0x0A, 0x1F, 0x20, 0x21, 0x22, 0x40, 0x5C, 0x7B, 0x7D, 0x29, 0x80, 0xFF] {
      for k in 0..<8 {
        var w: UInt64 = 0x6161_6161_6161_6161
        w &= ~(UInt64(0xFF) << (8 * k))
        w |= UInt64(c) << (8 * k)
        out.append(w)
      }
    }
    return out
  }

  @Test func agreesWithByteByByte() {
    for w in Self.words() {
      let b = Self.bytes(w)
      #expect(SWAR.hasZero(w) == b.contains(0))
      for c: UInt8 in [0x0A, 0x22, 0x40, 0x5C, 0x7B, 0x7D, 0x29] {
        #expect(SWAR.has(w, c) == b.contains(c), "has \(c) in \(String(w, radix: 16))")
      }
      #expect(SWAR.hasLess(w, 0x20) == b.contains { $0 < 0x20 })
      let zeros = SWAR.zeroBytes(w)
      #expect((0..<8).allSatisfy { (zeros >> (8 * UInt64($0) + 7)) & 1 == (b[$0] == 0 ? 1 : 0) })
      #expect((SWAR.jsonEscapeBytes(w) != 0) == b.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C })
      // Exactly the bytes that need an escape, and the first of them.
      let marked = SWAR.jsonEscapeBytes(w)
      let needs = b.map { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }
      #expect((0..<8).allSatisfy { (marked >> (8 * UInt64($0) + 7)) & 1 == (needs[$0] ? 1 : 0) }, "\(String(w, radix: 16))")
      #expect(marked & ~SWAR.highs == 0)
      if let first = needs.firstIndex(of: true) { #expect(SWAR.firstMarked(marked) == first) }
    }
  }

  /// The test for TeX's special bytes never misses one: every byte value at every position
  /// of words of other bytes; and words of letters, digits and spaces pass.
  @Test func texSpecialNeverMisses() {
    var rng = XorShift64(state: 0x7E_7E)
    for c in 0...255 {
      for k in 0..<8 {
        for _ in 0..<8 {
          // The other bytes: plain ones, drawn at random.
          var w: UInt64 = 0
          for m in 0..<8 where m != k {
            var x: UInt8
            repeat { x = UInt8(truncatingIfNeeded: rng.next()) } while !LaTeXEncoding.plainInTeX[Int(x)]
            w |= UInt64(x) << (8 * m)
          }
          w |= UInt64(c) << (8 * k)
          if !LaTeXEncoding.plainInTeX[c] { #expect(SWAR.mayHoldTeXSpecial(w), "\(String(w, radix: 16))") }
        }
      }
    }
    for text in ["abcdefgh", "The stat", "12 34 56", "A-b.c,d:", "(x) = y?"] {
      let w = Array(text.utf8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
      #expect(!SWAR.mayHoldTeXSpecial(w), "\(text)")
    }
  }

  /// The end of TeX text's plain run, found eight bytes at a time, from every start, agrees
  /// with the table byte by byte.
  @Test func texRunAgreesWithByteByByte() {
    var rng = XorShift64(state: 0xAB5)
    let alphabet: [UInt8] = [0x5C, 0x24, 0x25, 0x26, 0x23, 0x5F, 0x5E, 0x7B, 0x7D, 0x27, 0x5D, 0x7C, 0xC3, 0x20]
    let table = LaTeXEncoding.plainInTeX
    for _ in 0..<3_000 {
      let n = Int(rng.next() % 41)
      let v = (0..<n).map { _ in rng.next() % 6 == 0 ? alphabet[Int(rng.next() % UInt64(alphabet.count))] : 0x61 }
      v.withUnsafeBufferPointer { b in
        for start in 0...n {
          let expected = v[start...].firstIndex { !table[Int($0)] } ?? n
          #expect(LaTeXEncoding.plainRunEnd(b, from: start, table: table) == expected, "\(v) from \(start)")
        }
        var depth = 0
        var balanced = true
        for c in v {
          if c == 0x7B { depth += 1 } else if c == 0x7D { depth -= 1 }
          if depth < 0 { balanced = false }
        }
        #expect(LaTeXEncoding.bracesNest(b) == (balanced && depth == 0), "\(v)")
      }
    }
  }

  /// Finding the end of a JSON string's plain run eight bytes at a time agrees with looking
  /// byte by byte, from every start, on buffers with escapes at every position.
  @Test func stringRunAgreesWithByteByByte() {
    var rng = XorShift64(state: 0xC0FFEE)
    let alphabet: [UInt8] = [0x22, 0x5C, 0x0A, 0x01, 0x1F, 0x20, 0x7F, 0xC3, 0xA9, 0xE0, 0x3C]
    for _ in 0..<5_000 {
      let n = Int(rng.next() % 41)
      let v = (0..<n).map { _ in rng.next() % 5 == 0 ? alphabet[Int(rng.next() % UInt64(alphabet.count))] : 0x61 }
      for start in 0...n {
        var parser = JSONParser(v)
        parser.i = start
        parser.skipStringRun()
        let expected = v[start...].firstIndex { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C } ?? n
        #expect(parser.i == expected, "\(v) from \(start)")
      }
    }
  }

  /// White space collapsing (eight bytes at a time where it can) agrees with a plain
  /// reference, one run of white space to one space, on values of every length up to 40
  /// whose spaces fall at every position of a word.
  @Test func collapseAgreesWithARunByRunReference() {
    func reference(_ v: [UInt8], trim: Bool) -> String {
      var out: [UInt8] = []
      var inRun = false
      for c in v {
        if BibTeXParser.isSpace(c) {
          if !inRun { out.append(0x20) }
          inRun = true
        } else {
          out.append(c)
          inRun = false
        }
      }
      if trim {
        while out.first == 0x20 { out.removeFirst() }
        while out.last == 0x20 { out.removeLast() }
      }
      return String(decoding: out, as: UTF8.self)
    }
    var rng = XorShift64(state: 42)
    let alphabet: [UInt8] = [0x61, 0x62, 0x20, 0x20, 0x20, 0x09, 0x0A, 0x01, 0xC3, 0xA9]
    // And longer text that is mostly letters, with a space or a line break here and there:
    // runs of words that go over whole.
    let letters: [UInt8] = Array(repeating: 0x61, count: 12) + [0x62, 0x20, 0x20, 0x0A]
    for round in 0..<30_000 {
      let (n, from) = round < 20_000 ? (Int(rng.next() % 41), alphabet) : (Int(rng.next() % 121), letters)
      let v = (0..<n).map { _ in from[Int(rng.next() % UInt64(from.count))] }
      for trim in [false, true] {
        let got = v.withUnsafeBufferPointer { BibTeXParser.collapse($0, trim: trim) }
        #expect(got == reference(v, trim: trim), "\(v) trim \(trim)")
      }
    }
  }

  @Test func quoteEscapesWhatJSONNeeds() {
    var out = ByteBuffer()
    JSONValue.quote("plain text that is long enough \"q\" back\\slash\ttab\u{1}é end", into: &out)
    let quoted = out.string()
    #expect(quoted == #""plain text that is long enough \"q\" back\\slash\ttab\u0001é end""#)
  }

  /// Quoting eight bytes at a time (and the last eight in one test) agrees with escaping
  /// byte by byte, on strings of every length up to 40 with escapes at every position.
  @Test func quoteAgreesWithByteByByteEscaping() {
    let hexDigits = Array("0123456789abcdef".utf8)
    func reference(_ v: [UInt8]) -> [UInt8] {
      var out: [UInt8] = [0x22]
      for c in v {
        switch c {
        case 0x22: out += Array(#"\""#.utf8)
        case 0x5C: out += Array(#"\\"#.utf8)
        case 0x0A: out += Array(#"\n"#.utf8)
        case 0x0D: out += Array(#"\r"#.utf8)
        case 0x09: out += Array(#"\t"#.utf8)
        case 0x08: out += Array(#"\b"#.utf8)
        case 0x0C: out += Array(#"\f"#.utf8)
        case ..<0x20: out += Array(#"\u00"#.utf8) + [hexDigits[Int(c >> 4)], hexDigits[Int(c & 15)]]
        default: out.append(c)
        }
      }
      out.append(0x22)
      return out
    }
    var rng = XorShift64(state: 0x5EED)
    let alphabet: [UInt8] = [0x61, 0x62, 0x20, 0x22, 0x5C, 0x0A, 0x01, 0x1F, 0x7F, 0xC3, 0xA9, 0x2F]
    for _ in 0..<20_000 {
      let n = Int(rng.next() % 41)
      // Mostly plain letters, so that whole words pass and a lone escape sits anywhere.
      let v = (0..<n).map { _ in rng.next() % 4 == 0 ? alphabet[Int(rng.next() % UInt64(alphabet.count))] : 0x61 }
      var out = ByteBuffer(capacity: 1)
      v.withUnsafeBufferPointer { JSONValue.quote($0, into: &out) }
      let got = out.array
      #expect(got == reference(v), "\(v)")
    }
  }
}

/// The writers' output buffer holds exactly what an array given the same appends holds.
@Suite struct ByteBufferTests {
  @Test func agreesWithAnArray() {
    var rng = XorShift64(state: 99)
    for _ in 0..<2_000 {
      var buffer = ByteBuffer(capacity: Int(rng.next() % 40))
      var array: [UInt8] = []
      for _ in 0..<Int(rng.next() % 30) {
        let run = (0..<Int(rng.next() % 70)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        switch rng.next() % 7 {
        case 0:
          buffer.append(run.first ?? 0x41)
          array.append(run.first ?? 0x41)
        case 1:
          run.withUnsafeBufferPointer { buffer.append($0) }
          array += run
        case 2:
          // A sequence without contiguous storage takes the element-by-element path.
          buffer.append(contentsOf: run.lazy.map { $0 })
          array += run
        case 3:
          let s = String(decoding: run, as: UTF8.self)
          buffer.appendUTF8(s)
          array += Array(s.utf8)
        case 4:
          buffer.appendStatic("static")
          array += Array("static".utf8)
        case 5:
          buffer.append(0x7B)
          buffer.append(0x7D)
          array += [0x7B, 0x7D]
        default:
          if !array.isEmpty {
            let last = buffer.last
            #expect(last == array.last)
            buffer.removeLast()
            array.removeLast()
          }
        }
        let count = buffer.count
        #expect(count == array.count)
      }
      let empty = buffer.isEmpty
      #expect(empty == array.isEmpty)
      let seen = buffer.withUnsafeBufferPointer { Array($0) }
      #expect(seen == array)
      let taken = buffer.array
      #expect(taken == array)
    }
  }
}

@Suite struct ReplacingBytesTests {
  /// Splitting on a byte gives what splitting on the character gives, for every setting.
  @Test func splitOnAByteAgreesWithSplitOnTheCharacter() {
    var rng = XorShift64(state: 7)
    let alphabet: [Character] = ["a", "B", ",", " ", "/", "é", "\t"]
    for _ in 0..<5_000 {
      let s = String((0..<Int(rng.next() % 12)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
      for (c, byte) in [(Character(","), ASCII.comma), (" ", 0x20), ("/", UInt8(ascii: "/"))] {
        for maxSplits in [0, 1, 2, Int.max] {
          for omitting in [true, false] {
            let expected = s.split(separator: c, maxSplits: maxSplits, omittingEmptySubsequences: omitting).map(String.init)
            #expect(s.split(byte: byte, maxSplits: maxSplits, omittingEmptySubsequences: omitting) == expected, "\(s)")
          }
        }
      }
    }
  }

  @Test(arguments: [
    ("L.\\ Thiele", "\\ ", " ", "L. Thiele"), ("a\n\n\nb", "\n\n", "\n", "a\n\nb"), ("x", "", "y", "x"),
    ("{a}{b}", "{", "%7B", "%7Ba}%7Bb}"), ("no match", "zz", "y", "no match"), ("ééé", "é", "e", "eee"),
    ("ends with \\", "\\ ", " ", "ends with \\"), ("a\u{00A0}b", "\u{00A0}", " ", "a b"),
  ])
  func replaces(input: String, target: String, replacement: String, expected: String) {
    #expect(input.replacingBytes(target, with: replacement) == expected)
  }

  /// Line feeds counted eight bytes at a time agree with a count byte by byte, at every
  /// length and alignment.
  @Test func lineFeeds() {
    var rng = XorShift64(state: 0xDEAD_BEEF_CAFE_F00D)
    for _ in 0..<3_000 {
      let state = rng.next()
      let n = Int(state % 40)
      let bytes: [UInt8] = (0..<n).map { k in
        let r = (state >> UInt64(k % 60)) & 7
        return r == 0 ? 0x0A : r == 1 ? 0x8A : r == 2 ? 0x0B : r == 3 ? 0x09 : 0x61
      }
      var count = 0
      var last = 0
      for (k, c) in bytes.enumerated() where c == 0x0A {
        count += 1
        last = k + 1
      }
      let got = bytes.withUnsafeBufferPointer { SWAR.lineFeeds($0) }
      #expect(got.count == count && got.lastLineStart == last, "\(bytes)")
    }
  }
}

/// Lines found eight bytes at a time agree with a plain split at LF, CRLF and lone CR, on
/// inputs of every length up to 40 with line ends at every position.
@Suite struct ByteLinesTests {
  static func reference(_ b: [UInt8]) -> [[Int]] {
    // Segments between line ends; the one after a final line end (or of an empty input)
    // is no line.
    var segments: [(start: Int, end: Int)] = []
    var start = 0
    var k = 0
    while k < b.count {
      if b[k] == 0x0A || b[k] == 0x0D {
        segments.append((start, k))
        k += b[k] == 0x0D && k + 1 < b.count && b[k + 1] == 0x0A ? 2 : 1
        start = k
      } else {
        k += 1
      }
    }
    if start < b.count { segments.append((start, b.count)) }
    return segments.enumerated().map { n, seg in
      var s = seg.start
      var e = seg.end
      while s < e, [0x20, 0x09, 0x0D].contains(b[s]) { s += 1 }
      while e > s, [0x20, 0x09, 0x0D].contains(b[e - 1]) { e -= 1 }
      return [n + 1, seg.start, s, e]
    }
  }

  @Test func splitAgreesWithAPlainSplit() {
    var rng = XorShift64(state: 0x11FE)
    let alphabet: [UInt8] = [0x61, 0x61, 0x61, 0x20, 0x09, 0x0D, 0x0A, 0xC3]
    for _ in 0..<20_000 {
      let n = Int(rng.next() % 41)
      let b = (0..<n).map { _ in rng.next() % 3 == 0 ? alphabet[Int(rng.next() % UInt64(alphabet.count))] : 0x62 }
      let got = ByteLines.split(b).map { [$0.number, $0.lineStart, $0.start, $0.end] }
      #expect(got == Self.reference(b), "\(b)")
    }
  }
}
