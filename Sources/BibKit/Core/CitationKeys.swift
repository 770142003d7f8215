/// Generates citation keys of the form `familyYEARword` (`vogels2019powersgd`).
///
/// - The first author's family name (or editor's, or the first word of a literal name),
///   folded to lower-case ASCII; the year; the first significant word of the title.
/// - A key that came with the input is kept.
/// - Collisions, compared case-insensitively, give every paper of the group a suffix `a`,
///   `b`, … in order of date, then title, then arXiv identifier, then the rest of the
///   record, never by input order, so a key does not change when the input is reordered or
///   unrelated papers are added. A base key that collides with nothing is the key, even
///   when it is another group's key with a suffix (`fan2024alphaa`).
public enum CitationKeys {
  /// Words skipped when choosing the title word.
  static let stopWords: Set<String> = [
    "a", "an", "the", "on", "of", "in", "for", "to", "and", "or", "with", "via", "from", "by",
    "at", "as", "into", "over", "under", "towards", "toward", "is", "are", "do", "does",
  ]

  /// The key without any collision suffix.
  public static func baseKey(for paper: Paper) -> String {
    baseKey(person: paper.authors.first ?? paper.editors.first, issued: paper.issued, title: paper.title)
  }

  /// ``baseKey(for:)`` of a paper whose first author (else editor) is `person`.
  static func baseKey(person: Person?, issued: PartialDate?, title: RichText?) -> String {
    var name = ""
    if let person {
      if let family = person.family {
        name = TextFolding.keyLetters(family)
      } else if let literal = person.literal {
        name = TextFolding.keyLetters(
          literal.split(separator: " ").first.map(String.init) ?? literal)
      }
    }
    if name.isEmpty { name = "anon" }
    let year = issued.map { String($0.year) } ?? ""
    return name + year + titleWord(title)
  }

  /// The first title word that is not a stop word, as lower-case ASCII letters and digits.
  static func titleWord(_ title: RichText?) -> String {
    guard let title else { return "" }
    var text = ""
    for run in title.runs where !run.styles.contains(.math) { text += run.text + " " }
    // The folded text is ASCII: its bytes are its characters.
    let folded = TextFolding.asciiFold(text)
    var word: [UInt8] = []
    func flush() -> String? {
      defer { word.removeAll(keepingCapacity: true) }
      let w = String(decoding: word, as: UTF8.self)
      return w.isEmpty || stopWords.contains(w) ? nil : w
    }
    // A word ends at any character that is not an ASCII letter or digit, so "MEDITRON-70B"
    // gives "meditron" and "PowerSGD:" gives "powersgd". Words are lower-cased as they are
    // read.
    for c in folded.utf8 {
      if ASCII.isUpper(c) {
        word.append(c | 0x20)
      } else if ASCII.isLower(c) || ASCII.isDigit(c) {
        word.append(c)
      } else if let w = flush() {
        return w
      }
    }
    return flush() ?? ""
  }

  /// Gives papers without a key the key a writer would give them, so that reading what
  /// was written gives the same papers.
  public static func fillMissing(_ papers: inout [Paper]) {
    guard papers.contains(where: { $0.citationKey?.isEmpty ?? true }) else { return }
    let keys = assign(papers)
    for i in papers.indices where papers[i].citationKey?.isEmpty ?? true {
      papers[i].citationKey = keys[i]
    }
  }

  /// Takes off each paper's key that an earlier paper has, so that the paper gets a
  /// generated key instead and no two papers share one (BibTeX and biber use only the first
  /// entry of a key). Keys are compared in lower case, as BibTeX compares them and as
  /// generated keys avoid them. `seen` holds the keys met so far, in lower case, with the
  /// place of the paper that has each (kept from batch to batch); `place(i)` is the place
  /// of `papers[i]`, and `repeated(i, key, firstPlace)` is called for each key taken off.
  public static func dropRepeated(
    _ papers: inout [Paper], seen: inout [FoldedKey: Int], place: (Int) -> Int, repeated: (Int, String, Int) -> Void
  ) {
    seen.reserveCapacity(seen.count + papers.count)
    for i in papers.indices {
      guard let key = papers[i].citationKey, !key.isEmpty else { continue }
      let folded = FoldedKey(key)
      // One lookup for a key not seen before (nearly every key); the first place put back
      // for one that was.
      if let first = seen.updateValue(place(i), forKey: folded) {
        seen[folded] = first
        papers[i].citationKey = nil
        repeated(i, key, first)
      }
    }
  }

  /// A key as compared for repeats: equal to another when their `lowercased()` forms are,
  /// and hashed by FNV-1a over the bytes of that form. A `String` in a set or dictionary is
  /// hashed by SipHash after a check of its normalization, which took more than the rest of
  /// reading a RIS record's key; an ASCII key (most are) is neither copied nor lowered here.
  public struct FoldedKey: Hashable, Sendable {
    /// The key as given, when it is ASCII; its `lowercased()` form otherwise.
    let text: String
    /// Whether `text` is ASCII (compared with ASCII letters folded): a key that is, or one
    /// whose lower case is (the Kelvin sign's is `k`).
    let ascii: Bool
    let fnv: UInt64

    public init(_ key: String) {
      var k = key
      if k.withUTF8({ b in b.allSatisfy { $0 < 0x80 } }) {
        text = key
        ascii = true
      } else {
        var lower = key.lowercased()
        text = lower
        ascii = lower.withUTF8 { b in b.allSatisfy { $0 < 0x80 } }
      }
      var t = text
      fnv = t.withUTF8 { b in b.reduce(NameTable.fnvBasis, Self.fold) }
    }

    /// One byte of the hash: FNV-1a of the byte with an ASCII capital made small.
    @inline(__always) static func fold(_ h: UInt64, _ c: UInt8) -> UInt64 { (h ^ UInt64(ASCII.lowered(c))) &* NameTable.fnvPrime }

    public func hash(into hasher: inout Hasher) { hasher.combine(fnv) }

    public static func == (a: FoldedKey, b: FoldedKey) -> Bool {
      guard a.fnv == b.fnv, a.ascii == b.ascii else { return false }
      guard a.ascii else { return a.text == b.text }
      var (x, y) = (a.text, b.text)
      return x.withUTF8 { p in y.withUTF8 { q in p.count == q.count && p.indices.allSatisfy { ASCII.lowered(p[$0]) == ASCII.lowered(q[$0]) } } }
    }
  }

  /// Keys for every paper, in the same order: kept where the paper has one, generated otherwise.
  public static func assign(_ papers: [Paper]) -> [String] {
    // Every paper has its key (any BibTeX input): nothing to generate, no set to fill.
    var keys: [String] = []
    keys.reserveCapacity(papers.count)
    for p in papers {
      guard let k = p.citationKey, !k.isEmpty else { break }
      keys.append(k)
    }
    if keys.count == papers.count { return keys }
    var taken = Set<String>()
    return assign(papers, taken: &taken)
  }

  /// Keys that avoid `taken` (lower-cased keys given out before, as when writing page by
  /// page), which gains the new keys.
  public static func assign(_ papers: [Paper], taken: inout Set<String>) -> [String] {
    var keys = [String?](repeating: nil, count: papers.count)
    for (i, p) in papers.enumerated() {
      if let k = p.citationKey, !k.isEmpty {
        keys[i] = k
        taken.insert(k.lowercased())
      }
    }
    var bases: [(index: Int, base: String)] = []
    for (i, p) in papers.enumerated() where keys[i] == nil { bases.append((i, baseKey(for: p))) }
    generate(bases, sortKey: { SortKey(papers[$0]) }, taken: &taken) { keys[$0] = $1 }
    return keys.map { $0 ?? "" }
  }

  /// Generates keys for papers known by their index and base key, avoiding `taken`, which
  /// gains them; `key(index, key)` receives each. A base key that no other paper has and
  /// that is not taken is the paper's key. The other papers, grouped by base key, get
  /// suffixes in the order of `sortKey`, which is asked only for them; groups are served in
  /// the order of their base keys, after every bare key, so no key depends on the input's
  /// order.
  ///
  /// Returns false when two papers of a group are equal in that order (their suffixes then
  /// follow their order in `bases`).
  @discardableResult
  static func generate(
    _ bases: [(index: Int, base: String)], sortKey: (Int) -> SortKey, taken: inout Set<String>,
    key: (Int, String) -> Void
  ) -> Bool {
    var groups: [String: [Int]] = [:]
    groups.reserveCapacity(bases.count)
    for (i, base) in bases { groups[base, default: []].append(i) }
    var suffixed: [(base: String, members: [Int])] = []
    for (base, members) in groups {
      if members.count == 1, !taken.contains(base) {
        key(members[0], base)
        taken.insert(base)
      } else {
        suffixed.append((base, members))
      }
    }
    suffixed.sort { $0.base < $1.base }
    var strict = true
    for (base, members) in suffixed {
      // The order's parts are computed once per member, not once per comparison.
      let sortKeys = members.map(sortKey)
      let order = members.indices.sorted { sortKeys[$0].precedes(sortKeys[$1]) }
      for (a, b) in zip(order, order.dropFirst()) where !sortKeys[a].precedes(sortKeys[b]) { strict = false }
      var n = 0
      for k in order {
        var candidate: String
        repeat {
          candidate = base + suffix(n)
          n += 1
        } while taken.contains(candidate)
        key(members[k], candidate)
        taken.insert(candidate)
      }
    }
    return strict
  }

  /// a, b, …, z, aa, ab, …
  static func suffix(_ n: Int) -> String {
    var n = n
    var s = ""
    repeat {
      s = String(Character(Unicode.Scalar(UInt8(97 + n % 26)))) + s
      n = n / 26 - 1
    } while n >= 0
    return s
  }

  /// A total order on papers that does not depend on input order: by date, then title,
  /// then arXiv identifier, then the rest of the record.
  static func order(_ a: Paper, _ b: Paper) -> Bool { SortKey(a).precedes(SortKey(b)) }

  /// What ``order(_:_:)`` compares, computed once for a paper; the rest of the record only
  /// when date, title and identifier tie, which is rare.
  struct SortKey {
    var date: PartialDate
    var title: String
    var arxiv: String
    var authors: [Person] = []
    var abstract: String?
    /// The rest of the record made beforehand, where the paper itself is not kept (see
    /// ``KeyFillingBatches``).
    var rest: String?

    init(_ p: Paper) {
      self.init(date: p.issued, title: p.title?.plainText ?? "", arxiv: p.identifiers.arxiv?.id ?? "")
      authors = p.authors
      abstract = p.abstract
    }

    /// The order's parts without the rest of the record, which then never decides.
    init(date: PartialDate?, title: String, arxiv: String) {
      self.date = date ?? PartialDate(year: Int.max)
      self.title = title
      self.arxiv = arxiv
    }

    var fingerprint: String { rest ?? CitationKeys.fingerprint(authors: authors, abstract: abstract) }

    func precedes(_ other: SortKey) -> Bool {
      if date != other.date, date < other.date || other.date < date { return date < other.date }
      if title != other.title { return title < other.title }
      if arxiv != other.arxiv { return arxiv < other.arxiv }
      return fingerprint < other.fingerprint
    }
  }

  /// The rest of the record, as far as the order looks: authors and abstract.
  static func fingerprint(authors: [Person], abstract: String?) -> String {
    (authors.map(\.displayName) + [abstract ?? ""]).joined(separator: "\u{1}")
  }
}

/// A set of 64-bit hashes, open addressing with linear probing: the hashes are already
/// well mixed (FNV-1a), so unlike `Set<UInt64>` it does not hash them again.
struct HashSet64 {
  private var slots = [UInt64](repeating: 0, count: 64)
  private var count = 0

  /// 0 marks an empty slot, so the hash 0 is kept as 1.
  private static func stored(_ h: UInt64) -> UInt64 { h == 0 ? 1 : h }

  func contains(_ h: UInt64) -> Bool {
    let h = Self.stored(h)
    let mask = slots.count - 1
    var k = Int(truncatingIfNeeded: h) & mask
    while slots[k] != 0 {
      if slots[k] == h { return true }
      k = (k + 1) & mask
    }
    return false
  }

  mutating func insert(_ h: UInt64) {
    if (count + 1) * 2 > slots.count { grow() }
    let h = Self.stored(h)
    let mask = slots.count - 1
    var k = Int(truncatingIfNeeded: h) & mask
    while slots[k] != 0 {
      if slots[k] == h { return }
      k = (k + 1) & mask
    }
    slots[k] = h
    count += 1
  }

  private mutating func grow() {
    let old = slots
    slots = [UInt64](repeating: 0, count: old.count * 2)
    count = 0
    for h in old where h != 0 { insert(h) }
  }
}

