/// Writes BibTeX: one entry per paper, fields in a fixed order, two-space indent, braces.
///
/// - Keys come from ``CitationKeys``.
/// - Titles: special characters escaped, acronyms and words with inner capitals braced
///   (`{LLMs}`), case-protected runs braced, math kept as `$…$`.
/// - Names in the comma form `von Last, Jr, First`; a truncated list ends in `and others`.
/// - arXiv preprints are `@misc` with `eprint`, `archivePrefix` and `primaryClass` when the
///   id is known, or `primaryClass` alone when only the category is.
/// - Facts BibTeX has no field for are written as extra fields (see ``ExtensionField``).
public struct BibTeXWriter: BibliographyWriter {
  public init() {}

  static let monthNames = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
  ]

  public func write(_ papers: [Paper], options: WriteOptions) -> WriteResult {
    var w = Batches(options: options)
    return .joined(w.write(papers, keys: CitationKeys.assign(papers)), w.finish())
  }

  public func batchWriter(options: WriteOptions) -> (any BatchWriter)? { Batches(options: options) }

  /// Whether BibTeX cannot read byte `c` in a key: ASCII white space or another control
  /// character, a comma, or a brace.
  @inline(__always) static func isUnreadableKeyByte(_ c: UInt8) -> Bool {
    c < 0x21 || c == 0x7F || c == UInt8(ascii: ",") || c == UInt8(ascii: "{") || c == UInt8(ascii: "}")
  }

  /// Whether `key` has a byte BibTeX cannot read in a key (``isUnreadableKeyByte(_:)``).
  static func isUnreadableKey(_ key: String) -> Bool { key.utf8.contains(where: isUnreadableKeyByte) }

  /// The hash ``CitationKeys/FoldedKey`` gives `key`, or nil when BibTeX cannot read it: for
  /// an ASCII key one pass over its bytes, hashing as it checks them (making the `FoldedKey`
  /// after the check costs 0.8% more on CSL-JSON → BibTeX).
  static func readableKeyHash(_ key: String) -> UInt64? {
    var k = key
    let ascii: UInt64?? = k.withUTF8 { b in
      var h = NameTable.fnvBasis
      for c in b {
        if isUnreadableKeyByte(c) { return .some(nil) }
        if c >= 0x80 { return nil }
        h = CitationKeys.FoldedKey.fold(h, c)
      }
      return h
    }
    if let ascii { return ascii }
    return isUnreadableKey(key) ? nil : CitationKeys.FoldedKey(key).fnv
  }

  /// `key` with each run of the bytes ``isUnreadableKeyByte(_:)`` looks for as `-`, none at
  /// either end; `key` when nothing else is left.
  static func readableKey(_ key: String) -> String {
    let made = key.utf8.split(whereSeparator: isUnreadableKeyByte).map { String(decoding: $0, as: UTF8.self) }.joined(separator: "-")
    return made.isEmpty ? "key" : made
  }

  /// The preambles, then the entries separated by blank lines; the count of days that
  /// classic BibTeX could not hold is reported once, at the end.
  struct Batches: BatchWriter {
    let options: WriteOptions
    var written = 0
    var preamblesWritten = false
    var droppedDays = 0
    /// Every key written so far, as the FNV-1a hash of its lower case: a key made in place
    /// of one BibTeX cannot read must not be one of them (a hash that matches counts as the
    /// key, which at worst gives a made key a suffix it did not need).
    var writtenKeys = HashSet64()
    /// The keys made in place of keys BibTeX cannot read: a later key that is one of them is
    /// made again too.
    var madeKeys = Set<CitationKeys.FoldedKey>()

    init(options: WriteOptions) { self.options = options }

    /// The keys to write: each as given, except a key BibTeX cannot read (white space, a
    /// control character, a comma or a brace ends or breaks a key for bibtex, biber and
    /// BibKit's reader), which is written with each run of those as `-`, and a key that an
    /// earlier batch made so already; either gets a suffix if need be to stay apart from
    /// every key written and every key of the batch, with a warning.
    mutating func writableKeys(_ keys: [String], into diagnostics: inout [Diagnostic]) -> [String] {
      var keys = keys
      // The batch's own keys first, so that a key made for one of its papers avoids them all
      // (a whole bibliography is one batch); only a later batch's key can meet a made one.
      var unreadable: [Int] = []
      for i in keys.indices {
        if let hash = BibTeXWriter.readableKeyHash(keys[i]) { writtenKeys.insert(hash) } else { unreadable.append(i) }
      }
      var next = 0
      for i in keys.indices {
        let key = keys[i]
        let unreadable = next < unreadable.count && unreadable[next] == i
        if unreadable { next += 1 }
        if unreadable || (!madeKeys.isEmpty && madeKeys.contains(CitationKeys.FoldedKey(key))) {
          let base = unreadable ? BibTeXWriter.readableKey(key) : key
          var made = base
          var folded = CitationKeys.FoldedKey(made)
          var n = 0
          while writtenKeys.contains(folded.fnv) || madeKeys.contains(folded) {
            made = base + CitationKeys.suffix(n)
            folded = CitationKeys.FoldedKey(made)
            n += 1
          }
          madeKeys.insert(folded)
          writtenKeys.insert(folded.fnv)
          let why = unreadable ? "BibTeX cannot read white space, a comma or a brace in a key" : "a key made for another paper"
          diagnostics.append(Diagnostic(.warning, "write.key", "'\(key)': \(why); written as '\(made)'"))
          keys[i] = made
        }
      }
      return keys
    }

    mutating func preambles() -> [UInt8] {
      guard !preamblesWritten else { return [] }
      preamblesWritten = true
      var out: [UInt8] = []
      for preamble in options.preambles {
        out += "@preamble{{\(preamble)}}\n\n".utf8
      }
      return out
    }

    mutating func write(_ papers: [Paper], keys given: [String]) -> WriteResult {
      guard !papers.isEmpty else { return WriteResult(parts: [], count: 0) }
      var keyDiagnostics: [Diagnostic] = []
      let keys = writableKeys(given, into: &keyDiagnostics)
      // Entries are independent once keys are assigned: large batches are written in one
      // chunk per core, then joined in order.
      struct Chunk {
        var text: [UInt8] = []
        var diagnostics: [Diagnostic] = []
        var droppedDays = 0
      }
      let before = written
      let options = options
      let chunks = Parallel.chunks(of: papers) { range, all -> Chunk in
        var c = Chunk()
        // One builder for the chunk: each entry is written on at the end of its text.
        var entry = EntryBuilder(ascii: options.asciiOnly, dialect: options.bibtexDialect, capacity: range.count * 1024)
        for i in range {
          if before + i > 0 { entry.text.append(0x0A) }
          entry.begin()
          entry.write(&all[i], key: keys[i])
          if entry.keptNonASCII {
            c.diagnostics.append(
              Diagnostic(
                .warning, "write.non-ascii",
                "\(keys[i]): some characters have no LaTeX form and were written as UTF-8"))
          }
          if let d = Paper.uncarriedAffiliations(all[i].authors, all[i].editors, all[i].translators, key: keys[i], format: "BibTeX") {
            c.diagnostics.append(d)
          }
          if entry.droppedDay { c.droppedDays += 1 }
          for name in entry.skipped {
            c.diagnostics.append(
              Diagnostic(
                .warning, "write.conflict",
                "\(keys[i]): extra field '\(name)' conflicts with a field written from the model; not written"))
          }
        }
        c.text = entry.text.array
        return c
      }
      written += papers.count
      // The chunks are not joined: the caller writes the parts one after another.
      var parts = [preambles()]
      var diagnostics = keyDiagnostics
      for c in chunks {
        parts.append(c.text)
        diagnostics += c.diagnostics
        droppedDays += c.droppedDays
      }
      return WriteResult(parts: parts, diagnostics: diagnostics, count: papers.count)
    }

    mutating func finish() -> WriteResult {
      var diagnostics: [Diagnostic] = []
      if droppedDays > 0 {
        diagnostics.append(
          Diagnostic(
            .warning, "write.dropped",
            "classic BibTeX has no field for the day: the day of \(droppedDays) entr\(droppedDays == 1 ? "y" : "ies") was not written (--to biblatex writes it as date)"))
      }
      return WriteResult(parts: [preambles()], diagnostics: diagnostics, count: 0)
    }
  }

  static func entryType(_ paper: Paper) -> String {
    if let t = paper.originalType?.lowercased(), BibTeXMapping.typeFits(t, paper.kind) {
      return t
    }
    return defaultType(paper)
  }

  /// The entry type for a paper's kind when no type came with it.
  static func defaultType(_ paper: Paper) -> String { defaultType(kind: paper.kind, genre: paper.genre) }

  /// ``defaultType(_:)`` from the two facts it depends on (a paper being mapped is not
  /// copied to ask).
  static func defaultType(kind: PaperKind, genre: String?) -> String {
    switch kind {
    case .articleJournal, PaperKind("article-magazine"), PaperKind("article-newspaper"):
      return "article"
    case .paperConference: return "inproceedings"
    case .chapter: return "incollection"
    case .book: return "book"
    case .thesis:
      return (genre?.lowercased().contains("master") ?? false)
        ? "mastersthesis" : "phdthesis"
    case .report: return "techreport"
    case .manuscript: return "unpublished"
    default: return "misc"
    }
  }
}

/// Builds the text of entries, one after another: what is said about an entry (the fields
/// it has, what could not be written) holds from ``begin()`` to the next.
struct EntryBuilder: ~Copyable {
  let ascii: Bool
  /// The entries' UTF-8.
  var text: ByteBuffer
  var keptNonASCII = false
  /// Field names written so far: those the reader knows as bits, others in lower case
  /// (a list: there are few). And extra fields skipped because one was already written.
  var writtenKnown: UInt64 = 0
  var written: [String] = []
  var skipped: [String] = []
  let knownNames = KnownField.table

  let dialect: BibTeXDialect
  /// Entries whose day could not be written (classic BibTeX has no day).
  var droppedDay = false

  init(ascii: Bool, dialect: BibTeXDialect = .bibtex, capacity: Int = 1024) {
    self.ascii = ascii
    self.dialect = dialect
    text = ByteBuffer(capacity: capacity)
  }

  /// Starts the next entry.
  mutating func begin() {
    keptNonASCII = false
    writtenKnown = 0
    if !written.isEmpty { written.removeAll(keepingCapacity: true) }
    if !skipped.isEmpty { skipped.removeAll() }
    droppedDay = false
  }

  /// Notes that a field of this name (in any case) is written. The model's names are
  /// lower case already (no copy) and known to the reader (a bit, not a string).
  mutating func noteWritten(_ name: String) { noteWritten(knownNames.lookupLowered(name)) }

  mutating func noteWritten(_ lowered: NameTable.Lowered) {
    switch lowered {
    case .known(let k): writtenKnown |= 1 << UInt64(k)
    case .unknown(let lower): written.append(lower)
    }
  }

  /// Whether a field of this name (in any case) was written.
  func isWritten(_ name: String) -> Bool { isWritten(knownNames.lookupLowered(name)) }

  func isWritten(_ lowered: NameTable.Lowered) -> Bool {
    switch lowered {
    case .known(let k): writtenKnown & 1 << UInt64(k) != 0
    case .unknown(let lower): written.contains(lower)
    }
  }

  /// A field as it is given; `lowered` is the name's lookup, when the caller made it.
  mutating func field(_ name: String, raw value: String, lowered: NameTable.Lowered? = nil) {
    noteWritten(lowered ?? knownNames.lookupLowered(name))
    // A value ending in a lone backslash would escape the closing brace for LaTeX readers.
    let safe = BibTeXParser.endsWithLoneBackslash(value) ? value + "{}" : value
    text.appendStatic("  ")
    text.appendUTF8(name)
    text.appendStatic(" = {")
    text.appendUTF8(safe)
    text.appendStatic("},\n")
  }

  /// The name a field the reader knows is written with.
  static func writtenName(_ k: KnownField) -> String {
    switch k {
    case .archiveprefix: "archivePrefix"
    case .primaryclass: "primaryClass"
    default: k.name
    }
  }

  /// The `field` functions for a name the reader knows: no lookup of the name.
  mutating func field(_ k: KnownField, raw value: String) {
    field(Self.writtenName(k), raw: value, lowered: .known(Int(k.rawValue)))
  }

  mutating func field(_ k: KnownField, plain value: String?) {
    field(Self.writtenName(k), plain: value, lowered: .known(Int(k.rawValue)))
  }

  mutating func field(_ k: KnownField, verbatim value: String?) {
    field(Self.writtenName(k), verbatim: value, lowered: .known(Int(k.rawValue)))
  }

  mutating func field(_ k: KnownField, rich value: RichText?) {
    field(Self.writtenName(k), rich: value, lowered: .known(Int(k.rawValue)))
  }

  mutating func field(_ name: String, plain value: String?, lowered: NameTable.Lowered? = nil) {
    guard let value, !value.isEmpty else { return }
    var s = ""
    keptNonASCII = LaTeXEncoding.escape(value, ascii: ascii, into: &s) || keptNonASCII
    field(name, raw: s, lowered: lowered)
  }

  mutating func field(_ name: String, rich value: RichText?, lowered: NameTable.Lowered? = nil) {
    guard let value, !value.isEmpty else { return }
    field(name, raw: richText(value), lowered: lowered)
  }

  func isBalanced(_ s: String) -> Bool {
    var copy = s
    return copy.withUTF8 { LaTeXEncoding.bracesNest($0) }
  }

  mutating func field(_ name: String, verbatim value: String?, lowered: NameTable.Lowered? = nil) {
    guard let value, !value.isEmpty else { return }
    // URLs and identifiers are written as they are; only braces must balance.
    if isBalanced(value) {
      field(name, raw: value, lowered: lowered)
    } else {
      field(name, raw: value.replacingBytes("{", with: "%7B").replacingBytes("}", with: "%7D"), lowered: lowered)
    }
  }

  mutating func richText(_ t: RichText) -> String {
    var s = ""
    for (k, run) in t.runs.enumerated() {
      if run.styles.contains(.math) {
        s += "$" + run.text + "$"
        continue
      }
      var inner = ""
      if run.styles.contains(.tex) {
        inner = run.text
        // A control word directly followed by text would swallow the space or the letters.
        if let last = run.text.last, last.isLetter, k + 1 < t.runs.count,
          let next = t.runs[k + 1].text.first, next == " " || next.isLetter
        {
          inner += "{}"
        }
      } else if run.styles.contains(.noCase) {
        keptNonASCII = LaTeXEncoding.escape(run.text, ascii: ascii, into: &inner) || keptNonASCII
        // One braced word the reader takes as plain text needs a second pair to stay protected.
        // A group that starts with a command reads as a special character, not protection.
        let twice = LaTeXDecoding.bracesReadAsPlain(run.text) || inner.hasPrefix("\\")
        inner = twice ? "{{" + inner + "}}" : "{" + inner + "}"
      } else {
        keptNonASCII =
          LaTeXEncoding.protectedText(run.text, ascii: ascii, into: &inner) || keptNonASCII
      }
      if run.styles.contains(.italic) { inner = "\\textit{" + inner + "}" }
      if run.styles.contains(.bold) { inner = "\\textbf{" + inner + "}" }
      if run.styles.contains(.smallCaps) { inner = "\\textsc{" + inner + "}" }
      if run.styles.contains(.superscript) { inner = "\\textsuperscript{" + inner + "}" }
      if run.styles.contains(.subscript) { inner = "\\textsubscript{" + inner + "}" }
      s += inner
    }
    return s
  }

  /// `12-15` and `12–15` → `12--15`; text that already has `--` is left alone.
  static func bibtexPages(_ s: String) -> String {
    // ASCII text (nearly every page range) on its bytes, by the same rule; the rest by
    // characters.
    var copy = s
    let ascii = copy.withUTF8 { b -> (done: Bool, text: String?) in
      guard b.allSatisfy({ $0 < 0x80 }) else { return (false, nil) }
      func isAlphanumeric(_ c: UInt8) -> Bool { ASCII.isDigit(c) || Sniffing.isASCIILetter(c) }
      let hyphen = UInt8(ascii: "-")
      var widened: [Int] = []
      for k in b.indices where b[k] == hyphen {
        if k + 1 < b.count, b[k + 1] == hyphen { return (true, nil) }
        if k > 0, k + 1 < b.count, isAlphanumeric(b[k - 1]), isAlphanumeric(b[k + 1]) { widened.append(k) }
      }
      guard !widened.isEmpty else { return (true, nil) }
      var out: [UInt8] = []
      out.reserveCapacity(b.count + widened.count)
      var from = 0
      for k in widened {
        out.append(contentsOf: UnsafeBufferPointer(rebasing: b[from...k]))
        out.append(hyphen)
        from = k + 1
      }
      out.append(contentsOf: UnsafeBufferPointer(rebasing: b[from...]))
      return (true, String(decoding: out, as: UTF8.self))
    }
    if ascii.done { return ascii.text ?? s }
    return bibtexPagesByCharacters(s)
  }

  /// ``bibtexPages(_:)`` on characters.
  static func bibtexPagesByCharacters(_ s: String) -> String {
    if s.contains("--") { return s }
    let chars = Array(s)
    var out = ""
    for (k, ch) in chars.enumerated() {
      if ch == "–" {
        out += "--"
      } else if ch == "-", k > 0, k + 1 < chars.count, chars[k - 1].isNumber || chars[k - 1].isLetter,
        chars[k + 1].isNumber || chars[k + 1].isLetter
      {
        out += "--"
      } else {
        out.append(ch)
      }
    }
    return out
  }

  mutating func name(_ p: Person, shortcut: Bool = true) -> String {
    // A name holding a backslash is TeX (an unknown command kept by the reader): written
    // as TeX, with only what would break BibTeX escaped. A part holding a comma or the word
    // "and" is braced, so it stays one part of one name.
    func escRaw(_ s: String) -> String {
      var o = ""
      // TeX kept from a BibTeX source goes back as it came when its braces balance.
      if s.containsByte(UInt8(ascii: "\\")), isBalanced(s), !ascii || s.allBytes({ $0 < 0x80 }) {
        return s
      }
      if s.containsByte(UInt8(ascii: "\\")) {
        keptNonASCII = LaTeXEncoding.texText(s, ascii: ascii, into: &o) || keptNonASCII
      } else {
        keptNonASCII = LaTeXEncoding.escape(s, ascii: ascii, into: &o) || keptNonASCII
      }
      return o
    }
    // A comma outside braces would split the name's parts; one inside braces does not.
    func needsBraces(_ o: String) -> Bool {
      var depth = 0
      for c in o.utf8 {
        if c == UInt8(ascii: "{") { depth += 1 } else if c == UInt8(ascii: "}") { depth -= 1 }
        if c == UInt8(ascii: ","), depth == 0 { return true }
      }
      // Only a word "and" (in any case) can split the list.
      return BibTeXNames.splitsNameList(o)
    }
    func esc(_ s: String) -> String {
      let o = escRaw(s)
      return needsBraces(o) ? "{" + o + "}" : o
    }
    // A particle must start with a lower-case letter outside braces to read as von: when it
    // needs braces, its first letter stays outside them.
    func escParticle(_ s: String) -> String {
      let o = escRaw(s)
      guard needsBraces(o) else { return o }
      // The first lower-case letter outside braces stays outside; what comes before it and
      // after it is braced apart. (A group that starts with a backslash would be a special
      // character instead, so that case is braced whole.)
      let b = Array(o.utf8)
      var depth = 0
      for (k, c) in b.enumerated() {
        if c == UInt8(ascii: "{") { depth += 1 } else if c == UInt8(ascii: "}") { depth -= 1 }
        guard depth == 0, ASCII.isLower(c), k == 0 || b[0] != UInt8(ascii: "\\") else { continue }
        let before = k > 0 ? "{" + String(decoding: b[..<k], as: UTF8.self) + "}" : ""
        let after = k + 1 < b.count ? "{" + String(decoding: b[(k + 1)...], as: UTF8.self) + "}" : ""
        return before + String(decoding: [c], as: UTF8.self) + after
      }
      return "{" + o + "}"
    }
    // The usual name, `Family, Given` in plain ASCII with no comma, no "and" and a family of
    // one word: what the rules below give, without building it in steps.
    if shortcut, let (family, given) = Self.plainName(p) {
      guard let given else { return family }
      return family + ", " + given
    }
    if let literal = p.literal {
      let e = escRaw(literal)
      return e.hasPrefix("\\") ? "{{" + e + "}}" : "{" + e + "}"
    }
    var family = esc(p.family ?? "")
    // A family name of several words with no particle is one token: {Brinch Hansen}.
    // A family kept as TeX source is written as it was read.
    var braced = false
    if family.containsByte(0x20), !(p.family ?? "").containsByte(UInt8(ascii: "\\")) {
      family = "{" + family + "}"
      braced = true
    }
    var s = ""
    if let particle = p.particle, !particle.isEmpty {
      // A particle kept as TeX source is written as it came.
      let e = escParticle(particle)
      s += (particle.containsByte(UInt8(ascii: "\\")) ? e : Self.lowercaseForBibTeX(e)) + " "
    }
    s += family
    if let suffix = p.suffix, !suffix.isEmpty { s += ", " + esc(suffix) }
    if let given = p.given, !given.isEmpty {
      s += ", " + esc([p.droppingParticle, given].compactMap { $0 }.joined(separator: " "))
    } else if p.suffix != nil {
      s += ", "
    } else if braced {
      // An empty First keeps a braced family name from reading as an institution; BibTeX
      // rejects a trailing comma, so the First is an empty group.
      s += ", {}"
    }
    return s
  }

  /// BibTeX takes a word for part of the von particle when its first letter outside braces
  /// is lower case, and the von part runs from the first such word to the last. A particle
  /// word that does not read as lower case (`{N}onsense`, `Åke`, `\%Åke` as written for
  /// `%Åke`) has everything before its first lower-case ASCII letter outside braces braced
  /// again, so it still reads as von. A group that starts with a backslash would be a special
  /// character, whose case is its own, so such a prefix goes behind an empty group:
  /// `{{}\%Å}ke`. When the first or the last word has no such letter (`ÓK Yz`, `van Ö`), the
  /// particle is written as one word instead, braced before and after its first lower-case
  /// letter (`{ÓK Y}z`, `v{an Ö}`). A particle with no such letter at all is left as it is.
  static func lowercaseForBibTeX(_ particle: String) -> String {
    let b = Array(particle.utf8)
    // Words at brace depth 0, each with its first lower-case letter braced to the front.
    var words: [String] = []
    var depth = 0
    var start = 0
    for (k, c) in b.enumerated() {
      if c == UInt8(ascii: "{") {
        depth += 1
      } else if c == UInt8(ascii: "}") {
        depth -= 1
      } else if c == 0x20, depth == 0 {
        words.append(lowercaseWord(b[start..<k]))
        start = k + 1
      }
    }
    words.append(lowercaseWord(b[start...]))
    let inWords = words.joined(separator: " ")
    // A particle with a space at either end is left in words: its ends are not letters.
    if BibTeXNames.isLower(words[0]) == true && BibTeXNames.isLower(words[words.count - 1]) == true
      || words[0].isEmpty || words[words.count - 1].isEmpty
    {
      return inWords
    }
    guard let k = firstLowerLetter(b[...]) else { return inWords }
    let after = k + 1 == b.count ? "" : "{" + String(decoding: b[(k + 1)...], as: UTF8.self) + "}"
    return bracedBefore(b[...], k) + String(decoding: b[k...k], as: UTF8.self) + after
  }

  /// A particle word as it reads as lower case, if it can (see ``lowercaseForBibTeX(_:)``).
  static func lowercaseWord(_ word: ArraySlice<UInt8>) -> String {
    let w = String(decoding: word, as: UTF8.self)
    guard BibTeXNames.isLower(w) != true, let k = firstLowerLetter(word) else { return w }
    return bracedBefore(word, k) + String(decoding: word[k...], as: UTF8.self)
  }

  /// What comes before index `k` of `b` as one caseless group (nothing when nothing does):
  /// behind an empty group when it starts with a backslash, which would make the group a
  /// special character.
  static func bracedBefore(_ b: ArraySlice<UInt8>, _ k: Int) -> String {
    guard k > b.startIndex else { return "" }
    return (b.first == UInt8(ascii: "\\") ? "{{}" : "{") + String(decoding: b[..<k], as: UTF8.self) + "}"
  }

  /// The index of the first lower-case ASCII letter outside braces that is not part of a
  /// control sequence, in bytes whose braces balance; nil when there is none.
  static func firstLowerLetter(_ b: ArraySlice<UInt8>) -> Int? {
    var depth = 0
    var k = b.startIndex
    var found: Int?
    while k < b.endIndex {
      let c = b[k]
      if c == UInt8(ascii: "{") {
        depth += 1
      } else if c == UInt8(ascii: "}") {
        depth -= 1
      } else if c == UInt8(ascii: "\\"), k + 1 < b.endIndex {
        // A control word's letters, or a control symbol's character, are not the word's;
        // a brace after a backslash still counts, as BibTeX counts it.
        let next = b[k + 1]
        if Sniffing.isASCIILetter(next) {
          k += 1
          while k + 1 < b.endIndex, Sniffing.isASCIILetter(b[k + 1]) { k += 1 }
        } else if next != UInt8(ascii: "{"), next != UInt8(ascii: "}") {
          k += 1
        }
      } else if depth == 0, found == nil, ASCII.isLower(c) {
        found = k
      }
      k += 1
    }
    return depth == 0 ? found : nil
  }

  /// Whether a name part is written as it is: it reads as itself in LaTeX, holds no comma
  /// and no word "and", and (for a family name) no space.
  static func isPlainNamePart(_ s: String, oneWord: Bool) -> Bool {
    LaTeXEncoding.readsAsItself(s) && !s.containsByte(ASCII.comma) && !(oneWord && s.containsByte(0x20))
      && !BibTeXNames.splitsNameList(s)
  }

  /// A list of names, written as `field(_:raw:)` writes the list joined by ` and `, but
  /// straight into the entry: the usual name goes over as its family, `, ` and given name.
  mutating func names(_ field: KnownField, _ people: [Person], truncated: Bool) {
    guard !people.isEmpty else { return }
    noteWritten(.known(Int(field.rawValue)))
    text.appendStatic("  ")
    text.appendUTF8(Self.writtenName(field))
    text.appendStatic(" = {")
    let valueStart = text.count
    // Through a pointer: `people[k]` would copy each person (a retain and a release of each
    // of its strings) to test it.
    people.withUnsafeBufferPointer { all in
      for k in all.indices {
        if k > 0 { text.appendStatic(" and ") }
        if let (family, given) = Self.plainName(all.baseAddress! + k) {
          text.appendUTF8(family)
          if let given {
            text.appendStatic(", ")
            text.appendUTF8(given)
          }
        } else {
          text.appendUTF8(name(all[k], shortcut: false))
        }
      }
    }
    if truncated { text.appendStatic(" and others") }
    // A list ending in a lone backslash would escape the closing brace for LaTeX readers.
    if text.endsWithLoneBackslash(from: valueStart) { text.appendStatic("{}") }
    text.appendStatic("},\n")
  }

  /// The usual name, `Family, Given` in plain ASCII with no comma, no "and" and a family of
  /// one word, as its two parts: what ``name(_:shortcut:)`` writes for it, without building it.
  static func plainName(_ p: Person) -> (family: String, given: String?)? {
    withUnsafePointer(to: p) { plainName($0) }
  }

  /// ``plainName(_:)`` of the person at `p`, read field by field where it is.
  static func plainName(_ p: UnsafePointer<Person>) -> (family: String, given: String?)? {
    guard p.pointee.literal == nil, p.pointee.particle?.isEmpty ?? true, p.pointee.suffix == nil,
      p.pointee.droppingParticle == nil, let family = p.pointee.family, !family.isEmpty,
      isPlainNamePart(family, oneWord: true)
    else { return nil }
    guard let given = p.pointee.given, !given.isEmpty else { return (family, nil) }
    return isPlainNamePart(given, oneWord: false) ? (family, given) : nil
  }

  /// Writes one entry. The paper is taken `inout` so that it is not copied (see
  /// ``Parallel/chunks(of:_:)``); it is not changed.
  mutating func write(_ p: inout Paper, key: String) {
    var type = BibTeXWriter.entryType(p)
    if dialect == .bibtex { type = BibTeXMapping.classicType(type, genre: p.genre) }
    text.append(UInt8(ascii: "@"))
    text.appendUTF8(type)
    text.append(UInt8(ascii: "{"))
    text.appendUTF8(key)
    text.appendStatic(",\n")
    names(.author, p.authors, truncated: p.authorsTruncated)
    names(.editor, p.editors, truncated: false)
    names(.translator, p.translators, truncated: false)
    field(.title, rich: p.title)
    field(BibTeXMapping.containerField(forType: type) ?? "howpublished", rich: p.containerTitle)
    if let d = p.issued {
      field(.year, raw: String(d.year))
      if let m = d.month {
        noteWritten(.known(Int(KnownField.month.rawValue)))
        text.appendStatic("  month = ")
        text.appendUTF8(BibTeXWriter.monthNames[m - 1])
        text.appendStatic(",\n")
      }
      if d.day != nil {
        if dialect == .biblatex { field(.date, raw: d.description) } else { droppedDay = true }
      }
    }
    field(.volume, plain: p.volume)
    if type == "article" {
      field(.number, plain: p.issue)
      field(.eid, plain: p.number)
    } else {
      field(.number, plain: p.number)
      field(.issue, plain: p.issue)
    }
    field(.pages, plain: p.pages.map(Self.bibtexPages))
    field(.edition, plain: p.edition)
    field(BibTeXMapping.publisherKnownField(forType: type), plain: p.publisher)
    field(.address, plain: p.publisherPlace)
    field(.type, plain: p.genre)
    field(.doi, verbatim: p.identifiers.doi ?? p.identifiers.arxiv?.doi)
    field(.url, verbatim: p.urls.first ?? p.identifiers.arxiv?.absURL)
    if let ax = p.identifiers.arxiv {
      if let id = ax.id {
        field(.eprint, verbatim: id)
        field(.archiveprefix, raw: "arXiv")
      }
      field(.primaryclass, verbatim: ax.primaryCategory)
    }
    field(.isbn, verbatim: p.identifiers.isbn.isEmpty ? nil : p.identifiers.isbn.joined(separator: ", "))
    field(.issn, verbatim: p.identifiers.issn.isEmpty ? nil : p.identifiers.issn.joined(separator: ", "))
    field(.pmid, verbatim: p.identifiers.pmid)
    field(.pmcid, verbatim: p.identifiers.pmcid)
    field(.language, plain: p.language)
    if let note = p.note, !note.isEmpty {
      var s = ""
      keptNonASCII = LaTeXEncoding.texText(note, ascii: ascii, into: &s) || keptNonASCII
      field(.note, raw: s)
    }
    if let abstract = p.abstract, !abstract.isEmpty {
      var s = ""
      keptNonASCII = LaTeXEncoding.texText(abstract, ascii: ascii, into: &s) || keptNonASCII
      field(.abstract, raw: s)
    }
    field(.keywords, plain: p.keywords.isEmpty ? nil : p.keywords.joined(separator: ", "))
    let otherCategories = p.categories.filter { $0 != p.identifiers.arxiv?.primaryCategory }
    if !otherCategories.isEmpty {
      field(.categories, verbatim: p.categories.joined(separator: ", "))
    }
    if p.urls.count > 1 { field(.urls, verbatim: p.urls.joined(separator: " ")) }
    // A type from another format, or one this entry type does not show, is kept by name.
    if let t = p.originalType, t != type { field(.originalType, plain: t) }
    // A kind the entry type does not give back (a legal case in @misc, a magazine article in
    // @article) is kept by name; a preprint is recognised by its arXiv id.
    let subtype = p.extraFields.first {
      $0.source == FormatID.bibtex.rawValue && knownNames.lookupLowered($0.name) == .known(Int(KnownField.entrysubtype.rawValue))
    }?.value
    let read = BibTeXMapping.kindRead(
      type: type, hasArxivID: p.identifiers.arxiv?.id != nil, container: p.containerTitle?.plainText, entrysubtype: subtype)
    if read != p.kind { field(.kind, plain: p.kind.rawValue) }
    for ext in p.extensionFields(for: .bibtex, carriesTruncation: true) {
      if ext.name == "code" || ext.name == "links" {
        field(ext.name, verbatim: ext.value)
      } else {
        field(ext.name, plain: ext.value)
      }
    }
    for extra in p.extraFields where extra.source == FormatID.bibtex.rawValue {
      var name = extra.name
      var lowered = knownNames.lookupLowered(name)
      if dialect == .bibtex {
        let lower: String
        switch lowered {
        case .known(let k): lower = knownNames.names[k]
        case .unknown(let l): lower = l
        }
        if let c = BibTeXMapping.classicSources.find(lower) {
          let classic = BibTeXMapping.classicTargets[c]
          lowered = knownNames.lookupLowered(classic)
          if case .known(let k) = lowered { name = Self.writtenName(KnownField(rawValue: UInt8(k))!) } else { name = classic }
        }
      }
      if isWritten(lowered) {
        skipped.append(extra.name)
      } else {
        field(name, raw: extra.value, lowered: lowered)
      }
    }
    text.appendStatic("}\n")
  }
}
