/// BibTeX's name rules, on LaTeX source: splitting a list at `and`, and a name into
/// First, von, Last and Jr parts.
enum BibTeXNames {
  /// The parts of one name, as LaTeX source tokens joined by single spaces.
  struct Parts: Equatable {
    var first: String
    var von: String
    var last: String
    var jr: String
  }

  /// Whether the word `and` (in any case) with white space or `~` either side starts at
  /// `i`, at the space before it: the separator of a name list at brace depth 0.
  @inline(__always) static func isAndSeparator(_ b: [UInt8], at i: Int) -> Bool {
    func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == UInt8(ascii: "~") }
    return isSpace(b[i]) && i + 4 < b.count && b[i + 1] | 0x20 == UInt8(ascii: "a") && b[i + 2] | 0x20 == UInt8(ascii: "n")
      && b[i + 3] | 0x20 == UInt8(ascii: "d") && isSpace(b[i + 4])
  }

  /// Whether `s`, written as one name between others, would split the list:
  /// `splitList("x " + s + " x").count > 1`, without making the names.
  static func splitsNameList(_ s: String) -> Bool {
    // Most names hold no "and" in any case: no list to split, found without copying.
    var copy = s
    let hasAnd = copy.withUTF8 { u in
      u.count >= 3 && (0...(u.count - 3)).contains { k in
        u[k] | 0x20 == UInt8(ascii: "a") && u[k + 1] | 0x20 == UInt8(ascii: "n") && u[k + 2] | 0x20 == UInt8(ascii: "d")
      }
    }
    guard hasAnd else { return false }
    var b: [UInt8] = [UInt8(ascii: "x"), 0x20]
    b.reserveCapacity(s.utf8.count + 4)
    b.append(contentsOf: s.utf8)
    b += [0x20, UInt8(ascii: "x")]
    var depth = 0
    for i in b.indices {
      if b[i] == UInt8(ascii: "{") {
        depth += 1
      } else if b[i] == UInt8(ascii: "}") {
        depth = max(0, depth - 1)
      } else if depth == 0, isAndSeparator(b, at: i) {
        return true
      }
    }
    return false
  }

  /// Splits a name list at the word `and` (any case) at brace depth 0 with white space on
  /// both sides.
  static func splitList(_ s: String) -> [String] {
    let b = Array(s.utf8)
    var names: [String] = []
    var depth = 0
    var start = 0
    var i = 0
    while i < b.count {
      let c = b[i]
      if c == UInt8(ascii: "{") {
        depth += 1
      } else if c == UInt8(ascii: "}") {
        depth = max(0, depth - 1)
      } else if depth == 0, isAndSeparator(b, at: i) {
        names.append(String(utf8: b, start..<i).trimmingSpaces())
        i += 4
        start = i
        continue
      }
      i += 1
    }
    names.append(String(utf8: b, start..<b.count).trimmingSpaces())
    return names
  }

  /// Tokens at brace depth 0, separated by white space or `~`; commas at depth 0 are
  /// returned as separate "," tokens.
  static func tokens(_ s: String) -> [String] {
    var out: [String] = []
    var cur: [UInt8] = []
    var depth = 0
    for c in s.utf8 {
      if depth == 0, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == UInt8(ascii: "~") {
        if !cur.isEmpty { out.append(String(decoding: cur, as: UTF8.self)) }
        cur.removeAll(keepingCapacity: true)
      } else if depth == 0, c == ASCII.comma, cur.last != UInt8(ascii: "\\") {
        // `\,` is a thin space, not a separator.
        if !cur.isEmpty { out.append(String(decoding: cur, as: UTF8.self)) }
        cur.removeAll(keepingCapacity: true)
        out.append(",")
      } else {
        if c == UInt8(ascii: "{") { depth += 1 }
        if c == UInt8(ascii: "}") { depth = max(0, depth - 1) }
        cur.append(c)
      }
    }
    if !cur.isEmpty { out.append(String(decoding: cur, as: UTF8.self)) }
    return out
  }

  static let lowerLetterCommands: Set<String> = ["aa", "o", "l", "ss", "i", "j", "oe", "ae"]
  static let upperLetterCommands: Set<String> = ["AA", "O", "L", "OE", "AE"]

  /// A token's case: that of its first letter at brace depth 0; a special character `{\…}`
  /// counts by its letter command or the letter after the command; other brace groups are
  /// caseless. `nil` means caseless.
  static func isLower(_ token: String) -> Bool? {
    let b = Array(token.utf8)
    var i = 0
    while i < b.count {
      let c = b[i]
      if c == UInt8(ascii: "{") {
        if i + 1 < b.count, b[i + 1] == UInt8(ascii: "\\") {
          var j = i + 2
          let ns = j
          while j < b.count, Sniffing.isASCIILetter(b[j]) { j += 1 }
          let name = String(utf8: b, ns..<j)
          if lowerLetterCommands.contains(name) { return true }
          if upperLetterCommands.contains(name) { return false }
          // The first letter after the control sequence.
          if j == ns { j += 1 }
          while j < b.count {
            if Sniffing.isASCIILetter(b[j]) { return ASCII.isLower(b[j]) }
            if b[j] == UInt8(ascii: "}") { break }
            j += 1
          }
          return nil
        }
        // Skip a caseless group.
        var depth = 0
        while i < b.count {
          if b[i] == UInt8(ascii: "{") { depth += 1 }
          if b[i] == UInt8(ascii: "}") {
            depth -= 1
            if depth == 0 { break }
          }
          i += 1
        }
        i += 1
        continue
      }
      if Sniffing.isASCIILetter(c) { return ASCII.isLower(c) }
      if c >= 0x80 {
        let rest = String(utf8: b, i..<b.count)
        if let u = rest.unicodeScalars.first, u.properties.isAlphabetic { return u.properties.isLowercase }
      }
      i += 1
    }
    return nil
  }

  static func lower(_ t: String) -> Bool { isLower(t) == true }

  /// A name part as Unicode, or as its LaTeX source when it holds a command with no Unicode
  /// reading (`{\\rlap{Lutz}}`), so that the command is written back as it was.
  static func nameText(_ s: String) -> String {
    // 0xC2 starts a no-break space, which the slow path turns into a space.
    if !s.anyByte(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "`") || $0 == UInt8(ascii: "'") || $0 == UInt8(ascii: "$") || $0 == UInt8(ascii: "}") || $0 == 0xC2 }) {
      return s
    }
    let rt = LaTeXDecoding.richText(s)
    if rt.runs.contains(where: { $0.styles.contains(.tex) }) { return s }
    // Spaces inside and outside a brace group (`{a }b`, `a~ b`) are one space, as BibTeX
    // separates name tokens.
    return TextFolding.collapse(rt.plainText.replacingNBSP())
  }

  /// The index (in UTF-8 bytes) of the brace closing the one at index 0.
  static func closingBrace(_ s: String) -> Int? {
    var depth = 0
    for (i, c) in s.utf8.enumerated() {
      if c == UInt8(ascii: "{") { depth += 1 }
      if c == UInt8(ascii: "}") {
        depth -= 1
        if depth == 0 { return i }
      }
    }
    return nil
  }

  /// biblatex's extended name format: `family=Jong, given=K., prefix=de, useprefix=true`.
  static func extendedName(_ s: String) -> Person? {
    // Every part of the extended form has `key=value`: most names have no `=` at all.
    guard s.containsByte(UInt8(ascii: "=")) else { return nil }
    let parts = Person.splitTopLevelCommas(s)
    guard parts.count >= 2 || s.contains("="), parts.allSatisfy({ $0.contains("=") }) else { return nil }
    var p = Person()
    for part in parts {
      guard let eq = part.firstIndex(of: "=") else { return nil }
      let key = String(part[..<eq]).trimmingSpaces().lowercased()
      var value = String(part[part.index(after: eq)...]).trimmingSpaces()
      if value.hasPrefix("{"), value.hasSuffix("}"), closingBrace(value) == value.utf8.count - 1 {
        value = String(value.dropFirst().dropLast())
      }
      let decoded = LaTeXDecoding.plain(value)
      switch key {
      case "family": p.family = decoded
      case "given": p.given = decoded
      case "prefix": p.particle = decoded
      case "suffix": p.suffix = decoded
      default: continue  // useprefix, given-i, sorting options: no part of the name
      }
    }
    return p.family == nil && p.given == nil ? nil : p
  }

  /// Splits one name into its four parts by BibTeX's rules. Hyphenated tokens stay whole
  /// (BibTeX would test each hyphen-separated piece for the von part).
  static func split(_ name: String) -> Parts {
    let toks = tokens(name)
    var groups: [[String]] = [[]]
    for t in toks {
      if t == "," { groups.append([]) } else { groups[groups.count - 1].append(t) }
    }
    func join(_ a: ArraySlice<String>) -> String { a.joined(separator: " ") }
    // A trailing comma adds no part (BibTeX).
    while groups.count > 1, groups.last?.isEmpty == true { groups.removeLast() }
    if groups.count == 1 {
      let w = groups[0]
      guard w.count > 1 else { return Parts(first: "", von: "", last: join(w[...]), jr: "") }
      let body = w.dropLast()
      if let vs = body.firstIndex(where: lower) {
        let ve = body.lastIndex(where: lower) ?? vs
        return Parts(first: join(w[..<vs]), von: join(w[vs...ve]), last: join(w[(ve + 1)...]), jr: "")
      }
      return Parts(first: join(body), von: "", last: w.last ?? "", jr: "")
    }
    // von Last, [Jr,] First
    let vl = groups[0]
    // More than two commas: BibTeX warns and runs the rest together as First (its words, so
    // empty parts between commas add no spaces).
    let first = groups.count >= 3 ? groups[2...].joined().joined(separator: " ") : join(groups[1][...])
    let jr = groups.count >= 3 ? join(groups[1][...]) : ""
    var von: ArraySlice<String> = []
    var last = vl[...]
    if vl.count > 1, let firstLower = vl.dropLast().firstIndex(where: lower), firstLower == 0 {
      let ve = vl.dropLast().lastIndex(where: lower) ?? 0
      von = vl[...ve]
      last = vl[(ve + 1)...]
    }
    return Parts(first: first, von: join(von), last: join(last), jr: jr)
  }

  /// A person from one BibTeX name: the parts decoded to Unicode, or a literal when the
  /// whole name is one brace group (`{Barnes and Noble}`).
  static func person(_ raw: String) -> Person {
    if let p = plainPerson(raw) { return p }
    return generalPerson(raw)
  }

  /// ``person(_:)`` for the common name with nothing to decode: ASCII letters, digits, dots,
  /// commas, single spaces inside, and `-` or `'` not doubled. Its words are byte ranges and
  /// its parts are cut from the name itself, so no token strings are made. `nil` for any
  /// other name.
  static func plainPerson(_ raw: String) -> Person? {
    var raw = raw
    let parts = raw.withUTF8 { b -> (given: String?, von: String?, last: String?, jr: String?)? in
      guard let f = b.first, let l = b.last, f != 0x20, l != 0x20 else { return nil }
      var previous: UInt8 = 0
      var commas = 0
      for c in b {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
          UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."):
          break
        case ASCII.comma:
          commas += 1
        case 0x20, UInt8(ascii: "-"), UInt8(ascii: "'"):
          if previous == c { return nil }
        default:
          return nil
        }
        previous = c
      }
      // Words as (start, end) byte offsets, on the stack, and where each comma-separated
      // group's words begin in that list.
      return withUnsafeTemporaryAllocation(of: (Int, Int).self, capacity: b.count / 2 + 1) { words in
        withUnsafeTemporaryAllocation(of: Int.self, capacity: commas + 2) { groupStart in
          var n = 0
          var groups = 1
          groupStart[0] = 0
          var k = 0
          while k < b.count {
            if b[k] == ASCII.comma {
              groupStart[groups] = n
              groups += 1
              k += 1
            } else if b[k] == 0x20 {
              k += 1
            } else {
              let start = k
              while k < b.count, b[k] != 0x20, b[k] != ASCII.comma { k += 1 }
              words[n] = (start, k)
              n += 1
            }
          }
          groupStart[groups] = n
          // Empty groups at the end are dropped (one is always kept).
          while groups > 1, groupStart[groups - 1] == n { groups -= 1 }
          func group(_ g: Int) -> Range<Int> { groupStart[g]..<groupStart[g + 1] }
          // A word's case is that of its first letter; one with no letter has none.
          func lower(_ w: Int) -> Bool {
            for j in words[w].0..<words[w].1 where Sniffing.isASCIILetter(b[j]) { return ASCII.isLower(b[j]) }
            return false
          }
          // Words of one group are one space apart, so the text of a run of them is the name's.
          func text(_ r: Range<Int>) -> String? {
            guard !r.isEmpty else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: b[words[r.lowerBound].0..<words[r.upperBound - 1].1]), as: UTF8.self)
          }
          var given: String?, von: String?, last: String?, jr: String?
          if groups == 1 {
            let w = group(0)
            let body = w.lowerBound..<max(w.lowerBound, w.upperBound - 1)
            if w.count <= 1 {
              last = text(w)
            } else if let vs = body.first(where: lower) {
              let ve = body.last(where: lower) ?? vs
              given = text(w.lowerBound..<vs)
              von = text(vs..<(ve + 1))
              last = text((ve + 1)..<w.upperBound)
            } else {
              given = text(body)
              last = text((w.upperBound - 1)..<w.upperBound)
            }
          } else {
            let vl = group(0)
            if groups >= 3 {
              // The rest runs together as First, its words joined by single spaces.
              let rest = groupStart[2]..<groupStart[groups]
              var out: [UInt8] = []
              for w in rest {
                if w > rest.lowerBound { out.append(0x20) }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: b[words[w].0..<words[w].1]))
              }
              given = out.isEmpty ? nil : String(decoding: out, as: UTF8.self)
              jr = text(group(1))
            } else {
              given = text(group(1))
            }
            let body = vl.lowerBound..<max(vl.lowerBound, vl.upperBound - 1)
            if vl.count > 1, let firstLower = body.first(where: lower), firstLower == vl.lowerBound {
              let ve = body.last(where: lower) ?? vl.lowerBound
              von = text(vl.lowerBound..<(ve + 1))
              last = text((ve + 1)..<vl.upperBound)
            } else {
              last = text(vl)
            }
          }
          // As in generalPerson: a von part with no last part is the family name.
          if last == nil, von != nil { (last, von) = (von, nil) }
          return (given, von, last, jr)
        }
      }
    }
    guard let parts else { return nil }
    return Person(given: parts.given, family: parts.last, particle: parts.von, suffix: parts.jr)
  }

  /// ``person(_:)`` by the full rules: tokens, brace groups and LaTeX decoding.
  static func generalPerson(_ raw: String) -> Person {
    // A control space (`L.\ Thiele`) is a space.
    let t = raw.replacingBytes("\\ ", with: " ").trimmingSpaces()
    if t.hasPrefix("{"), t.hasSuffix("}"), tokens(t).count == 1, !t.hasPrefix("{\\"),
      closingBrace(t) == t.utf8.count - 1
    {
      let inner = String(t.dropFirst().dropLast())
      return Person(literal: nameText(inner))
    }
    if let extended = extendedName(t) { return extended }
    let p = split(t)
    func dec(_ s: String) -> String? {
      let v = nameText(s)
      return v.isEmpty ? nil : v
    }
    // A last part that decodes to nothing (`{}`, `\\`) leaves the von part as the only name:
    // it is the family name, as it would be read from what is written.
    var family = dec(p.last)
    var particle = dec(p.von)
    if family == nil, particle != nil { (family, particle) = (particle, nil) }
    return Person(given: dec(p.first), family: family, particle: particle, suffix: dec(p.jr))
  }
}

extension String {
  func replacingNBSP() -> String {
    replacingBytes("\u{00A0}", with: " ")
  }
}
