#if canImport(Glibc)
  import Glibc
#endif

/// Searching UTF-8 bytes: for a byte string, and for bytes that stand for characters.
enum ByteSearch {
  /// The offset of the first occurrence of `needle` in `h` at or after `from`, or nil. With
  /// `ignoringASCIICase`, upper-case ASCII letters of `h` match the lower-case ones of
  /// `needle` (which must be lower case).
  static func firstIndex(
    of needle: [UInt8], in h: UnsafeBufferPointer<UInt8>, from: Int = 0, ignoringASCIICase: Bool = false
  ) -> Int? {
    guard !needle.isEmpty else { return from <= h.count ? from : nil }
    if !ignoringASCIICase, let base = h.baseAddress {
      // Candidates found by memchr on the first byte.
      let last = h.count - needle.count  // the last offset where the needle fits
      var i = from
      while i <= last {
        guard let p = memchr(base + i, Int32(needle[0]), last - i + 1) else { return nil }
        i = UnsafeRawPointer(p) - UnsafeRawPointer(base)
        var k = 1
        while k < needle.count, h[i + k] == needle[k] { k += 1 }
        if k == needle.count { return i }
        i += 1
      }
      return nil
    }
    @inline(__always) func same(_ c: UInt8, _ n: UInt8) -> Bool {
      c == n || (ignoringASCIICase && ASCII.isUpper(c) && c | 0x20 == n)
    }
    var i = from
    while i + needle.count <= h.count {
      if same(h[i], needle[0]) {
        var k = 1
        while k < needle.count, same(h[i + k], needle[k]) { k += 1 }
        if k == needle.count { return i }
      }
      i += 1
    }
    return nil
  }
}

extension StringProtocol {
  /// Whether the UTF-8 bytes of `needle` occur in this string's UTF-8 bytes. A plain byte
  /// search: the standard library's `contains(_:)` for strings builds a searcher each call
  /// and costs a hundred times more on short strings. It compares bytes, not Characters: a
  /// needle followed by a combining mark still matches, which is what the callers (ASCII
  /// words in URLs, ids and names) want.
  func containsBytes(_ needle: String) -> Bool {
    search(needle, ignoringASCIICase: false)
  }

  /// Whether `needle`, lower-case ASCII, occurs in this string with ASCII letters in any
  /// case.
  func containsBytesIgnoringASCIICase(_ needle: String) -> Bool {
    search(needle, ignoringASCIICase: true)
  }

  private func search(_ needle: String, ignoringASCIICase: Bool) -> Bool {
    let n = Array(needle.utf8)
    func find(_ h: UnsafeBufferPointer<UInt8>) -> Bool {
      ByteSearch.firstIndex(of: n, in: h, ignoringASCIICase: ignoringASCIICase) != nil
    }
    if let found = utf8.withContiguousStorageIfAvailable(find) { return found }
    return Array(utf8).withUnsafeBufferPointer(find)
  }
}

extension String {
  /// Whether the UTF-8 holds `byte`: memchr over the contiguous bytes, where iterating
  /// `utf8` goes byte by byte through the view.
  func containsByte(_ byte: UInt8) -> Bool {
    var s = self
    return s.withUTF8 { b in
      guard let base = b.baseAddress else { return false }
      return memchr(base, Int32(byte), b.count) != nil
    }
  }

  /// Whether every UTF-8 byte satisfies `test`, on the contiguous bytes.
  func allBytes(_ test: (UInt8) -> Bool) -> Bool {
    var s = self
    return s.withUTF8 { $0.allSatisfy(test) }
  }

  /// Whether some UTF-8 byte satisfies `test`, on the contiguous bytes.
  func anyByte(where test: (UInt8) -> Bool) -> Bool {
    var s = self
    return s.withUTF8 { $0.contains(where: test) }
  }

  /// `split(whereSeparator:)` with empty parts dropped, for separators that are printable
  /// ASCII (`bytes` tells them; `characters` is the same test on a Character). ASCII text is
  /// split on its bytes, where each Character is one byte (a CRLF is two bytes but is no
  /// separator); other text by Characters, where a combining mark can join a separator.
  ///
  /// With `asciiSeparatorsOnly` (`characters` holds only for the ASCII separators and what is
  /// canonically equivalent to them), other text is split on its bytes too where every
  /// separator byte is a Character of its own and no character equivalent to an ASCII one
  /// is there.
  func splitOmittingEmpty(bytes: (UInt8) -> Bool, characters: (Character) -> Bool, asciiSeparatorsOnly: Bool = false) -> [String] {
    var copy = self
    let ascii = copy.withUTF8 { b -> [String]? in
      if b.contains(where: { $0 >= 0x80 }) {
        guard asciiSeparatorsOnly, !ByteSearch.hasASCIIEquivalent(b), ByteSearch.asciiMarksStandAlone(b, bytes) else { return nil }
      }
      var out: [String] = []
      var start = 0
      for k in 0...b.count where k == b.count || bytes(b[k]) {
        if k > start { out.append(String(decoding: UnsafeBufferPointer(rebasing: b[start..<k]), as: UTF8.self)) }
        start = k + 1
      }
      return out
    }
    return ascii ?? split(whereSeparator: characters).map(String.init)
  }
}

extension String {
  /// `String(decoding: bytes[range], as: UTF8.self)`: an array's slice takes the decoder's
  /// generic path, while its buffer takes the fast one (an ASCII test, then one copy).
  init(utf8 bytes: [UInt8], _ range: Range<Int>) {
    self = bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
  }
}

extension UnsafeBufferPointer where Element == UInt8 {
  /// Whether these bytes begin with `prefix`: compared byte by byte, where the generic
  /// `starts(with:)` goes through iterators of both.
  func hasPrefix(_ prefix: [UInt8]) -> Bool {
    guard count >= prefix.count else { return false }
    for k in prefix.indices where self[k] != prefix[k] { return false }
    return true
  }
}

extension ByteSearch {
  /// Whether every byte of `b` that `isMark` picks (ASCII ones) is a Character of its own.
  /// An ASCII scalar joins a neighbour only through a mark or joiner after it or a
  /// prepended mark before it (rules GB9, GB9a and GB9b of UAX #29, each about two
  /// neighbouring scalars), so where a neighbour is not ASCII the three scalars are asked
  /// as a string of their own.
  static func asciiMarksStandAlone(_ b: UnsafeBufferPointer<UInt8>, _ isMark: (UInt8) -> Bool) -> Bool {
    for k in b.indices where b[k] < 0x80 && isMark(b[k]) {
      let before = k > 0 && b[k - 1] >= 0x80
      let after = k + 1 < b.count && b[k + 1] >= 0x80
      guard before || after else { continue }
      // The scalars on either side: back over continuation bytes, on to the next lead byte.
      var from = k
      if before {
        from -= 1
        while from > 0, b[from] & 0xC0 == 0x80 { from -= 1 }
      }
      var to = k + 1
      if after {
        to += 1
        while to < b.count, b[to] & 0xC0 == 0x80 { to += 1 }
      }
      let window = String(decoding: UnsafeBufferPointer(rebasing: b[from..<to]), as: UTF8.self)
      if !window.contains(Character(Unicode.Scalar(b[k]))) { return false }
    }
    return true
  }

  /// Whether `b` holds one of the scalars beyond ASCII that are canonically equivalent to
  /// an ASCII one, and so equal to it as Characters: U+037E (`;`), U+1FEF (`` ` ``) and
  /// U+212A (`K`).
  static func hasASCIIEquivalent(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    for k in b.indices where b[k] == 0xCD || b[k] == 0xE1 || b[k] == 0xE2 {
      if b[k] == 0xCD, k + 1 < b.count, b[k + 1] == 0xBE { return true }
      if b[k] == 0xE1, k + 2 < b.count, b[k + 1] == 0xBF, b[k + 2] == 0xAF { return true }
      if b[k] == 0xE2, k + 2 < b.count, b[k + 1] == 0x84, b[k + 2] == 0xAA { return true }
    }
    return false
  }
}
