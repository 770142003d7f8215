/// A person or an institution named in a work.
///
/// A personal name has `family` and usually `given`, with an optional `particle` ("van",
/// "du"; kept with the family name when only that is shown), `droppingParticle` and `suffix`.
/// An institution, or any name that must never be split, is a `literal`.
public struct Person: Hashable, Sendable, Codable, CustomStringConvertible {
  public var given: String?
  public var family: String?
  /// A particle that stays with the family name ("van" in "van Gogh"): CSL's non-dropping one.
  public var particle: String?
  /// A particle that goes with the given name and disappears in short forms.
  public var droppingParticle: String?
  public var suffix: String?
  /// A name that is never split (an institution).
  public var literal: String?
  /// The name exactly as the source wrote it, when it was parsed from one string.
  public var original: String?
  public var affiliations: [String]

  public init(
    given: String? = nil, family: String? = nil, particle: String? = nil,
    droppingParticle: String? = nil, suffix: String? = nil, literal: String? = nil,
    original: String? = nil, affiliations: [String] = []
  ) {
    self.given = given
    self.family = family
    self.particle = particle
    self.droppingParticle = droppingParticle
    self.suffix = suffix
    self.literal = literal
    self.original = original
    self.affiliations = affiliations
  }

  /// An institution or other name that is never split.
  public static func literal(_ name: String) -> Person { Person(literal: name, original: name) }

  /// A name with no part at all.
  public var isEmptyName: Bool {
    func empty(_ s: String?) -> Bool { s?.isEmpty ?? true }
    return empty(given) && empty(family) && empty(particle) && empty(droppingParticle) && empty(suffix)
      && empty(literal)
  }

  /// The family name with its non-dropping particle: "du Terrail".
  public var familyWithParticle: String? {
    guard let family else { return nil }
    if let particle, !particle.isEmpty { return particle + " " + family }
    return family
  }

  /// "Given [dropping particle] [particle] Family[, Suffix]", or the literal.
  public var displayName: String {
    if let literal { return literal }
    var parts: [String] = []
    if let given, !given.isEmpty { parts.append(given) }
    if let droppingParticle, !droppingParticle.isEmpty { parts.append(droppingParticle) }
    if let f = familyWithParticle { parts.append(f) }
    var s = parts.joined(separator: " ")
    if let suffix, !suffix.isEmpty { s += ", " + suffix }
    return s
  }

  public var description: String { displayName }

  private enum CodingKeys: String, CodingKey {
    case given, family, particle, droppingParticle, suffix, literal, original, affiliations
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    given = try c.decodeIfPresent(String.self, forKey: .given)
    family = try c.decodeIfPresent(String.self, forKey: .family)
    particle = try c.decodeIfPresent(String.self, forKey: .particle)
    droppingParticle = try c.decodeIfPresent(String.self, forKey: .droppingParticle)
    suffix = try c.decodeIfPresent(String.self, forKey: .suffix)
    literal = try c.decodeIfPresent(String.self, forKey: .literal)
    original = try c.decodeIfPresent(String.self, forKey: .original)
    affiliations = try c.decodeIfPresent([String].self, forKey: .affiliations) ?? []
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encodeIfPresent(given, forKey: .given)
    try c.encodeIfPresent(family, forKey: .family)
    try c.encodeIfPresent(particle, forKey: .particle)
    try c.encodeIfPresent(droppingParticle, forKey: .droppingParticle)
    try c.encodeIfPresent(suffix, forKey: .suffix)
    try c.encodeIfPresent(literal, forKey: .literal)
    try c.encodeIfPresent(original, forKey: .original)
    if !affiliations.isEmpty { try c.encode(affiliations, forKey: .affiliations) }
  }
}

extension Person {
  /// Splits a name by BibTeX's rules: "First von Last", "von Last, First" or
  /// "von Last, Jr, First".
  ///
  /// Tokens are separated by white space and `~`. The von part runs from the first token
  /// that starts with a lower-case letter to the last such token before the family name;
  /// the family name is at least the last token. Hyphenated tokens stay whole.
  /// The original string is kept in ``original``.
  public init(parsing name: String) {
    let original = name
    // Most names have no comma: no split is needed to know there is one part.
    let commaParts = name.containsByte(UInt8(ascii: ",")) ? Self.splitTopLevelCommas(name) : []
    if commaParts.count >= 2 {
      let (von, last) = Self.splitVonLast(Self.tokens(commaParts[0]))
      let jr = commaParts.count >= 3 ? commaParts[1] : nil
      let first = commaParts[commaParts.count >= 3 ? 2 : 1]
      self.init(
        given: first.isEmpty ? nil : first,
        family: last.isEmpty ? nil : last.joined(separator: " "),
        particle: von.isEmpty ? nil : von.joined(separator: " "),
        suffix: (jr?.isEmpty ?? true) ? nil : jr,
        original: original)
      return
    }
    self = Self.parsedWithoutComma(name)
  }

  /// A name with no comma, "First von Last", read on its UTF-8 bytes: the parts are cut
  /// from the input, joined by one space, without a string per word.
  static func parsedWithoutComma(_ name: String) -> Person {
    var copy = name
    return copy.withUTF8 { b -> Person in
      // Words as ``tokens(_:)`` cuts them; for each, whether it starts lower case.
      var count = 0
      var firstStart = -1, lastStart = -1, lastEnd = -1
      // Where the first lower-case word starts, and the last two (the last one may be the
      // family name), by number and end.
      var vonFirstStart = -1
      var vonLast = -1, vonLastEnd = -1, vonPrev = -1, vonPrevEnd = -1
      var i = 0
      while i < b.count {
        while i < b.count, isSeparator(b, i) { i += 1 }
        guard i < b.count else { break }
        let start = i
        while i < b.count, !isSeparator(b, i) { i += 1 }
        if count == 0 { firstStart = start }
        if startsLowercase(UnsafeBufferPointer(rebasing: b[start..<i])) {
          if vonFirstStart < 0 { vonFirstStart = start }
          (vonPrev, vonPrevEnd) = (vonLast, vonLastEnd)
          (vonLast, vonLastEnd) = (count, i)
        }
        (lastStart, lastEnd) = (start, i)
        count += 1
      }
      guard count > 1 else {
        return Person(family: count == 1 ? joined(b, firstStart, lastEnd) : nil, original: name)
      }
      // The von part lies within the words before the last (and with none of those lower
      // case, there is none).
      if vonLast == count - 1 { (vonLast, vonLastEnd) = (vonPrev, vonPrevEnd) }
      guard vonLast >= 0 else {
        return Person(given: joined(b, firstStart, previousEnd(b, before: lastStart)), family: joined(b, lastStart, lastEnd), original: name)
      }
      let givenEnd = previousEnd(b, before: vonFirstStart)
      let familyStart = nextStart(b, after: vonLastEnd)
      return Person(
        given: givenEnd > firstStart ? joined(b, firstStart, givenEnd) : nil,
        family: joined(b, familyStart, lastEnd),
        particle: joined(b, vonFirstStart, vonLastEnd),
        original: name)
    }
  }

  /// Whether the byte at `i` separates words: a space, tab, `~`, or a line feed that does
  /// not follow a carriage return (CR LF is one Character and not a separator).
  @inline(__always) static func isSeparator(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
    switch b[i] {
    case 0x20, 0x7E, 0x09: return true
    case 0x0A: return i == 0 || b[i - 1] != 0x0D
    default: return false
    }
  }

  /// The end of the word before position `p` (the start of a word).
  static func previousEnd(_ b: UnsafeBufferPointer<UInt8>, before p: Int) -> Int {
    var k = p
    while k > 0, isSeparator(b, k - 1) { k -= 1 }
    return k
  }

  /// The start of the word after position `p` (the end of a word).
  static func nextStart(_ b: UnsafeBufferPointer<UInt8>, after p: Int) -> Int {
    var k = p
    while k < b.count, isSeparator(b, k) { k += 1 }
    return k
  }

  /// The words from `start` (a word's start) to `end` (a word's end), joined by one space.
  static func joined(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
    let part = UnsafeBufferPointer(rebasing: b[start..<end])
    // Words already apart by single spaces: the bytes as they are.
    var single = true
    for k in start..<end where isSeparator(b, k) && (b[k] != 0x20 || isSeparator(b, k - 1)) {
      single = false
      break
    }
    if single { return String(decoding: part, as: UTF8.self) }
    return String(unsafeUninitializedCapacity: part.count) { out in
      var n = 0
      var gap = false
      for k in start..<end {
        if isSeparator(b, k) {
          gap = true
          continue
        }
        if gap {
          out[n] = 0x20
          n += 1
          gap = false
        }
        out[n] = b[k]
        n += 1
      }
      return n
    }
  }

  /// The words of a name, split at spaces, tabs, line feeds and `~`. A CR LF pair is one
  /// character and not a separator, as with Characters, but the split runs on UTF-8 bytes.
  static func tokens(_ s: String) -> [String] {
    var copy = s
    return copy.withUTF8 { b in
      var out: [String] = []
      var start = 0
      var i = 0
      func cut() {
        if i > start { out.append(String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)) }
        start = i + 1
      }
      while i < b.count {
        if isSeparator(b, i) { cut() }
        i += 1
      }
      cut()
      return out
    }
  }

  static func splitVonLast(_ toks: [String]) -> (von: [String], last: [String]) {
    guard toks.count > 1 else { return ([], toks) }
    let body = toks.dropLast()
    guard let lastLower = body.lastIndex(where: startsLowercase),
      startsLowercase(toks[0])
    else { return ([], toks) }
    return (Array(toks[...lastLower]), Array(toks[(lastLower + 1)...]))
  }

  /// Whether the first letter of a token is lower case (BibTeX's test for a von token).
  static func startsLowercase(_ token: String) -> Bool {
    var copy = token
    return copy.withUTF8 { startsLowercase($0) }
  }

  /// ``startsLowercase(_:)`` of a word's UTF-8 bytes.
  static func startsLowercase(_ token: UnsafeBufferPointer<UInt8>) -> Bool {
    // ASCII letters answer at once; ASCII that is not a letter is skipped either way.
    var ascii = true
    for c in token {
      if c >= 0x80 {
        ascii = false
        break
      }
      if ASCII.isLower(c) { return true }
      if ASCII.isUpper(c) { return false }
    }
    if ascii { return false }
    for ch in String(decoding: token, as: UTF8.self).unicodeScalars where ch.properties.isAlphabetic {
      return ch.properties.isLowercase
    }
    return false
  }

  static func splitTopLevelCommas(_ s: String) -> [String] {
    // On UTF-8 bytes: braces and commas are ASCII, so they never fall inside a character.
    let b = Array(s.utf8)
    guard b.contains(UInt8(ascii: ",")) else { return [s.trimmingSpaces()] }
    var parts: [String] = []
    var depth = 0
    var start = 0
    for (i, c) in b.enumerated() {
      switch c {
      case UInt8(ascii: "{"): depth += 1
      case UInt8(ascii: "}"): depth -= 1
      case UInt8(ascii: ",") where depth == 0:
        parts.append(String(utf8: b, start..<i).trimmingSpaces())
        start = i + 1
      default: break
      }
    }
    parts.append(String(utf8: b, start..<b.count).trimmingSpaces())
    return parts
  }
}

extension String {
  /// The parts between occurrences of an ASCII byte, as `split(separator:)` gives them but
  /// cut on UTF-8 rather than on characters (a separator followed by a combining mark
  /// still separates, as it does for the byte-oriented formats).
  func split(byte separator: UInt8, maxSplits: Int = .max, omittingEmptySubsequences: Bool = true) -> [String] {
    var s = self
    return s.withUTF8 { b in
      var parts: [String] = []
      var start = 0
      var k = 0
      while k < b.count {
        if b[k] == separator, parts.count < maxSplits {
          if !(omittingEmptySubsequences && k == start) {
            parts.append(String(decoding: UnsafeBufferPointer(rebasing: b[start..<k]), as: UTF8.self))
          }
          start = k + 1
        }
        k += 1
      }
      if !(omittingEmptySubsequences && start == b.count) {
        parts.append(String(decoding: UnsafeBufferPointer(rebasing: b[start..<b.count]), as: UTF8.self))
      }
      return parts
    }
  }

  /// The string without leading and trailing spaces, tabs and line breaks.
  func trimmingSpaces() -> String {
    var copy = self
    let (trimmed, same) = copy.withUTF8 { b -> (String?, Bool) in
      // Nothing to trim: the common case, decided on two bytes.
      guard let f = b.first, let l = b.last else { return (nil, true) }
      if f > 0x20, l > 0x20, f < 0x80, l < 0x80 { return (nil, true) }
      return (Self.asciiTrimmed(b).map { String(decoding: UnsafeBufferPointer(rebasing: b[$0]), as: UTF8.self) }, false)
    }
    if same { return self }
    return trimmed ?? trimmingSpacesByScalars()
  }

  /// `String(decoding: b, as: UTF8.self).trimmingSpaces()`, made from the bytes once.
  init(trimmingSpaces b: UnsafeBufferPointer<UInt8>) {
    if let r = Self.asciiTrimmed(b) {
      self = String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self)
    } else {
      self = String(decoding: b, as: UTF8.self).trimmingSpacesByScalars()
    }
  }

  /// What ``trimmingSpaces()`` keeps of UTF-8 bytes, found on the bytes: ASCII white space
  /// off both ends, when what it stops at is ASCII (and so not white space); nil when that
  /// is not ASCII, for the rule on scalars (white space beyond ASCII) to decide.
  static func asciiTrimmed(_ b: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
    func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (0x09...0x0D).contains(c) }
    var i = 0
    var j = b.count
    while i < j, isSpace(b[i]) { i += 1 }
    while j > i, isSpace(b[j - 1]) { j -= 1 }
    guard i == j || (b[i] < 0x80 && b[j - 1] < 0x80) else { return nil }
    return i..<j
  }

  /// ``trimmingSpaces()`` scalar by scalar: every scalar with the Unicode White_Space
  /// property comes off both ends.
  func trimmingSpacesByScalars() -> String {
    let scalars = unicodeScalars
    var start = scalars.startIndex
    var end = scalars.endIndex
    while start < end, scalars[start].properties.isWhitespace { start = scalars.index(after: start) }
    while end > start, scalars[scalars.index(before: end)].properties.isWhitespace {
      end = scalars.index(before: end)
    }
    return String(scalars[start..<end])
  }
}

extension String {
  /// Every occurrence of `target` replaced by `replacement`, matched on UTF-8 bytes. A string
  /// without `target` is returned as it is, after one scan.
  func replacingBytes(_ target: String, with replacement: String) -> String {
    guard let first = target.utf8.first, containsByte(first) else { return self }
    let t = Array(target.utf8)
    var copy = self
    return copy.withUTF8 { b -> String in
      func matches(at i: Int) -> Bool {
        guard i + t.count <= b.count else { return false }
        for k in 1..<t.count where b[i + k] != t[k] { return false }
        return true
      }
      var i = 0
      while i < b.count, !(b[i] == first && matches(at: i)) { i += 1 }
      guard i < b.count else { return self }
      var out: [UInt8] = []
      out.reserveCapacity(b.count + 16)
      out.append(contentsOf: UnsafeBufferPointer(rebasing: b[0..<i]))
      while i < b.count {
        if b[i] == first, matches(at: i) {
          out.appendUTF8(replacement)
          i += t.count
        } else {
          out.append(b[i])
          i += 1
        }
      }
      return String(decoding: out, as: UTF8.self)
    }
  }
}
