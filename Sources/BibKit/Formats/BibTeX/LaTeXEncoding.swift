/// Turning Unicode text into BibTeX field text.
enum LaTeXEncoding {
  /// Escapes BibTeX/LaTeX special characters in plain text and, with `ascii`, writes
  /// non-ASCII letters as LaTeX commands (é → `{\'e}`, ß → `{\ss}`).
  ///
  /// - Returns: the text, and whether a character had to stay non-ASCII in ASCII mode.
  static func escape(_ s: String, ascii: Bool, into out: inout String) -> Bool {
    // Most text (a name, a number, a title word) has nothing to escape: it goes as it is.
    if readsAsItself(s) {
      out += s
      return false
    }
    return escapeBytes(s, ascii: ascii, into: &out)
  }

  /// Whether ``escape(_:ascii:into:)`` gives `s` back: ASCII with none of the special
  /// characters, and no doubled `-`, `` ` `` or `'`.
  static func readsAsItself(_ s: String) -> Bool {
    var copy = s
    let plain = plainInText  // once, not at every byte
    return copy.withUTF8 { b in
      var previous: UInt8 = 0x20
      for c in b {
        guard plain[Int(c)] else { return false }
        if c == previous, c == UInt8(ascii: "-") || c == UInt8(ascii: "`") || c == UInt8(ascii: "'") { return false }
        previous = c
      }
      return true
    }
  }

  /// The bytes ``escape(_:ascii:into:)`` writes as they are (when not doubled).
  static let plainInText: [Bool] = (0..<256).map { c in
    c < 0x80 && !"\\$%&#_^{}~".utf8.contains(UInt8(c))
  }

  /// ``escape(_:ascii:into:)`` byte by byte, without the shortcut.
  static func escapeBytes(_ s: String, ascii: Bool, into out: inout String) -> Bool {
    // On UTF-8 bytes: every special character is ASCII; other characters are copied whole,
    // or in ASCII mode written as LaTeX.
    var copy = s
    var kept = false
    let o = copy.withUTF8 { b -> [UInt8] in
      var o: [UInt8] = []
      o.reserveCapacity(b.count + 8)
      escapeBytes(b, 0..<b.count, ascii: ascii, textBraces: !bracesNest(b), into: &o, kept: &kept)
      return o
    }
    out += String(decoding: o, as: UTF8.self)
    return kept
  }

  /// Whether the braces in `b` nest: no `}` before its `{`, none left open. BibTeX counts
  /// `\{` and `\}` as braces too, so escaped braces that do not nest would end the value
  /// early or run it into the next field.
  static func bracesNest(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = b.baseAddress else { return true }
    var depth = 0
    var i = 0
    while i < b.count {
      // Words with no brace at all are passed over whole.
      if i + 8 <= b.count {
        let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
        if !SWAR.has(w, UInt8(ascii: "{")), !SWAR.has(w, UInt8(ascii: "}")) {
          i += 8
          continue
        }
      }
      let stop = min(i + 8, b.count)
      while i < stop {
        if base[i] == UInt8(ascii: "{") {
          depth += 1
        } else if base[i] == UInt8(ascii: "}") {
          depth -= 1
          if depth < 0 { return false }
        }
        i += 1
      }
    }
    return depth == 0
  }

  /// `escape` on the bytes `b[range]`, appended to `o`. With `textBraces`, braces are written
  /// `\textbraceleft{}` and `\textbraceright{}`, which BibTeX does not count.
  static func escapeBytes(
    _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, ascii: Bool, textBraces: Bool = false,
    into o: inout [UInt8], kept: inout Bool
  ) {
    var previous: UInt8 = 0x20
    var i = range.lowerBound
    while i < range.upperBound {
      let c = b[i]
      if c >= 0x80 {
        let n = min(utf8Length(c), range.upperBound - i)
        previous = 0
        appendNonASCII(b, i, n, ascii: ascii, into: &o, kept: &kept)
        i += n
        continue
      }
      // Keep -- ``  '' from turning into dashes and quotes.
      if c == previous, c == UInt8(ascii: "-") || c == UInt8(ascii: "`") || c == UInt8(ascii: "'") {
        o.append(UInt8(ascii: "{"))
        o.append(UInt8(ascii: "}"))
      }
      previous = c
      switch c {
      case UInt8(ascii: "{") where textBraces: o.append(contentsOf: "\\textbraceleft{}".utf8)
      case UInt8(ascii: "}") where textBraces: o.append(contentsOf: "\\textbraceright{}".utf8)
      case UInt8(ascii: "&"), UInt8(ascii: "%"), UInt8(ascii: "$"), UInt8(ascii: "#"), UInt8(ascii: "_"),
        UInt8(ascii: "{"), UInt8(ascii: "}"):
        o.append(UInt8(ascii: "\\"))
        o.append(c)
      case UInt8(ascii: "~"): o.append(contentsOf: "\\textasciitilde{}".utf8)
      case UInt8(ascii: "^"): o.append(contentsOf: "\\textasciicircum{}".utf8)
      case UInt8(ascii: "\\"): o.append(contentsOf: "\\textbackslash{}".utf8)
      default: o.append(c)
      }
      i += 1
    }
  }

  /// The length of the UTF-8 sequence a lead byte starts.
  static func utf8Length(_ lead: UInt8) -> Int { lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2 }

  /// Appends the non-ASCII character at `b[i..<i+n]`: as it is, or in ASCII mode as LaTeX
  /// where there is a known form (else as it is, and `kept` is set).
  static func appendNonASCII(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ n: Int, ascii: Bool, into o: inout [UInt8], kept: inout Bool) {
    let end = min(i + n, b.count)
    guard ascii else {
      o.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<end]))
      return
    }
    var text = ""
    for u in String(decoding: UnsafeBufferPointer(rebasing: b[i..<end]), as: UTF8.self).unicodeScalars {
      if !appendOrdinary(u, ascii: true, into: &text) { kept = true }
    }
    o.appendUTF8(text)
  }

  /// Appends a character that is not special to BibTeX: as it is, or in ASCII mode as LaTeX
  /// where there is a known form. Returns false if a non-ASCII character had to stay.
  static func appendOrdinary(_ u: Unicode.Scalar, ascii: Bool, into out: inout String) -> Bool {
    if u.isASCII || !ascii || asciiLetter(u, into: &out) {
      if u.isASCII || !ascii { out.unicodeScalars.append(u) }
      return true
    }
    out.unicodeScalars.append(u)
    return false
  }

  /// Writes a non-ASCII character as LaTeX, if there is a known way. Returns false if not.
  static func asciiLetter(_ u: Unicode.Scalar, into out: inout String) -> Bool {
    if let special = latinSpecial[u.value], let tex = special.latex {
      out += "{\\\(tex)}"
      return true
    }
    if let (base, accent) = latinAccented[u.value] {
      let b = Character(Unicode.Scalar(base))
      let a = Character(Unicode.Scalar(accent))
      if ASCII.isLower(accent) {
        out += "{\\\(a){\(b)}}"  // {\v{c}}
      } else if b == "i" {
        out += "{\\\(a)\\i}"  // {\'\i}
      } else {
        out += "{\\\(a)\(b)}"  // {\'e}
      }
      return true
    }
    switch u.value {
    case 0x2013: out += "--"
    case 0x2014: out += "---"
    case 0x2018: out += "`"
    case 0x2019: out += "'"
    case 0x201C: out += "``"
    case 0x201D: out += "''"
    case 0x2026: out += "\\ldots{}"
    case 0x00A0: out += "~"
    default: return false
    }
    return true
  }

  /// Whether a word needs braces to keep its capitals: an acronym (`LLM`), or inner
  /// capitals (`PowerSGD`, `LLMs`). Hyphenated parts are tested one by one.
  static func needsProtection(_ word: Substring) -> Bool {
    for part in word.split(separator: "-") {
      var letters = 0
      var upper = 0
      var innerUpper = false
      for ch in part where ch.isLetter {
        if ch.isUppercase {
          upper += 1
          if letters > 0 { innerUpper = true }
        }
        letters += 1
      }
      if innerUpper { return true }
      if letters >= 2, upper == letters { return true }
    }
    return false
  }

  /// Plain title text with special characters escaped and acronyms braced.
  static func protectedText(_ s: String, ascii: Bool, into out: inout String) -> Bool {
    // On UTF-8 bytes. Words are separated by spaces, tabs, line breaks and no-break spaces;
    // each word's leading punctuation, core and trailing punctuation (and hyphens) are
    // escaped separately, and a core that needs it is braced.
    var copy = s
    var kept = false
    let o = copy.withUTF8 { b -> [UInt8] in
      var o: [UInt8] = []
      o.reserveCapacity(b.count + 16)
      let textBraces = !bracesNest(b)
      func spaceWidth(_ i: Int) -> Int {
        switch b[i] {
        case 0x20, 0x0A, 0x09: return 1
        case 0xC2 where i + 1 < b.count && b[i + 1] == 0xA0: return 2
        default: return 0
        }
      }
      func isPunct(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: "!"),
          UInt8(ascii: "?"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"),
          UInt8(ascii: "\""), UInt8(ascii: "'"):
          return true
        default: return false
        }
      }
      // One buffer for every word's core, emptied for each.
      var core: [UInt8] = []
      core.reserveCapacity(32)
      var i = 0
      while i < b.count {
        let spacesStart = i
        while i < b.count, spaceWidth(i) > 0 { i += spaceWidth(i) }
        escapeBytes(b, spacesStart..<i, ascii: ascii, textBraces: textBraces, into: &o, kept: &kept)
        let wordStart = i
        while i < b.count, spaceWidth(i) == 0 { i += 1 }
        guard i > wordStart else { continue }
        var coreStart = wordStart
        while coreStart < i, isPunct(b[coreStart]) { coreStart += 1 }
        var coreEnd = i
        while coreEnd > coreStart, isPunct(b[coreEnd - 1]) || b[coreEnd - 1] == UInt8(ascii: "-") { coreEnd -= 1 }
        escapeBytes(b, wordStart..<coreStart, ascii: ascii, textBraces: textBraces, into: &o, kept: &kept)
        core.removeAll(keepingCapacity: true)
        escapeBytes(b, coreStart..<coreEnd, ascii: ascii, textBraces: textBraces, into: &core, kept: &kept)
        // A braced word reads back as plain text only when its source has no braces or
        // dollars of its own (the reader's rule); other words stay unbraced.
        if coreEnd > coreStart, needsProtection(b, coreStart..<coreEnd),
          !core.contains(UInt8(ascii: "{")), !core.contains(UInt8(ascii: "$"))
        {
          o.append(UInt8(ascii: "{"))
          o.append(contentsOf: core)
          o.append(UInt8(ascii: "}"))
        } else {
          o.append(contentsOf: core)
        }
        escapeBytes(b, coreEnd..<i, ascii: ascii, textBraces: textBraces, into: &o, kept: &kept)
      }
      return o
    }
    out += String(decoding: o, as: UTF8.self)
    return kept
  }

  /// `needsProtection` on the bytes `b[range]`. A word of ASCII and of the scalars in
  /// ``scalarClasses`` none of which joins its neighbours (so that each scalar is a
  /// character of its own) is decided on its bytes; any other word by characters.
  static func needsProtection(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
    var letters = 0
    var upper = 0
    var innerUpper = false
    var k = range.lowerBound
    while k < range.upperBound {
      let c = b[k]
      let letterClass: UInt8
      if c < 0x80 {
        k += 1
        if c == UInt8(ascii: "-") {
          if innerUpper || (letters >= 2 && upper == letters) { return true }
          letters = 0
          upper = 0
          continue
        }
        letterClass = ASCII.isUpper(c) ? 2 : ASCII.isLower(c) ? 1 : 0
      } else {
        let (cls, n) = scalarClass(b, k, range.upperBound)
        guard cls < 3 else {
          return needsProtection(Substring(String(decoding: UnsafeBufferPointer(rebasing: b[range]), as: UTF8.self)))
        }
        letterClass = cls
        k += n
      }
      guard letterClass != 0 else { continue }
      if letterClass == 2 {
        upper += 1
        if letters > 0 { innerUpper = true }
      }
      letters += 1
    }
    return innerUpper || (letters >= 2 && upper == letters)
  }

  /// The class in ``scalarClasses`` of the scalar whose UTF-8 begins at `b[k]` (below
  /// `end`), and its length; class 3 for a scalar the table does not hold.
  @inline(__always) static func scalarClass(_ b: UnsafeBufferPointer<UInt8>, _ k: Int, _ end: Int) -> (UInt8, Int) {
    let c = b[k]
    if c >= 0xC2, c <= 0xDF, k + 1 < end, b[k + 1] & 0xC0 == 0x80 {
      return (scalarClasses[Int(UInt32(c & 0x1F) << 6 | UInt32(b[k + 1] & 0x3F)) - 0x80], 2)
    }
    if c == 0xE2, k + 2 < end, b[k + 1] == 0x80 || b[k + 1] == 0x81, b[k + 2] & 0xC0 == 0x80 {
      let v = 0x2000 + Int(b[k + 1] & 0x01) << 6 + Int(b[k + 2] & 0x3F)
      return v < 0x2070 ? (scalarClasses[v - 0x2000 + 0x780], 3) : (3, 3)
    }
    return (3, 1)
  }

  /// ``scalarClassDigits`` (a generated table, see Scripts/gen-scalar-classes.swift) as
  /// numbers: the class of U+0080 + k at k, of U+2000 + k at 0x780 + k.
  static let scalarClasses: [UInt8] = {
    let digits = scalarClassDigits
    return UnsafeBufferPointer(start: digits.utf8Start, count: digits.utf8CodeUnitCount).map { $0 &- 0x30 }
  }()

  /// The ASCII bytes ``texText(_:ascii:into:)`` copies as they are, in every state.
  static let plainInTeX: [Bool] = (0..<256).map { c in
    c < 0x80 && !"\\$%&#_^{}".utf8.contains(UInt8(c))
  }

  /// The end of the run of bytes from `i` that ``texText(_:ascii:into:)`` copies as they
  /// are (``plainInTeX``): eight bytes at a time while none of them can end it.
  @inline(__always) static func plainRunEnd(_ b: UnsafeBufferPointer<UInt8>, from i: Int, table plain: [Bool]) -> Int {
    guard let base = b.baseAddress else { return i }
    let n = b.count
    var j = i
    while true {
      while j + 8 <= n, !SWAR.mayHoldTeXSpecial(UnsafeRawPointer(base + j).loadUnaligned(as: UInt64.self)) { j += 8 }
      // The word that may hold one, byte by byte (the test has false alarms: `'`, `]`, `|`).
      let stop = min(j + 8, n)
      while j < stop, plain[Int(base[j])] { j += 1 }
      if j < stop || j == n { return j }
    }
  }


  /// Text that is already TeX (an abstract): kept as written, except characters that
  /// would break BibTeX or LaTeX outside math: unescaped `%`, `&`, `#`, `_`, `^`, and
  /// braces when they do not nest (as `\textbraceleft{}` and `\textbraceright{}`).
  static func texText(_ s: String, ascii: Bool, into out: inout String) -> Bool {
    var copy = s
    var kept = false
    let plainInTeX = Self.plainInTeX  // once, not at every byte
    let o = copy.withUTF8 { b -> [UInt8]? in
      let first = plainRunEnd(b, from: 0, table: plainInTeX)
      // Nothing to change: the text goes over as it is.
      if first == b.count { return nil }
      let balanced = bracesNest(b)
      var o: [UInt8] = []
      o.reserveCapacity(b.count + 16)
      o.append(contentsOf: UnsafeBufferPointer(rebasing: b[0..<first]))
      var inMath = false
      var escaped = false
      var i = first
      while i < b.count {
        // A run of bytes kept as they are goes over in one copy.
        if !escaped {
          let j = plainRunEnd(b, from: i, table: plainInTeX)
          if j > i {
            o.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<j]))
            i = j
            if i == b.count { break }
          }
        }
        let c = b[i]
        if c >= 0x80 {
          let n = utf8Length(c)
          if escaped {
            o.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<min(i + n, b.count)]))
            escaped = false
          } else {
            appendNonASCII(b, i, n, ascii: ascii, into: &o, kept: &kept)
          }
          i += n
          continue
        }
        i += 1
        if escaped {
          o.append(c)
          escaped = false
          continue
        }
        switch c {
        case UInt8(ascii: "\\"):
          o.append(c)
          escaped = true
        case UInt8(ascii: "$"):
          inMath.toggle()
          o.append(c)
        case UInt8(ascii: "%"):
          o.append(UInt8(ascii: "\\"))
          o.append(c)
        case UInt8(ascii: "&"), UInt8(ascii: "#"), UInt8(ascii: "_"):
          if !inMath { o.append(UInt8(ascii: "\\")) }
          o.append(c)
        case UInt8(ascii: "^") where !inMath: o.append(contentsOf: "\\textasciicircum{}".utf8)
        case UInt8(ascii: "{"), UInt8(ascii: "}"):
          // Braces that do not nest cannot be TeX groups: they are characters, written so
          // that BibTeX does not count them (it counts \{ and \} too).
          if balanced {
            o.append(c)
          } else {
            o.append(contentsOf: (c == UInt8(ascii: "{") ? "\\textbraceleft{}" : "\\textbraceright{}").utf8)
          }
        default: o.append(c)
        }
      }
      return o
    }
    if let o { out += String(decoding: o, as: UTF8.self) } else { out += s }
    return kept
  }
}
