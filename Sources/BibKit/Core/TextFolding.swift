/// Folding of Unicode text to ASCII, for citation keys and matching.
public enum TextFolding {
  /// Replaces accented Latin letters by their base letters (é → e, ß → ss, ł → l) and keeps
  /// other ASCII as it is. Characters with no ASCII form are dropped.
  public static func asciiFold(_ s: String) -> String {
    // ASCII folds to itself.
    if s.allBytes({ $0 < 0x80 }) { return s }
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for scalar in s.unicodeScalars {
      if scalar.isASCII {
        out.unicodeScalars.append(scalar)
      } else if let entry = latinAccented[scalar.value] {
        out.unicodeScalars.append(Unicode.Scalar(entry.base))
      } else if let special = latinSpecial[scalar.value] {
        out += special.ascii
      }
    }
    return out
  }

  /// Lower-case ASCII letters and digits of `s` after folding, nothing else.
  public static func keyLetters(_ s: String) -> String {
    // The folded text is ASCII: its bytes are its characters.
    var out: [UInt8] = []
    for c in asciiFold(s).utf8 {
      if ASCII.isUpper(c) {
        out.append(c | 0x20)
      } else if ASCII.isLower(c) || ASCII.isDigit(c) {
        out.append(c)
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Collapses runs of white space to one space and trims.
  static func collapse(_ s: String) -> String {
    var copy = s
    return copy.withUTF8 { b in collapsed(b) ?? s }
  }

  /// Collapses runs of white space in UTF-8 bytes to one space and trims.
  static func collapse(_ bytes: [UInt8]) -> String {
    bytes.withUnsafeBufferPointer { collapse($0) }
  }

  /// ``collapse(_:)`` of the UTF-8 bytes `b`.
  static func collapse(_ b: UnsafeBufferPointer<UInt8>) -> String {
    collapsed(b) ?? String(decoding: b, as: UTF8.self)
  }

  /// The collapsed text of `b`, or nil when `b` needs no change: single ASCII spaces between
  /// words, as most values are.
  private static func collapsed(_ b: UnsafeBufferPointer<UInt8>) -> String? {
    // The width of the white space at i: ASCII space, tab, CR, LF, or NEL, LINE SEPARATOR
    // and PARAGRAPH SEPARATOR (exporters leave these in titles). No-break space is kept.
    @inline(__always) func space(_ i: Int) -> Int {
      switch b[i] {
      case 0x20, 0x09, 0x0A, 0x0D: return 1
      case 0xC2 where i + 1 < b.count && b[i + 1] == 0x85: return 2
      case 0xE2 where i + 2 < b.count && b[i + 1] == 0x80 && (b[i + 2] == 0xA8 || b[i + 2] == 0xA9): return 3
      default: return 0
      }
    }
    // Clean: no white space but single ASCII spaces between other characters. Printable
    // ASCII, the common byte, takes one comparison.
    var clean = true
    var afterSpace = true  // at the start, a space would be leading
    var i = 0
    // Eight bytes at a time while all are printable ASCII or single spaces; the first other
    // word goes to the loop below.
    SWAR.skipSingleSpacedWords(b, from: &i, afterSpace: &afterSpace, asciiOnly: true)
    while i < b.count {
      let c = b[i]
      if c > 0x20 && c < 0x80 {
        afterSpace = false
      } else if c == 0x20 {
        if afterSpace {
          clean = false
          break
        }
        afterSpace = true
      } else if space(i) > 0 {
        clean = false
        break
      } else {
        afterSpace = false
      }
      i += 1
    }
    if clean && !(afterSpace && b.count > 0) { return nil }
    return String(unsafeUninitializedCapacity: b.count) { out in
      var n = 0
      var pending = false
      var i = 0
      while i < b.count {
        let c = b[i]
        let w = c > 0x20 && c < 0x80 ? 0 : space(i)
        if w > 0 {
          pending = n > 0
          i += w
        } else {
          if pending {
            out[n] = 0x20
            n += 1
          }
          pending = false
          out[n] = c
          n += 1
          i += 1
        }
      }
      return n
    }
  }
}
