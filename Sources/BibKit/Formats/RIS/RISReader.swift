/// Reads RIS as exporters write it: a BOM, CRLF or LF (or CR) line ends, tags followed by one
/// or two spaces or a tab, junk and numbering lines outside records, continuation lines, and a
/// missing final `ER`. Tags keep their type-dependent meaning (T2 is a journal for JOUR, a
/// book for CHAP); unknown tags are kept, repeated, in order, so they are written back.
/// Web of Science "tagged" files (FN/PT) are refused with a clear error.
public struct RISReader: BibliographyReader {
  /// Inputs of at least this many bytes are read a batch at a time by
  /// ``batches(_:options:)`` (see RISBatches.swift), batches of `batchBytes` of input.
  public var batchThreshold = 8 << 20
  public var batchBytes = 1 << 20
  /// Whether N1 lines that hold another format's extra field are read from their bytes
  /// (``RecordBuilder/extraNote(_:_:line:)``); off, every N1 line is read as a note line
  /// first. The tests read both ways and compare.
  var readsExtraNotes = true

  public init() {}

  /// TY → CSL type. Where Zotero's RIS importer (the one most RIS users import with) names a
  /// type for a TY, we read it the same way: AGGR and ANCIENT → document, CHART and FIGURE →
  /// graphic, CLSWK and SER → book, CTLG → article-magazine, INPR and PAMP → manuscript,
  /// LEGAL → legal_case, MUSIC and SOUND → song, STAND → report, MPCT → motion_picture.
  /// TY values Zotero only reaches through its journal-article fallback (GEN, UNPB, GRANT,
  /// EQUA) keep their RIS meaning: document, manuscript, document, document. The TY itself
  /// is always kept (`original-type`), so RIS → RIS writes it back.
  static let types: [String: String] = [
    "ABST": "article-journal", "ADVS": "motion_picture", "AGGR": "document", "ANCIENT": "document",
    "ART": "graphic", "BILL": "bill", "BLOG": "post-weblog", "BOOK": "book", "CASE": "legal_case",
    "CHAP": "chapter", "CHART": "graphic", "CLSWK": "book", "COMP": "software",
    "CONF": "paper-conference", "CPAPER": "paper-conference", "CTLG": "article-magazine", "DATA": "dataset",
    "DBASE": "dataset", "DICT": "entry-dictionary", "EBOOK": "book", "ECHAP": "chapter",
    "EDBOOK": "book", "EJOUR": "article-journal", "ELEC": "webpage", "ENCYC": "entry-encyclopedia",
    "EQUA": "document", "FIGURE": "graphic", "GEN": "document", "GOVDOC": "report", "GRANT": "document",
    "HEAR": "hearing", "ICOMM": "personal_communication", "INPR": "manuscript",
    "JFULL": "article-journal", "JOUR": "article-journal", "LEGAL": "legal_case",
    "MANSCPT": "manuscript", "MAP": "map", "MGZN": "article-magazine", "MPCT": "motion_picture",
    "MULTI": "motion_picture", "MUSIC": "song", "NEWS": "article-newspaper",
    "PAMP": "manuscript", "PAT": "patent", "PCOMM": "personal_communication", "RPRT": "report",
    "SER": "book", "SLIDE": "motion_picture", "SOUND": "song", "STAND": "report",
    "STAT": "legislation", "THES": "thesis", "UNBILL": "manuscript", "UNPB": "manuscript",
    "VIDEO": "motion_picture", "WEB": "webpage", "JOURN": "article-journal", "STD": "report",
    "UNPD": "manuscript", "GRNT": "document",
  ]

  /// The marker the writer puts in M3 for preprints (RIS has no preprint type).
  static let preprintMarker = "Preprint"

  struct Field {
    var value: String
    var line: Int
    /// The tag's two bytes as one number: the mapping asks about tags dozens of times per
    /// record, and two strings that differ take a call to compare.
    let code: UInt16
    /// The tag as given, when it was given as a string (a tag line's tag is made from its
    /// code when asked for: its two bytes are ASCII).
    private let given: String?
    /// For an N1 line `<format>-<name>: value` (another format's extra field, as the
    /// writers write it), the format and the name: `value` is then what follows the colon.
    var extra: (source: String, name: String)?

    /// The tag: two characters, as a rule.
    var tag: String {
      given ?? String(decoding: [UInt8(code >> 8), UInt8(truncatingIfNeeded: code)], as: UTF8.self)
    }

    init(tag: String, value: String, line: Int) {
      var it = tag.utf8.makeIterator()
      let a = it.next() ?? 0
      let b = it.next() ?? 0
      // Tags are two characters; anything else matches no code.
      self.value = value
      self.line = line
      code = it.next() == nil ? Self.code(a, b) : 0xFFFF
      given = tag
    }

    /// A field of a tag line, whose tag's code was taken from the bytes it was read from.
    init(code: UInt16, value: String, line: Int) {
      self.value = value
      self.line = line
      self.code = code
      given = nil
    }

    @inline(__always) static func code(_ a: UInt8, _ b: UInt8) -> UInt16 { UInt16(a) << 8 | UInt16(b) }

    /// The code of a tag written in the source.
    @inline(__always) static func code(_ t: StaticString) -> UInt16 {
      t.utf8CodeUnitCount == 2 ? code(t.utf8Start[0], t.utf8Start[1]) : 0xFFFF
    }
  }

  struct Record {
    var line: Int
    var fields: [Field] = []
  }

  /// A tag line: two characters (a letter, then a letter or digit), one or two spaces or a
  /// tab, a hyphen, then an optional space and the value. Returns the tag's code and where the
  /// value starts.
  static func tagLine(_ b: [UInt8], _ s: Int, _ e: Int) -> (code: UInt16, valueStart: Int)? {
    guard e - s >= 4, ASCII.isUpper(b[s]), ASCII.isUpper(b[s + 1]) || ASCII.isDigit(b[s + 1]) else {
      return nil
    }
    var j = s + 2
    var gap = 0
    while j < e, b[j] == 0x20 || b[j] == 0x09, gap < 3 {
      j += 1
      gap += 1
    }
    guard gap >= 1, j < e, b[j] == UInt8(ascii: "-") else { return nil }
    j += 1
    if j < e, b[j] == 0x20 { j += 1 }
    return (Field.code(b[s], b[s + 1]), j)
  }

  public func read(_ input: [UInt8], options: ReadOptions) throws(BibError) -> ReadResult {
    var diagnostics: [Diagnostic] = []
    let bytes = Windows1252.decodedInput(input, code: "ris.encoding", source: options.source, into: &diagnostics)
    let lines = ByteLines.split(bytes)
    func location(_ line: Int) -> SourceLocation { SourceLocation(file: options.source, line: line, column: 1) }
    if let long = ByteLines.overlong(lines) {
      let d = Diagnostic(.error, "ris.line-length", "line longer than \(ByteLines.maxLineBytes >> 20) MiB", at: location(long.number))
      if options.strict { throw BibError(d) }
      return ReadResult(papers: [], diagnostics: [d])
    }

    // Web of Science tagged files look similar but are another format.
    if let first = lines.first(where: { !$0.isEmpty }),
      bytes[first.start..<first.end].starts(with: Array("FN ".utf8))
        || bytes[first.start..<first.end].starts(with: Array("PT ".utf8))
    {
      let d = Diagnostic(.error, "ris.wos", "this is a Web of Science tagged file (FN/PT), not RIS", at: location(first.number))
      if options.strict { throw BibError(d) }
      return ReadResult(papers: [], diagnostics: [d])
    }

    var builder = RecordBuilder(source: options.source)
    builder.readsExtraNotes = readsExtraNotes
    // Room for a record per KiB at once (the bench's take 1.1 KiB), rather than growing
    // the array through every power of two.
    builder.records.reserveCapacity(bytes.count >> 10)
    for line in lines { builder.add(line, bytes) }
    builder.finish()
    let records = builder.records
    diagnostics += builder.diagnostics
    if records.isEmpty {
      let d = Diagnostic(.error, "ris.no-records", "no RIS records found (expected 'TY  - ')", at: location(1))
      if options.strict { throw BibError(d) }
      diagnostics.append(d)
    }
    // Records are independent: they are mapped on every core.
    let source = options.source
    let all = records
    var (papers, found) = Parallel.map(all.count) { i, d in Self.paper(all[i], diagnostics: &d, source: source) }
    diagnostics += found
    var seen: [CitationKeys.FoldedKey: Int] = [:]
    Self.dropRepeatedIDs(&papers, of: all, seen: &seen, source: source, into: &diagnostics)
    if options.fillsMissingKeys { CitationKeys.fillMissing(&papers) }
    return ReadResult(papers: papers, diagnostics: diagnostics)
  }

  /// ``CitationKeys/dropRepeated(_:seen:place:repeated:)`` for the papers of `records`, one
  /// each, with a warning at the record whose ID repeats an earlier record's (`seen` maps
  /// IDs in lower case to the line of the record that has each).
  static func dropRepeatedIDs(
    _ papers: inout [Paper], of records: [Record], seen: inout [CitationKeys.FoldedKey: Int], source: String?, into diagnostics: inout [Diagnostic]
  ) {
    CitationKeys.dropRepeated(&papers, seen: &seen, place: { records[$0].line }) { i, id, first in
      diagnostics.append(
        Diagnostic(
          .warning, "ris.duplicate-id", "repeated ID '\(id)' (first in the record at line \(first)); this record gets a generated key",
          at: SourceLocation(file: source, line: records[i].line, column: 1)))
    }
  }

  /// Gathers lines into records: from `TY` to `ER` (or the next `TY`, or the end, with a
  /// warning), continuation lines joined to the value above, tag lines outside records
  /// ignored.
  struct RecordBuilder {
    let source: String?
    var records: [Record] = []
    var current: Record?
    var diagnostics: [Diagnostic] = []
    /// The room made for the tags of the next record.
    var fieldRoom = 16
    /// The names of extra fields in N1 lines, one string for each (`bibdate`, `coden`).
    var extraNames = NameStrings()
    var readsExtraNotes = true

    init(source: String?) { self.source = source }

    func location(_ line: Int) -> SourceLocation { SourceLocation(file: source, line: line, column: 1) }

    mutating func add(_ line: ByteLine, _ bytes: [UInt8]) {
      if let (code, valueStart) = RISReader.tagLine(bytes, line.start, line.end) {
        if code == Field.code("N1"), readsExtraNotes, current != nil, let f = extraNote(bytes, valueStart..<line.end, line: line.number) {
          current!.fields.append(f)
          return
        }
        let value = String(utf8: bytes, valueStart..<line.end).trimmingSpaces()
        if code == Field.code("TY") {
          if let c = current {
            records.append(c)
            diagnostics.append(
              Diagnostic(.warning, "ris.missing-er", "record without ER; ended at the next TY", at: location(c.line)))
          }
          // Room for as many tags as the record before had, and a quarter more, at once,
          // rather than growing through 2, 4, 8 and 16.
          var fields: [Field] = []
          fields.reserveCapacity(fieldRoom)
          fields.append(Field(code: code, value: value, line: line.number))
          current = Record(line: line.number, fields: fields)
        } else if code == Field.code("ER") {
          if let c = current {
            fieldRoom = Swift.max(8, c.fields.count + c.fields.count / 4)
            records.append(c)
          }
          current = nil
        } else if current != nil {
          current!.fields.append(Field(code: code, value: value, line: line.number))
        }
        // A tag line outside a record is junk (a header), ignored.
      } else if current != nil, !line.isEmpty, var last = current!.fields.popLast() {
        // A continuation line belongs to the value above.
        let more = String(utf8: bytes, line.start..<line.end)
        let sep = last.code == Field.code("AB") || last.code == Field.code("N1") || last.code == Field.code("N2") ? "\n" : " "
        // Trimmed at both ends, as a tag line's value is.
        last.value = (last.value.isEmpty ? more : last.value + sep + more).trimmingSpaces()
        current!.fields.append(last)
      }
    }

    /// An N1 line's value `<format>-<name>: value`, read as ``RISReader/applyExtension(_:to:)``
    /// reads the value string, but made from the bytes: the value after the colon is the
    /// only string made, and the name is shared by the lines that have it. Nil where that
    /// reading does not make another format's field, or where either end of the line or of
    /// the value is not ASCII (trimming is then by Unicode's white space): the line's value
    /// is then made whole, as any other.
    mutating func extraNote(_ bytes: [UInt8], _ range: Range<Int>, line: Int) -> Field? {
      bytes.withUnsafeBufferPointer { all -> Field? in
        let v = UnsafeBufferPointer(rebasing: all[range])
        guard let r = String.asciiTrimmed(v), !r.isEmpty else { return nil }
        let t = UnsafeBufferPointer(rebasing: v[r])
        guard let colon = RISReader.nameColon(t) else { return nil }
        let name = UnsafeBufferPointer(rebasing: t[..<colon])
        guard let (source, length) = ExtraField.foreignPrefix(name, readBy: .ris), source != "arxiv" else { return nil }
        let rest = UnsafeBufferPointer(rebasing: t[(colon + 1)...])
        guard let kept = String.asciiTrimmed(rest), !kept.isEmpty else { return nil }
        let short = UnsafeBufferPointer(rebasing: name[length...])
        var f = Field(code: Field.code("N1"), value: String(decoding: UnsafeBufferPointer(rebasing: rest[kept]), as: UTF8.self), line: line)
        f.extra = (source, extraNames.name(NameTable.hash(short), short))
        return f
      }
    }

    /// Ends the last record at the end of the input.
    mutating func finish() {
      if let c = current {
        records.append(c)
        diagnostics.append(Diagnostic(.warning, "ris.missing-er", "last record has no ER", at: location(c.line)))
      }
      current = nil
    }
  }

  // MARK: Mapping

  static func paper(_ r: Record, diagnostics: inout [Diagnostic], source: String?) -> Paper {
    var p = Paper(kind: .document)
    map(r, into: &p, diagnostics: &diagnostics, source: source)
    return p
  }

  /// The mapping of ``paper(_:diagnostics:source:)``, filling in `p` (made in place, so
  /// that the paper is not copied on its way out).
  private static func map(_ r: Record, into p: inout Paper, diagnostics: inout [Diagnostic], source: String?) {
    let ty = r.fields.first?.value.uppercased() ?? ""
    p.kind = PaperKind(types[ty] ?? "document")
    // The type is kept when it is not the one the writer would choose for the kind.
    if !ty.isEmpty, RISWriter.tyForKind[p.kind.rawValue] != ty { p.originalType = ty }
    var read = Array(r.fields.dropFirst())
    // On UNPB or GEN, the writer's note for a genre that an M3 would misread (Preprint, on a
    // record that is not a preprint): the genre is the note's, and every M3 is kept as a field.
    let preprintType = ty == "UNPB" || ty == "GEN"
    let genreNote =
      preprintType ? read.indices.first { read[$0].code == Field.code("N1") && read[$0].value == "genre: " + preprintMarker } : nil
    // A preprint: the writer's marker, the first M3 on UNPB or GEN. A later M3 is the genre
    // (the writer's second M3) or a field of its own.
    if preprintType, genreNote == nil, let m3 = read.firstIndex(where: { $0.code == Field.code("M3") }),
      read[m3].value == preprintMarker
    {
      p.kind = .article
      read.remove(at: m3)
    }
    // A constant from here on: the functions below read it without exclusivity checks.
    let fields = read

    // Fields are consumed one by one, so a repeated tag's other lines stay as they came.
    // Which ones, by position: flags rather than a Set<Int>, which would hash on every test.
    // Written through a pointer: a captured variable that the local functions below write
    // would be checked for exclusive access at run time (their `&&` is an autoclosure).
    let used = UnsafeMutableBufferPointer<Bool>.allocate(capacity: Swift.max(1, fields.count))
    used.initialize(repeating: false)
    defer { used.deallocate() }
    // The value of the first unused, non-empty field with tag `a`, else `b`, and so on. Tags
    // are given one by one (a variadic list would be an array made at every call).
    func take(
      _ a: StaticString, _ b: StaticString? = nil, _ c: StaticString? = nil, _ d: StaticString? = nil, _ e: StaticString? = nil
    ) -> String? {
      func first(_ t: StaticString?) -> String? {
        guard let t else { return nil }
        let code = Field.code(t)
        for k in fields.indices where !used[k] && fields[k].code == code && !fields[k].value.isEmpty {
          used[k] = true
          return fields[k].value
        }
        return nil
      }
      if let v = first(a) { return v }
      if let v = first(b) { return v }
      if let v = first(c) { return v }
      if let v = first(d) { return v }
      return first(e)
    }
    // The values of every unused, non-empty field with any of the tags, in record order.
    func takeAll(_ a: StaticString, _ b: StaticString? = nil) -> [String] {
      let (ca, cb) = (Field.code(a), b.map { Field.code($0) } ?? 0xFFFF)
      var values: [String] = []
      for k in fields.indices where !used[k] && (fields[k].code == ca || fields[k].code == cb) && !fields[k].value.isEmpty {
        used[k] = true
        values.append(fields[k].value)
      }
      return values
    }

    p.citationKey = take("ID")
    if let t = take("TI", "T1", "CT") { p.title = RichText.parsingInlineMath(TextFolding.collapse(t)) }
    // The container by type: for CONF a C3 is the proceedings and T2 the event.
    if ty == "CONF" || ty == "CPAPER", let c3 = take("C3") {
      p.containerTitle = RichText(c3)
      // The writer repeats the proceedings title in T2.
      if let k = fields.indices.first(where: { !used[$0] && fields[$0].code == Field.code("T2") && fields[$0].value == c3 }) {
        used[k] = true
      }
    } else if let t = take("T2", "JF", "JO", "BT", "J1") {
      p.containerTitle = RichText(t)
    }
    // Names by TY, as EndNote and Zotero read them: a bill's A2 is its sponsor (its primary
    // creator, CSL's author); an edited book's AU are its editors.
    p.authors = takeAll("AU", "A1").map(name)
    if ty == "BILL" {
      p.authors += takeAll("A2").map(name)
      p.editors = takeAll("ED").map(name)
    } else {
      p.editors = takeAll("A2", "ED").map(name)
    }
    if ty == "EDBOOK" {
      p.editors = p.authors + p.editors
      p.authors = []
    }
    p.translators = takeAll("A4").map(name)
    // DA, else PY, else Y1; never Y2 (the access date). Every date tag that agrees with the
    // date taken (repeats included) is consumed; one that says more or else stays as it is.
    for tag in [Field.code("DA"), Field.code("PY"), Field.code("Y1")] {
      for k in fields.indices where fields[k].code == tag && !fields[k].value.isEmpty {
        guard let d = date(fields[k].value) else { continue }
        if p.issued == nil {
          p.issued = d
          used[k] = true
        } else if d.year == p.issued?.year, d.month == nil || d.month == p.issued?.month,
          d.day == nil || d.day == p.issued?.day
        {
          used[k] = true
        }
      }
    }
    p.volume = take("VL")
    p.issue = take("IS")
    if let sp = take("SP") {
      // The first EP pairs with SP. An empty one (the writer's mark that the range is all in
      // SP and a later EP is something else) pairs with nothing.
      if let k = fields.indices.first(where: { !used[$0] && fields[$0].code == Field.code("EP") }) {
        used[k] = true
        p.pages = fields[k].value.isEmpty ? sp : sp + "-" + fields[k].value
      } else {
        p.pages = sp
      }
    }
    p.edition = take("ET")
    p.publisher = take("PB")
    p.publisherPlace = take("CY")
    for sn in takeAll("SN") {
      // Eight digits (X counting as one) make an ISSN; an ASCII number is counted on its
      // bytes, anything else by characters.
      var bytes = sn
      let ascii = bytes.withUTF8 { b -> Int? in
        var n = 0
        for c in b {
          guard c < 0x80 else { return nil }
          if ASCII.isDigit(c) || c == UInt8(ascii: "X") || c == UInt8(ascii: "x") { n += 1 }
        }
        return n
      }
      let digits = ascii ?? sn.filter { $0.isNumber || $0 == "X" || $0 == "x" }.count
      if digits == 8 { p.identifiers.issn.append(sn) } else { p.identifiers.isbn.append(sn) }
    }
    p.abstract = take("AB", "N2")
    p.language = take("LA")
    // With the note no field was removed: its index holds.
    if let k = genreNote {
      used[k] = true
      p.genre = preprintMarker
    } else {
      p.genre = take("M3")
    }
    p.number = take("M1")
    if let doi = take("DO") { p.identifiers.doi = BibTeXReader.normalizedDOI(doi) }
    if let k = fields.indices.first(where: { fields[$0].code == Field.code("AN") && fields[$0].value.lowercased().hasPrefix("arxiv:") }) {
      used[k] = true
      let (id, version) = ArxivAtomReader.splitID(String(fields[k].value.dropFirst(6)))
      p.identifiers.arxiv = ArxivIdentifier(id: id, version: version)
    }
    p.urls = takeAll("UR")
    for kw in takeAll("KW") {
      if isCategory(kw) { p.categories.append(kw) } else { p.keywords.append(kw) }
    }
    if let first = p.categories.first {
      var ax = p.identifiers.arxiv ?? ArxivIdentifier()
      ax.primaryCategory = first
      p.identifiers.arxiv = ax
    }

    // N1: the writer's "name: value" lines for facts RIS has no tag for; the rest is the note.
    // Room at once for the extra fields these and the unused tags below can give.
    var pending = 0
    for k in fields.indices where !used[k] { pending += 1 }
    if pending > 1 { p.extraFields.reserveCapacity(p.extraFields.count + pending) }
    var notes: [String] = []
    for k in fields.indices where fields[k].code == Field.code("N1") && !used[k] {
      used[k] = true
      // An empty N1 says nothing; joined in, it would end the note with a line break that
      // RIS cannot write back.
      if fields[k].value.isEmpty { continue }
      if let (source, name) = fields[k].extra {
        p.extraFields.append(ExtraField(source: source, name: name, value: fields[k].value))
      } else if !applyExtension(fields[k].value, to: &p) {
        notes.append(fields[k].value)
      }
    }
    if !notes.isEmpty { p.note = notes.joined(separator: "\n") }
    // A kind named in N1 whose own TY this is (CLSWK for `classic`): the TY says nothing more.
    if p.originalType == ty, RISWriter.tyForKind[p.kind.rawValue] == ty { p.originalType = nil }

    // The arXiv conventions of the writer: PB arXiv, the arXiv DOI and abs URL are derived.
    if let ax = p.identifiers.arxiv, ax.id != nil {
      if p.publisher == "arXiv", p.kind == .article { p.publisher = nil }
      if let doi = p.identifiers.doi, doi.lowercased() == ax.doi?.lowercased() { p.identifiers.doi = nil }
      if p.urls.first == ax.absURL { p.urls.removeFirst() }
    }

    for k in fields.indices where !used[k] {
      p.extraFields.append(ExtraField(source: "ris", name: fields[k].tag, value: fields[k].value))
    }
  }

  /// An arXiv category written as a keyword (`cs.LG`, `math.OC`, `hep-th`).
  static func isCategory(_ s: String) -> Bool {
    guard ArxivAtomReader.isArxivCategory(s) else { return false }
    let archive = s.split(separator: ".").first.map(String.init) ?? s
    let known = ArxivTaxonomy.archives.map(\.archive) + [
      "hep-th", "hep-ph", "hep-ex", "hep-lat", "gr-qc", "quant-ph", "nucl-th", "nucl-ex", "math-ph",
      "cond-mat", "physics", "astro-ph",
    ]
    return known.contains(archive) && (s.contains(".") || !ArxivTaxonomy.archives.map(\.archive).contains(archive))
  }

  static let extensionNames: Set<String> = [
    "kind", "pmid", "pmcid",
    "authors-truncated", "year-inferred", "date-approximate", "original-type", "code", "code-badge", "links", "first-version-date",
    "current-version-date", "arxiv-version", "arxiv-primary-category",
  ]

  /// Reads one `N1  - name: value` line the writer wrote; false for an ordinary note.
  /// Where the name of a note `name: value` ends: the colon, when it comes before any space
  /// or line break (the name is one word); nil when it does not.
  static func nameColon(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
    guard let colon = b.firstIndex(where: { $0 == UInt8(ascii: ":") || $0 == 0x20 || $0 == 0x0A }),
      b[colon] == UInt8(ascii: ":")
    else { return nil }
    return colon
  }

  static func applyExtension(_ line: String, to p: inout Paper) -> Bool {
    // `name: value`, the name one word: scanned on UTF-8 up to the colon or a space, so a
    // long note is not walked character by character.
    var line = line
    guard
      let (name, value, extra) = line.withUTF8({ b -> (String, String, (source: String, name: String)?)? in
        guard let colon = nameColon(b) else { return nil }
        let name = UnsafeBufferPointer(rebasing: b[..<colon])
        let value = String(trimmingSpaces: UnsafeBufferPointer(rebasing: b[(colon + 1)...]))
        let extra = ExtraField.foreignName(name, readBy: .ris)
        // The name is looked at below only when the note is not another format's field.
        let named = extra == nil || extra?.source == "arxiv" ? String(decoding: name, as: UTF8.self) : ""
        return (named, value, extra)
      })
    else { return false }
    guard !value.isEmpty else { return false }
    // Another format's extra field, the usual note: none of the names below starts with
    // these prefixes but `arxiv-`, which the names below are tried for first.
    if let extra, extra.source != "arxiv" {
      p.extraFields.append(ExtraField(source: extra.source, name: extra.name, value: value))
      return true
    }
    switch name {
    case "authors-truncated" where value == "true": p.authorsTruncated = true
    case "year-inferred" where value == "true" && p.issued != nil: p.issued?.yearInferred = true
    case "date-approximate" where value == "true" && p.issued != nil: p.issued?.approximate = true
    case "original-type": p.originalType = value
    case "genre" where p.genre == nil: p.genre = value
    case "code-badge" where value == "true": p.hasCode = true
    case "code": p.codeLinks = value.split(separator: " ").map(String.init)
    case "links": p.relatedLinks = value.split(separator: " ").map(String.init)
    case "first-version-date" where PartialDate(iso: value) != nil: p.firstVersionDate = PartialDate(iso: value)
    case "current-version-date" where PartialDate(iso: value) != nil: p.currentVersionDate = PartialDate(iso: value)
    case "arxiv-version" where Int(value) != nil && p.identifiers.arxiv != nil: p.identifiers.arxiv?.version = Int(value)
    case "kind": p.kind = PaperKind(value)
    case "pmid": p.identifiers.pmid = value
    case "pmcid": p.identifiers.pmcid = value
    case "arxiv-primary-category":
      var ax = p.identifiers.arxiv ?? ArxivIdentifier()
      ax.primaryCategory = value
      p.identifiers.arxiv = ax
    default:
      guard let extra else { return false }
      p.extraFields.append(ExtraField(source: extra.source, name: extra.name, value: value))
    }
    return true
  }

  /// `Family, Given[, Suffix]`; a name without a comma is kept whole (an institution), except
  /// `Liu R.` (family and initials, as Embase writes). Lower-case leading words of the family
  /// are its particle (`du Terrail`).
  static func name(_ s: String) -> Person {
    quickName(s) ?? nameByRule(s)
  }

  /// ``name(_:)`` for the usual name, `Family, Given` in printable ASCII with a family name
  /// of one word: read on the bytes. Nil for any other, which the rule reads (and this
  /// agrees with it).
  static func quickName(_ s: String) -> Person? {
    var copy = s
    return copy.withUTF8 { b -> Person? in
      var comma = -1
      for i in b.indices {
        let c = b[i]
        if c < 0x20 || c >= 0x80 { return nil }
        if c == ASCII.comma {
          if comma >= 0 { return nil }
          comma = i
        }
      }
      guard comma >= 0 else { return nil }
      var (fs, fe) = (0, comma)
      while fs < fe, b[fs] == 0x20 { fs += 1 }
      while fe > fs, b[fe - 1] == 0x20 { fe -= 1 }
      for i in fs..<fe where b[i] == 0x20 { return nil }
      var (gs, ge) = (comma + 1, b.count)
      while gs < ge, b[gs] == 0x20 { gs += 1 }
      while ge > gs, b[ge - 1] == 0x20 { ge -= 1 }
      var p = Person()
      if fe > fs { p.family = String(decoding: UnsafeBufferPointer(rebasing: b[fs..<fe]), as: UTF8.self) }
      if ge > gs { p.given = String(decoding: UnsafeBufferPointer(rebasing: b[gs..<ge]), as: UTF8.self) }
      return p
    }
  }

  /// ``name(_:)`` by its rule: `Family, Given, Suffix`, lower-case words before the family
  /// name as its particle; `Family G.` as `Family, G.`; anything else a literal name.
  static func nameByRule(_ s: String) -> Person {
    let parts = s.split(byte: ASCII.comma, maxSplits: 2, omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
    if parts.count == 1 {
      let words = s.split(separator: " ")
      if words.count >= 2, let last = words.last, last.allSatisfy({ $0.isUppercase || $0 == "." }),
        last.contains("."), last.count <= 6
      {
        // "Fanning E." reads as "Fanning, E.", particles included ("van Dijk J.").
        return name(words.dropLast().joined(separator: " ") + ", " + last)
      }
      return Person(literal: s.trimmingSpaces())
    }
    var p = Person()
    let familyWords = parts[0].split(byte: 0x20)
    var k = 0
    while k < familyWords.count - 1, Person.startsLowercase(familyWords[k]) { k += 1 }
    if k > 0 { p.particle = familyWords[..<k].joined(separator: " ") }
    // One word, the usual family name, is that word (joining a list of one costs more).
    p.family = k == familyWords.count - 1 ? familyWords[k] : familyWords[k...].joined(separator: " ")
    if p.family?.isEmpty == true { p.family = nil }
    if !parts[1].isEmpty { p.given = parts[1] }
    if parts.count == 3, !parts[2].isEmpty { p.suffix = parts[2] }
    return p
  }

  /// `YYYY/MM/DD/other`, `YYYY`, `YYYY//`, `YYYY-MM-DD`; `00` and empty parts are absent.
  static func date(_ s: String) -> PartialDate? {
    // `YYYY/MM/DD/other` and its shorter forms, and `YYYY` (PY), digits and slashes only
    // (the usual RIS dates), read on the bytes; anything else by the rule below, which this
    // agrees with.
    var copy = s
    let quick = copy.withUTF8 { b -> PartialDate?? in
      guard !b.isEmpty, b.allSatisfy({ ASCII.isDigit($0) || $0 == UInt8(ascii: "/") }) else { return .none }
      // The first three parts' numbers (nil for an empty or missing part), in variables
      // rather than an array made for every date: the rest are not read.
      var parts: (Int?, Int?, Int?) = (nil, nil, nil)
      var count = 0
      var yearDigits = 0
      var value = 0
      var digits = 0
      func endPart() {
        let n = digits > 0 ? value : nil
        switch count {
        case 0: parts.0 = n; yearDigits = digits
        case 1: parts.1 = n
        case 2: parts.2 = n
        default: break
        }
        count += 1
      }
      for c in b {
        if c == UInt8(ascii: "/") {
          endPart()
          value = 0
          digits = 0
        } else {
          digits += 1
          guard digits <= 18 else { return .none }  // beyond Int: the rule below decides
          value = value * 10 + Int(c - 0x30)
        }
      }
      endPart()
      // The year's part must have one to four digits.
      guard (1...4).contains(yearDigits), let year = parts.0, year > 0 else { return .some(nil) }
      var d = PartialDate(year: year)
      if let m = parts.1, (1...12).contains(m) {
        d.month = m
        if let day = parts.2, (1...PartialDate.daysIn(month: m, year: year)).contains(day) {
          d.day = day
        }
      }
      return .some(d)
    }
    if let quick { return quick }
    return dateByText(s)
  }

  /// ``date(_:)`` on text: trimmed, then ISO 8601, or `YYYY/MM/DD/other` with its parts
  /// trimmed.
  static func dateByText(_ s: String) -> PartialDate? {
    let t = s.trimmingSpaces()
    if let iso = PartialDate(iso: t) { return iso.year > 0 ? iso : nil }
    let parts = t.split(byte: UInt8(ascii: "/"), omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
    guard let y = parts.first, (1...4).contains(y.count), let year = Int(y), year > 0 else { return nil }
    var d = PartialDate(year: year)
    if parts.count > 1, let m = Int(parts[1]), (1...12).contains(m) {
      d.month = m
      if parts.count > 2, let day = Int(parts[2]), (1...PartialDate.daysIn(month: m, year: year)).contains(day) {
        d.day = day
      }
    }
    return d
  }
}
