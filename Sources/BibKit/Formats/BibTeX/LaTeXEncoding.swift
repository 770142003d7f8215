/// Turning Unicode text into BibTeX field text.
enum LaTeXEncoding {
  /// Escapes BibTeX/LaTeX special characters in plain text and, with `ascii`, writes
  /// non-ASCII letters as LaTeX commands (é → `{\'e}`, ß → `{\ss}`).
  ///
  /// - Returns: the text, and whether a character had to stay non-ASCII in ASCII mode.
  static func escape(_ s: String, ascii: Bool, into out: inout String) -> Bool {
    // On UTF-8 bytes: every special character is ASCII; other characters are copied whole,
    // or in ASCII mode written as LaTeX.
    var copy = s
    var kept = false
    let o = copy.withUTF8 { b -> [UInt8] in
      var o: [UInt8] = []
      o.reserveCapacity(b.count + 8)
      var previous: UInt8 = 0x20
      var i = 0
      while i < b.count {
        let c = b[i]
        if c >= 0x80 {
          let n = utf8Length(c)
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
      return o
    }
    out += String(decoding: o, as: UTF8.self)
    return kept
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
    o.append(contentsOf: text.utf8)
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
    var kept = false
    var word = Substring()
    var pending = ""
    func isPunct(_ c: Character) -> Bool {
      ":;,.!?()[]\"'".contains(c)
    }
    var rest = Substring(s)
    while !rest.isEmpty {
      // Separate a run of spaces, then a word.
      let spaces = rest.prefix(while: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\u{00A0}" })
      _ = escape(String(spaces), ascii: ascii, into: &pending)
      rest = rest.dropFirst(spaces.count)
      word = rest.prefix(while: { $0 != " " && $0 != "\n" && $0 != "\t" && $0 != "\u{00A0}" })
      rest = rest.dropFirst(word.count)
      if word.isEmpty { continue }
      let lead = word.prefix(while: isPunct)
      let afterLead = word.dropFirst(lead.count)
      let trail = String(afterLead.reversed().prefix(while: { isPunct($0) || $0 == "-" }).reversed())
      let core = afterLead.dropLast(trail.count)
      out += pending
      pending = ""
      kept = escape(String(lead), ascii: ascii, into: &out) || kept
      if !core.isEmpty, needsProtection(core) {
        out += "{"
        kept = escape(String(core), ascii: ascii, into: &out) || kept
        out += "}"
      } else {
        kept = escape(String(core), ascii: ascii, into: &out) || kept
      }
      kept = escape(trail, ascii: ascii, into: &out) || kept
    }
    out += pending
    return kept
  }

  /// Text that is already TeX (an abstract): kept as written, except characters that
  /// would break BibTeX or LaTeX outside math: unescaped `%`, `&`, `#`, `_`, `^`, and
  /// braces when they do not balance.
  static func texText(_ s: String, ascii: Bool, into out: inout String) -> Bool {
    var copy = s
    var kept = false
    let o = copy.withUTF8 { b -> [UInt8] in
      var depth = 0
      var balanced = true
      for c in b {
        if c == UInt8(ascii: "{") {
          depth += 1
        } else if c == UInt8(ascii: "}") {
          depth -= 1
          if depth < 0 { balanced = false }
        }
      }
      if depth != 0 { balanced = false }
      var o: [UInt8] = []
      o.reserveCapacity(b.count + 16)
      var inMath = false
      var escaped = false
      var i = 0
      while i < b.count {
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
          if !balanced { o.append(UInt8(ascii: "\\")) }
          o.append(c)
        default: o.append(c)
        }
      }
      return o
    }
    out += String(decoding: o, as: UTF8.self)
    return kept
  }
}
