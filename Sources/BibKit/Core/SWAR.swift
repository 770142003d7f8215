/// Tests on eight bytes at once (a 64-bit word read from the input). Each answers whether
/// any byte of the word has the property; a caller that needs to know which byte looks at
/// the bytes one by one.
enum SWAR {
  static let ones: UInt64 = 0x0101_0101_0101_0101
  static let highs: UInt64 = 0x8080_8080_8080_8080

  /// Whether some byte of `w` is zero.
  @inline(__always) static func hasZero(_ w: UInt64) -> Bool { (w &- ones) & ~w & highs != 0 }

  /// Whether some byte of `w` equals `c`.
  @inline(__always) static func has(_ w: UInt64, _ c: UInt8) -> Bool { hasZero(w ^ (ones &* UInt64(c))) }

  /// Whether some byte of `w` is below `n` (n at most 128).
  @inline(__always) static func hasLess(_ w: UInt64, _ n: UInt8) -> Bool {
    (w &- ones &* UInt64(n)) & ~w & highs != 0
  }

  /// The high bit of each byte of `w` that is zero, exactly (no borrow between bytes).
  @inline(__always) static func zeroBytes(_ w: UInt64) -> UInt64 {
    let low7 = ~highs
    return ~(((w & low7) &+ low7) | w) & highs
  }

  /// The high bit of each byte of `w` that is a control character, `"` or `\`, exactly. A
  /// control character is a byte whose top three bits are zero.
  @inline(__always) static func jsonEscapeBytes(_ w: UInt64) -> UInt64 {
    zeroBytes(w & (ones &* 0xE0)) | zeroBytes(w ^ (ones &* UInt64(UInt8(ascii: "\"")))) | zeroBytes(w ^ (ones &* UInt64(UInt8(ascii: "\\"))))
  }

  /// Whether some byte of `w` may be one of the bytes TeX text treats specially
  /// (`\ $ % & # _ ^ { }`) or not ASCII. Never false for a word that holds one; also true
  /// for some that hold `'`, `]` or `|` instead.
  @inline(__always) static func mayHoldTeXSpecial(_ w: UInt64) -> Bool {
    let low7 = ~highs
    let l = w & low7
    // Per byte (no carry between bytes): at least 0x23, at least 0x27, at least 0x7B, at least 0x7E.
    let from23 = l &+ ones &* 0x5D
    let from27 = l &+ ones &* 0x59
    let from7B = l &+ ones &* 0x05
    let from7E = l &+ ones &* 0x02
    // `# $ % &`, and `{ | }`.
    let ranges = (from23 & ~from27) | (from7B & ~from7E)
    // `\ ] ^ _` as 0x5F once their two low bits are set.
    let backslashOrCaret = (w | ones &* 0x03) ^ (ones &* 0x5F)
    return (w | ranges) & highs != 0 || hasZero(backslashOrCaret)
  }

  /// Moves `i` over whole words of `b` that have no control byte and no space after a space
  /// (within the word, or across its start: `afterSpace` says whether the byte before `i`
  /// was a space, or counts as one), and, with `asciiOnly`, no byte beyond ASCII. It stops
  /// at the first other word, for a byte loop to go on from, with `afterSpace` kept up.
  @inline(__always) static func skipSingleSpacedWords(
    _ b: UnsafeBufferPointer<UInt8>, from i: inout Int, afterSpace: inout Bool, asciiOnly: Bool
  ) {
    guard let base = b.baseAddress else { return }
    let spaces = ones &* 0x20
    while i + 8 <= b.count {
      let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
      if (asciiOnly && w & highs != 0) || hasLess(w, 0x20) { return }
      let space = zeroBytes(w ^ spaces)
      if space & (space >> 8) != 0 || (afterSpace && space & 0x80 != 0) { return }
      afterSpace = space >> 63 != 0
      i += 8
    }
  }

  /// The offset of the first byte a mask of high bits marks, for a word loaded from memory
  /// (whose first byte is its lowest on this little-endian machine).
  @inline(__always) static func firstMarked(_ mask: UInt64) -> Int {
    #if _endian(little)
      mask.trailingZeroBitCount >> 3
    #else
      mask.leadingZeroBitCount >> 3
    #endif
  }
}

extension SWAR {
  /// The number of line feeds in `b`, and the offset just after the last one (0 when there
  /// is none): eight bytes at a time.
  static func lineFeeds(_ b: UnsafeBufferPointer<UInt8>) -> (count: Int, lastLineStart: Int) {
    var count = 0
    var last = 0
    var i = 0
    let lf = ones &* 0x0A
    while i + 8 <= b.count {
      // The high bit of each byte that is a line feed.
      let zero = zeroBytes(UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self) ^ lf)
      if zero != 0 {
        count += zero.nonzeroBitCount
        last = i + (63 - zero.leadingZeroBitCount) / 8 + 1
      }
      i += 8
    }
    while i < b.count {
      if b[i] == 0x0A {
        count += 1
        last = i + 1
      }
      i += 1
    }
    return (count, last)
  }
}

extension Array where Element == UInt8 {
  /// Appends a string's UTF-8 from its contiguous storage, in one copy; appending `s.utf8`
  /// as a sequence goes byte by byte for small strings.
  mutating func appendUTF8(_ s: String) {
    var s = s
    s.withUTF8 { append(contentsOf: $0) }
  }

  /// Appends the bytes of a literal.
  mutating func appendStatic(_ s: StaticString) {
    s.withUTF8Buffer { append(contentsOf: $0) }
  }
}
