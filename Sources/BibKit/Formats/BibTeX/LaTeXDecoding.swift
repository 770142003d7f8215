/// Turning BibTeX field text (LaTeX source) into Unicode rich text.
///
/// - Accents (`\"o`, `{\"o}`, `\"{o}`, `\H o`, `{\'\i}`) and special letters (`\ss`, `\o`, `\aa`)
///   become Unicode letters; `\& \% \$ \# \_ \{ \}` their characters; `--`, `---`, `~`,
///   ``` `` ``` and `''` their typographic characters.
/// - `\emph`/`\textit`, `\textbf`, `\textsc`, `\textsuperscript`, `\textsubscript` become styles.
/// - A brace group becomes a case-protected run, except a group that starts with a command
///   (a special character, `{\"O}`), and except a single word the BibTeX writer protects
///   anyway (`{LLMs}`), so that reading what we write gives the same text.
/// - `$…$` stays TeX source in a math run; an unknown command stays verbatim in a TeX run.
enum LaTeXDecoding {
  static let accentMarks: [UInt8: UInt32] = [
    UInt8(ascii: "`"): 0x300, UInt8(ascii: "'"): 0x301, UInt8(ascii: "^"): 0x302,
    UInt8(ascii: "~"): 0x303, UInt8(ascii: "="): 0x304, UInt8(ascii: "u"): 0x306,
    UInt8(ascii: "."): 0x307, UInt8(ascii: "\""): 0x308, UInt8(ascii: "r"): 0x30A,
    UInt8(ascii: "H"): 0x30B, UInt8(ascii: "v"): 0x30C, UInt8(ascii: "d"): 0x323,
    UInt8(ascii: "c"): 0x327, UInt8(ascii: "k"): 0x328, UInt8(ascii: "b"): 0x331,
  ]

  /// (base letter, accent command) → composed code point, from the same table the writer uses.
  static let composed: [UInt16: UInt32] = {
    var m: [UInt16: UInt32] = [:]
    for (cp, entry) in latinAccented { m[UInt16(entry.base) << 8 | UInt16(entry.accent)] = cp }
    return m
  }()

  static let letters: [String: String] = [
    "ss": "ß", "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "ae": "æ", "AE": "Æ", "oe": "œ",
    "OE": "Œ", "aa": "å", "AA": "Å", "i": "ı", "j": "ȷ", "SS": "SS", "dh": "ð", "DH": "Ð",
    "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ",
  ]

  static let named: [String: String] = [
    "LaTeX": "LaTeX", "TeX": "TeX", "LaTeXe": "LaTeX2ε", "BibTeX": "BibTeX", "ldots": "…",
    "dots": "…", "textendash": "–", "textemdash": "—", "textquotedblleft": "“",
    "textquotedblright": "”", "textquoteleft": "‘", "textquoteright": "’", "S": "§", "P": "¶",
    "copyright": "©", "textregistered": "®", "texttrademark": "™", "pounds": "£",
    "euro": "€", "textbackslash": "\\", "textasciitilde": "~", "textasciicircum": "^",
    "textbraceleft": "{", "textbraceright": "}",
    "textunderscore": "_", "textbar": "|", "textless": "<", "textgreater": ">",
    "thinspace": "\u{2009}", "enspace": "\u{2002}", "guillemotleft": "«", "guillemotright": "»", "quad": " ", "qquad": " ",
  ]

  static let styles: [String: RichText.Styles] = [
    "emph": .italic, "textit": .italic, "textsl": .italic, "it": .italic, "em": .italic,
    "textbf": .bold, "bf": .bold, "textsc": .smallCaps, "sc": .smallCaps,
    "textsuperscript": .superscript, "textsubscript": .subscript,
  ]

  /// Commands whose argument is kept as plain text.
  static let transparent: Set<String> = [
    "textrm", "textnormal", "textsf", "texttt", "textup", "textmd", "mbox", "hbox", "url",
    "relax", "protect", "noopsort", "NoCaseChange", "ensuremath",
  ]

  /// Decodes LaTeX source into rich text.
  static func richText(_ s: String) -> RichText {
    readsAsItself(s) ? RichText(s) : decoded(s)
  }

  /// What the decoder makes of `s`, without the shortcut for text that reads as itself.
  static func decoded(_ s: String) -> RichText {
    var d = Decoder(b: Array(s.utf8))
    d.text.reserveCapacity(d.b.count)
    d.run(until: nil, styles: [], depth: 0)
    d.flush()
    var runs = d.runs
    // Spaces that a dropped command or brace left side by side are one space: written back
    // they would be adjacent, and BibTeX values collapse white space.
    for k in runs.indices where runs[k].styles.isDisjoint(with: [.math, .tex]) && runs[k].text.utf8.count > 1 {
      var text = runs[k].text
      let joined = text.withUTF8 { b -> String? in
        guard b.indices.dropLast().contains(where: { b[$0] == 0x20 && b[$0 + 1] == 0x20 }) else { return nil }
        var out: [UInt8] = []
        for c in b where !(c == 0x20 && out.last == 0x20) { out.append(c) }
        return String(decoding: out, as: UTF8.self)
      }
      if let joined { runs[k].text = joined }
    }
    // White space at the ends says nothing (BibTeX trims values). A run whose first (last)
    // bytes are not those of a space or a no-break space cannot begin (end) with one.
    func mayBeginWithSpace(_ t: String) -> Bool {
      var t = t
      return t.withUTF8 { b in b.first == 0x20 || (b.count >= 2 && b[0] == 0xC2 && b[1] == 0xA0) }
    }
    func mayEndWithSpace(_ t: String) -> Bool {
      var t = t
      return t.withUTF8 { b in b.last == 0x20 || (b.count >= 2 && b[b.count - 2] == 0xC2 && b[b.count - 1] == 0xA0) }
    }
    while let first = runs.first, first.styles.isDisjoint(with: [.math, .tex]), mayBeginWithSpace(first.text),
      first.text.first == " " || first.text.first == "\u{00A0}"
    {
      runs[0].text = String(first.text.drop(while: { $0 == " " || $0 == "\u{00A0}" }))
      if runs[0].text.isEmpty { runs.removeFirst() } else { break }
    }
    while let last = runs.last, last.styles.isDisjoint(with: [.math, .tex]), mayEndWithSpace(last.text),
      last.text.last == " " || last.text.last == "\u{00A0}"
    {
      let n = runs.count - 1
      runs[n].text = String(last.text.reversed().drop(while: { $0 == " " || $0 == "\u{00A0}" }).reversed())
      if runs[n].text.isEmpty { runs.removeLast() } else { break }
    }
    return RichText(runs: runs)
  }

  /// Whether `{text}` would be read back as plain text: one word the writer protects anyway.
  static func bracesReadAsPlain(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { b in
      // No space and no no-break space (C2 A0).
      guard !b.isEmpty, !b.contains(0x20) else { return false }
      for k in b.indices.dropLast() where b[k] == 0xC2 && b[k + 1] == 0xA0 { return false }
      return LaTeXEncoding.needsProtection(b, 0..<b.count)
    }
  }

  /// Bytes that can change the reading of LaTeX text.
  static func isSpecial(_ c: UInt8) -> Bool {
    switch c {
    case UInt8(ascii: "\\"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "~"), UInt8(ascii: "-"),
      UInt8(ascii: "`"), UInt8(ascii: "'"), UInt8(ascii: "$"):
      true
    default: false
    }
  }

  /// Whether decoding gives `s` back as it is: it has none of the special bytes; or its
  /// only ones are a `-`, `` ` `` or `'` that is not doubled (they stand for themselves)
  /// in text whose white space is single ASCII spaces between other characters (which the
  /// decoder's clean-up would leave alone).
  static func readsAsItself(_ s: String) -> Bool {
    // On the contiguous bytes: iterating `utf8` costs several times more per byte.
    var copy = s
    return copy.withUTF8(readsAsItself)
  }

  static func readsAsItself(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    var special = false
    var tidy = true
    var previous: UInt8 = 0x20  // a space at the start is not tidy
    for c in b {
      switch c {
      case UInt8(ascii: "\\"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "~"), UInt8(ascii: "$"):
        return false
      case UInt8(ascii: "-"), UInt8(ascii: "`"), UInt8(ascii: "'"):
        if previous == c { return false }
        special = true
      case 0x20:
        if previous == 0x20 { tidy = false }
      case 0x00..<0x20: tidy = false
      // The last bytes of NEL and no-break space (C2 85, C2 A0) and of the line and
      // paragraph separators (E2 80 A8, E2 80 A9).
      case 0x85, 0xA0: if previous == 0xC2 { tidy = false }
      case 0xA8, 0xA9: if previous == 0x80 { tidy = false }
      default: break
      }
      previous = c
    }
    if previous == 0x20 { tidy = false }
    return !special || tidy
  }

  /// Decodes LaTeX source into plain Unicode text (styles dropped, math kept as `$…$`).
  static func plain(_ s: String) -> String {
    if readsAsItself(s) { return s }
    // Braces that held a space next to one outside (`{a }b`) leave two: one, as BibTeX
    // values have.
    return TextFolding.collapse(richText(s).plainText)
  }

  struct Decoder {
    let b: [UInt8]
    var i = 0
    var runs: [RichText.Run] = []
    var text: [UInt8] = []
    var current: RichText.Styles = []

    mutating func flush() {
      if !text.isEmpty {
        runs.append(RichText.Run(String(decoding: text, as: UTF8.self), current))
        text.removeAll(keepingCapacity: true)
      }
    }

    mutating func setStyles(_ s: RichText.Styles) {
      if s != current {
        flush()
        current = s
      }
    }

    mutating func append(_ s: String, _ styles: RichText.Styles) {
      setStyles(styles)
      text.appendUTF8(s)
    }

    mutating func appendScalar(_ v: UInt32, _ styles: RichText.Styles) {
      setStyles(styles)
      if let u = Unicode.Scalar(v) { text.append(contentsOf: UTF8.encode(u)!) }
    }

    static func isLetter(_ c: UInt8) -> Bool { Sniffing.isASCIILetter(c) }

    /// Decodes until the closing brace of the current group (or the end).
    mutating func run(until close: UInt8?, styles: RichText.Styles, depth: Int) {
      while i < b.count {
        let c = b[i]
        if let close, c == close { return }
        switch c {
        case UInt8(ascii: "\\"):
          command(styles: styles, depth: depth)
        case UInt8(ascii: "{"):
          group(styles: styles, depth: depth)
        case UInt8(ascii: "}"):
          // An unmatched closing brace: keep it as text.
          append("}", styles)
          i += 1
        case UInt8(ascii: "$"):
          math(styles: styles)
        case UInt8(ascii: "~"):
          append("\u{00A0}", styles)
          i += 1
        case UInt8(ascii: "-"):
          if i + 2 < b.count, b[i + 1] == c, b[i + 2] == c {
            append("—", styles)
            i += 3
          } else if i + 1 < b.count, b[i + 1] == c {
            append("–", styles)
            i += 2
          } else {
            setStyles(styles)
            text.append(c)
            i += 1
          }
        case UInt8(ascii: "`") where i + 1 < b.count && b[i + 1] == c:
          append("“", styles)
          i += 2
        case UInt8(ascii: "'") where i + 1 < b.count && b[i + 1] == c:
          append("”", styles)
          i += 2
        default:
          // A run of bytes that stand for themselves, in one copy. `close` is a brace,
          // which ends the run as a special byte.
          setStyles(styles)
          var j = i + 1
          while j < b.count, !LaTeXDecoding.isSpecial(b[j]) { j += 1 }
          text.append(contentsOf: b[i..<j])
          i = j
        }
      }
    }

    mutating func math(styles: RichText.Styles) {
      var j = i + 1
      while j < b.count, b[j] != UInt8(ascii: "$") {
        if b[j] == UInt8(ascii: "\\") { j += 1 }
        j += 1
      }
      guard j < b.count else {
        append("$", styles)
        i += 1
        return
      }
      flush()
      runs.append(
        RichText.Run(String(utf8: b, (i + 1)..<j), styles.subtracting(.noCase).union(.math)))
      i = j + 1
    }

    /// The end of a brace group starting at `start` (the index of its `{`), or nil.
    func groupEnd(_ start: Int) -> Int? {
      var depth = 0
      var j = start
      while j < b.count {
        if b[j] == UInt8(ascii: "{") { depth += 1 }
        if b[j] == UInt8(ascii: "}") {
          depth -= 1
          if depth == 0 { return j }
        }
        j += 1
      }
      return nil
    }

    mutating func group(styles: RichText.Styles, depth: Int) {
      // A group that starts with a command is a special character, not case protection.
      let special = i + 1 < b.count && b[i + 1] == UInt8(ascii: "\\")
      var inner = styles
      if !special, depth == 0 {
        // One word the writer would protect anyway stays plain (see the type's comment).
        // A group holding a brace or math is protected whatever it decodes to: the byte
        // test comes before decoding it.
        if let end = groupEnd(i), !b[(i + 1)..<end].contains(where: { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "$") }) {
          let word = String(utf8: b, (i + 1)..<end)
          if LaTeXDecoding.bracesReadAsPlain(LaTeXDecoding.plain(word)) {
            inner = styles
          } else {
            inner = styles.union(.noCase)
          }
        } else {
          inner = styles.union(.noCase)
        }
      }
      i += 1
      run(until: UInt8(ascii: "}"), styles: inner, depth: depth + 1)
      if i < b.count { i += 1 }
    }

    /// Reads `{…}` or a single token as a command argument; returns its source bytes.
    mutating func argument() -> [UInt8]? {
      while i < b.count, b[i] == 0x20 { i += 1 }
      guard i < b.count, b[i] != UInt8(ascii: "}") else { return nil }
      if b[i] == UInt8(ascii: "{"), let end = groupEnd(i) {
        let a = Array(b[(i + 1)..<end])
        i = end + 1
        return a
      }
      if b[i] == UInt8(ascii: "\\") {
        // A command as argument: \'\i
        var j = i + 1
        while j < b.count, Self.isLetter(b[j]) { j += 1 }
        if j == i + 1 { j += 1 }
        let a = Array(b[i..<j])
        i = j
        return a
      }
      let a = [b[i]]
      i += 1
      return a
    }

    mutating func command(styles: RichText.Styles, depth: Int) {
      let start = i
      i += 1
      guard i < b.count else {
        append("\\", styles)
        return
      }
      let c = b[i]
      // Accent commands, one-character (\" \' …) or one-letter (\v \H …) followed by a non-letter.
      if let mark = LaTeXDecoding.accentMarks[c],
        !Self.isLetter(c) || i + 1 >= b.count || !Self.isLetter(b[i + 1])
      {
        i += 1
        guard let arg = argument() else {
          // An accent with nothing to sit on ({\d}): the combining mark alone.
          appendScalar(mark, styles)
          return
        }
        do {
          var base = arg
          if base == Array("\\i".utf8) { base = [UInt8(ascii: "i")] }
          if base == Array("\\j".utf8) { base = [UInt8(ascii: "j")] }
          if base.count == 1, Self.isLetter(base[0]),
            let cp = LaTeXDecoding.composed[UInt16(base[0]) << 8 | UInt16(c)]
          {
            appendScalar(cp, styles)
          } else {
            var sub = Decoder(b: base)
            sub.run(until: nil, styles: [], depth: 1)
            sub.flush()
            let t = sub.runs.map(\.text).joined()
            append(t, styles)
            appendScalar(mark, styles)
          }
        }
        return
      }
      if !Self.isLetter(c) {
        // A control symbol is one character: all of its UTF-8 bytes.
        i += c >= 0x80 ? min(LaTeXEncoding.utf8Length(c), b.count - i) : 1
        switch c {
        case UInt8(ascii: "&"), UInt8(ascii: "%"), UInt8(ascii: "#"), UInt8(ascii: "_"),
          UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "$"):
          setStyles(styles)
          text.append(c)
        case UInt8(ascii: ","), UInt8(ascii: " "), UInt8(ascii: ";"), UInt8(ascii: ":"),
          UInt8(ascii: "\\"):
          // A space, unless one is already there (BibTeX collapses white space).
          if text.last != 0x20 { append(" ", styles) }
          if i < b.count, b[i] == 0x20 { i += 1 }
        case UInt8(ascii: "/"), UInt8(ascii: "-"), UInt8(ascii: "@"):
          break
        default:
          append(String(utf8: b, start..<i), styles.subtracting(.noCase).union(.tex))
        }
        return
      }
      var j = i
      while j < b.count, Self.isLetter(b[j]) { j += 1 }
      let name = String(utf8: b, i..<j)
      i = j
      // TeX skips spaces after a control word.
      var k = i
      while k < b.count, b[k] == 0x20 { k += 1 }
      if let letter = LaTeXDecoding.letters[name] {
        i = k
        if i + 1 < b.count, b[i] == UInt8(ascii: "{"), b[i + 1] == UInt8(ascii: "}") { i += 2 }
        append(letter, styles)
      } else if let n = LaTeXDecoding.named[name] {
        i = k
        if i + 1 < b.count, b[i] == UInt8(ascii: "{"), b[i + 1] == UInt8(ascii: "}") { i += 2 }
        append(n, styles)
      } else if let style = LaTeXDecoding.styles[name] {
        i = k
        if i < b.count, b[i] == UInt8(ascii: "{") {
          // The argument's braces are the command's, not case protection: a group inside
          // (\textit{{DNA}}) protects as it would at this level.
          i += 1
          run(until: UInt8(ascii: "}"), styles: styles.union(style), depth: depth)
          if i < b.count { i += 1 }
        } else {
          // A declaration ({\em text}): applies to the rest of the group.
          run(until: UInt8(ascii: "}"), styles: styles.union(style), depth: depth)
        }
      } else if LaTeXDecoding.transparent.contains(name) {
        i = k
        if i < b.count, b[i] == UInt8(ascii: "{") {
          i += 1
          run(until: UInt8(ascii: "}"), styles: styles, depth: depth + 1)
          if i < b.count { i += 1 }
        }
      } else if name == "href" {
        i = k
        _ = argument()
        if i < b.count, b[i] == UInt8(ascii: "{") {
          i += 1
          run(until: UInt8(ascii: "}"), styles: styles, depth: depth + 1)
          if i < b.count { i += 1 }
        }
      } else {
        // Unknown: kept verbatim, with the spaces TeX would skip.
        i = k
        append(String(utf8: b, start..<k), styles.subtracting(.noCase).union(.tex))
      }
    }
  }
}
