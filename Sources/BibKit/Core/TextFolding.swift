/// Folding of Unicode text to ASCII, for citation keys and matching.
public enum TextFolding {
  /// Replaces accented Latin letters by their base letters (é → e, ß → ss, ł → l) and keeps
  /// other ASCII as it is. Characters with no ASCII form are dropped.
  public static func asciiFold(_ s: String) -> String {
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
    String(
      asciiFold(s).unicodeScalars.compactMap { u -> Character? in
        let v = u.value
        if v >= 0x41 && v <= 0x5A { return Character(Unicode.Scalar(v + 32)!) }
        if (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) { return Character(u) }
        return nil
      })
  }
}
