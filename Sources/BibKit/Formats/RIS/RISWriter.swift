/// Writes RIS: records from `TY  - ` to `ER  - `, CRLF line ends, UTF-8 without a BOM.
///
/// Tags: TY, ID, TI, AU (one per author, `Family, Given`), A2 editors, A4 translators, T2,
/// PY, DA (`YYYY/MM/DD/`), VL, IS, SP/EP, ET, PB, CY, SN, AB, KW (one per keyword and
/// category), UR, DO, AN (`arXiv:<id>`), N1. Preprints are `UNPB` unless the options ask for
/// `GEN` (what Zotero writes). Facts RIS has no tag for are written as `N1` lines
/// `name: value` (see ``ExtensionField``).
public struct RISWriter: BibliographyWriter {
  public init() {}

  public func write(_ papers: [Paper], options: WriteOptions) -> WriteResult {
    let w = Batches(options: options)
    return .joined(w.write(papers, keys: CitationKeys.assign(papers)), w.finish())
  }

  public func batchWriter(options: WriteOptions) -> (any BatchWriter)? { Batches(options: options) }

  /// Records one after another: nothing opens or closes the file.
  struct Batches: BatchWriter {
    let options: WriteOptions

    func write(_ papers: [Paper], keys: [String]) -> WriteResult {
      RISWriter().records(papers, keys: keys, options: options)
    }

    func finish() -> WriteResult { WriteResult(parts: [], count: 0) }
  }

  func records(_ papers: [Paper], keys: [String], options: WriteOptions) -> WriteResult {
    // Records are independent once keys are assigned: one chunk per core, written in turn.
    let chunks = Parallel.chunks(of: papers) { range, all -> ([UInt8], [Diagnostic]) in
      var out = ByteBuffer(capacity: range.count * 1024)
      var diagnostics: [Diagnostic] = []
      for i in range {
        let p = all.baseAddress! + i
        record(&p.pointee, key: keys[i], options: options, into: &out)
        if let d = Paper.uncarriedAffiliations(p.pointee.authors, p.pointee.editors, p.pointee.translators, key: keys[i], format: "RIS") { diagnostics.append(d) }
        if (p.pointee.title?.runs ?? []).contains(where: { !$0.styles.subtracting(.math).isEmpty })
          || (p.pointee.containerTitle?.runs ?? []).contains(where: { !$0.styles.subtracting(.math).isEmpty })
        {
          diagnostics.append(
            Diagnostic(
              .warning, "write.markup",
              "\(keys[i]): RIS has no markup; title formatting and case protection were not written"))
        }
      }
      return (out.array, diagnostics)
    }
    return WriteResult(parts: chunks.map(\.0), diagnostics: chunks.flatMap(\.1), count: papers.count)
  }

  /// CSL type → TY, for the types RIS has (the reader's table, one TY per type).
  static let tyForKind: [String: String] = [
    "article-journal": "JOUR", "paper-conference": "CONF", "chapter": "CHAP", "book": "BOOK",
    "thesis": "THES", "report": "RPRT", "manuscript": "UNPB", "webpage": "ELEC", "software": "COMP",
    "dataset": "DATA", "patent": "PAT", "map": "MAP", "article-magazine": "MGZN",
    "article-newspaper": "NEWS", "motion_picture": "MPCT", "song": "SOUND", "legal_case": "CASE",
    "legislation": "STAT", "bill": "BILL", "classic": "CLSWK", "entry-dictionary": "DICT",
    "entry-encyclopedia": "ENCYC", "figure": "FIGURE", "graphic": "ART", "hearing": "HEAR",
    "personal_communication": "PCOMM", "post-weblog": "BLOG", "periodical": "SER", "pamphlet": "PAMP",
    "musical_score": "MUSIC", "standard": "STAND", "entry": "GEN", "document": "GEN",
  ]

  static func type(_ p: Paper, preprint: String) -> String {
    // A type read from RIS is written back as it was: one of its kind, or one RIS readers
    // do not know (kept with the kind it was read as).
    if let t = p.originalType, t.allBytes({ ASCII.isUpper($0) || ASCII.isDigit($0) || $0 == 0x20 }) {
      if let k = RISReader.types[t] {
        // EDBOOK reads its AU as editors, so it holds only a paper without authors.
        if k == p.kind.rawValue, t != "UNPB", t != "GEN", t != "EDBOOK" || p.authors.isEmpty { return t }
      } else if p.kind == .document {
        return t
      }
    }
    if p.kind == .article { return preprint }
    return tyForKind[p.kind.rawValue] ?? "GEN"
  }

  static func name(_ p: Person) -> String {
    if let literal = p.literal { return literal }
    var s = p.familyWithParticle ?? ""
    let given = [p.given, p.droppingParticle].compactMap { $0 }.filter { !$0.isEmpty }
    // A comma always follows the family name: a name without one reads as an institution.
    s += ", " + given.joined(separator: " ")
    if let suffix = p.suffix, !suffix.isEmpty { s += ", " + suffix }
    if given.isEmpty, p.suffix == nil { s = String(s.dropLast()) }
    return s
  }

  /// A page range's parts between hyphens and en dashes, empty ones dropped. ASCII text is
  /// split on its bytes (it has no en dash); other text by Characters.
  static func pageParts(_ pages: String) -> [String] {
    pages.splitOmittingEmpty(bytes: { $0 == UInt8(ascii: "-") }, characters: { $0 == "-" || $0 == "–" })
  }

  /// One record. The paper is taken `inout` so that it is not copied (see
  /// ``Parallel/chunks(of:_:)``); it is not changed.
  func record(_ p: inout Paper, key: String, options: WriteOptions, into out: inout ByteBuffer) {
    func tag(_ t: String, _ value: String?, multiline: Bool = false, keepEmpty: Bool = false) {
      guard let value, !value.isEmpty || keepEmpty else { return }
      var v = value
      if !v.containsByte(0x0A) {
        // One line already: the common case.
      } else if multiline {
        // Paragraph breaks become single line breaks: a blank line would end the record
        // for some readers. Continuation lines carry the rest.
        var shorter = v.replacingBytes("\n\n", with: "\n")
        while shorter != v {
          v = shorter
          shorter = v.replacingBytes("\n\n", with: "\n")
        }
        v = v.replacingBytes("\n", with: "\r\n")
      } else {
        v = v.replacingBytes("\r\n", with: " ").replacingBytes("\n", with: " ")
      }
      out.appendUTF8(t)
      if v.isEmpty { out.appendStatic("  -") } else { out.appendStatic("  - ") }
      out.appendUTF8(v)
      out.appendStatic("\r\n")
    }
    let ty = Self.type(p, preprint: options.risPreprintType)
    tag("TY", ty)
    tag("ID", key)
    tag("TI", p.title?.plainText)
    for a in p.authors { tag("AU", Self.name(a)) }
    // A bill's A2 is its sponsor (read as an author), so its editors go in ED.
    for e in p.editors { tag(ty == "BILL" ? "ED" : "A2", Self.name(e)) }
    for t in p.translators { tag("A4", Self.name(t)) }
    // A conference paper that keeps other C3 lines of its own: the reader takes the first C3
    // as the proceedings, so the container goes there too (and in T2, which the reader
    // then takes as the same title).
    if ty == "CONF" || ty == "CPAPER",
      p.extraFields.contains(where: { $0.source == FormatID.ris.rawValue && $0.name == "C3" })
    {
      tag("C3", p.containerTitle?.plainText)
    }
    tag("T2", p.containerTitle?.plainText)
    if let d = p.issued {
      tag("PY", String(d.year))
      if let m = d.month {
        let day = d.day.map(PartialDate.twoDigits) ?? ""
        tag("DA", "\(d.year)/\(PartialDate.twoDigits(m))/\(day)/")
      } else if p.extraFields.contains(where: { $0.source == FormatID.ris.rawValue && $0.name == "DA" }) {
        // A kept DA that said something else would otherwise be the first DA, which wins.
        tag("DA", "\(d.year)///")
      }
    }
    tag("VL", p.volume)
    tag("IS", p.issue)
    tag("M1", p.number)
    if let pages = p.pages {
      let parts = Self.pageParts(pages)
      // Split into SP and EP only when the reader's join gives the same text back.
      if parts.count == 2, parts[0] + "-" + parts[1] == pages,
        parts.allSatisfy({ $0 == $0.trimmingSpaces() && !$0.isEmpty })
      {
        tag("SP", parts[0])
        tag("EP", parts[1])
      } else {
        tag("SP", pages)
        // A kept EP would otherwise pair with this SP when read back.
        if p.extraFields.contains(where: { $0.source == FormatID.ris.rawValue && $0.name == "EP" }) {
          tag("EP", "", keepEmpty: true)
        }
      }
    }
    tag("ET", p.edition)
    let arxivID = p.identifiers.arxiv?.id
    tag("PB", p.publisher ?? (arxivID != nil && p.isPreprint ? "arXiv" : nil))
    tag("CY", p.publisherPlace)
    for sn in p.identifiers.isbn + p.identifiers.issn { tag("SN", sn) }
    tag("AB", p.abstract, multiline: true)
    for k in p.keywords + p.categories { tag("KW", k) }
    var urls = p.urls
    if urls.isEmpty, let abs = p.identifiers.arxiv?.absURL { urls.append(abs) }
    for u in urls { tag("UR", u) }
    tag("DO", p.identifiers.doi ?? p.identifiers.arxiv?.doi)
    tag("AN", arxivID.map { "arXiv:" + $0 })
    if ["UNPB", "GEN"].contains(Self.type(p, preprint: options.risPreprintType)) {
      if p.kind == .article {
        // The marker first; a genre after it reads back as the genre.
        tag("M3", RISReader.preprintMarker)
        tag("M3", p.genre)
      } else if p.genre == RISReader.preprintMarker {
        // On UNPB or GEN this M3 would read as the preprint marker: the genre is a note.
        tag("N1", "genre: " + RISReader.preprintMarker)
      } else {
        tag("M3", p.genre)
      }
    } else {
      tag("M3", p.genre)
    }
    tag("LA", p.language)
    // Notes are N1 lines joined; a line of the note that would read as a tag of its own
    // ("VL  -") starts a new N1 instead of continuing, which reads back the same.
    if let note = p.note, !note.isEmpty {
      var lines: [Substring] = []
      for line in note.split(separator: "\n", omittingEmptySubsequences: false) {
        let b = Array(line.utf8)
        if let last = lines.last, RISReader.tagLine(b, 0, b.count) == nil {
          lines[lines.count - 1] = Substring(String(last) + "\n" + line)
        } else {
          lines.append(line)
        }
      }
      for part in lines { tag("N1", String(part), multiline: true) }
    }
    if let t = p.originalType, t != Self.type(p, preprint: options.risPreprintType) {
      tag("N1", "original-type: " + t)
    }
    if let v = p.identifiers.pmid { tag("N1", "pmid: " + v) }
    if let v = p.identifiers.pmcid { tag("N1", "pmcid: " + v) }
    p.forEachExtensionField(for: .ris, carriesTruncation: false) { prefix, name, value in
      // `N1  - name: value`, written in place when it is one line (as it nearly always is).
      guard !(prefix ?? "").containsByte(0x0A), !name.containsByte(0x0A), !value.containsByte(0x0A) else {
        tag("N1", (prefix.map { $0 + "-" } ?? "") + name + ": " + value)
        return
      }
      out.appendStatic("N1  - ")
      if let prefix {
        out.appendUTF8(prefix)
        out.append(UInt8(ascii: "-"))
      }
      out.appendUTF8(name)
      out.appendStatic(": ")
      out.appendUTF8(value)
      out.appendStatic("\r\n")
    }
    if let pc = p.identifiers.arxiv?.primaryCategory, p.categories.first != pc {
      tag("N1", "arxiv-primary-category: " + pc)
    }
    if let t = RISReader.types[Self.type(p, preprint: "UNPB")], t != p.kind.rawValue, p.kind != .article {
      tag("N1", "kind: " + p.kind.rawValue)
    }
    for extra in p.extraFields where extra.source == FormatID.ris.rawValue {
      // The tags whose continuation lines the reader joins with line breaks keep them.
      tag(extra.name, extra.value, multiline: ["AB", "N1", "N2"].contains(extra.name), keepEmpty: true)
    }
    out.appendStatic("ER  - \r\n\r\n")
  }
}
