/// Writes CSL-JSON 1.0.2: an array with one item per paper, keys sorted, two-space indent.
///
/// - `id` and `citation-key` are the citation key.
/// - Preprints are type `article`; with an arXiv id they carry `publisher: arXiv`,
///   `number: arXiv:<id>`, the arXiv DOI and the abs URL.
/// - `issued` carries the precision that is known (`[[2023]]`, `[[2023, 11]]`, `[[2023, 11, 27]]`).
/// - Case protection becomes `<span class="nocase">`, italic `<i>`, bold `<b>`, and so on.
/// - What CSL has no variable for goes into the item's `custom` object: the flags
///   `authors-truncated` and `year-inferred` as `true`, the rest as strings
///   (see ``ExtensionField``).
public struct CSLJSONWriter: BibliographyWriter {
  public init() {}

  public func write(_ papers: [Paper], options: WriteOptions) -> WriteResult {
    var w = Batches()
    return .joined(w.write(papers, keys: CitationKeys.assign(papers)), w.finish())
  }

  public func batchWriter(options: WriteOptions) -> (any BatchWriter)? { Batches() }

  /// The array opened before the first item, items separated by `,` and a line feed, and
  /// closed at the finish: the bytes `JSONValue.array(items).write` would give.
  struct Batches: BatchWriter {
    var written = 0

    mutating func write(_ papers: [Paper], keys: [String]) -> WriteResult {
      // Items are independent once keys are assigned: large batches are written in one
      // chunk per core.
      let before = written
      let parts = Parallel.chunks(of: papers) { range, all -> [UInt8] in
        var out = ByteBuffer(capacity: range.count * 1024)
        var scratch = CustomScratch()
        for i in range {
          out.append(before + i == 0 ? UInt8(ascii: "[") : UInt8(ascii: ","))
          out.append(0x0A)
          JSONValue.spaces(2, into: &out)
          CSLJSONWriter().writeItem(&all[i], key: keys[i], into: &out, scratch: &scratch)
        }
        return out.array
      }
      written += papers.count
      var diagnostics: [Diagnostic] = []
      for i in papers.indices {
        if let d = Paper.uncarriedAffiliations(papers[i].authors, papers[i].editors, papers[i].translators, key: keys[i], format: "CSL-JSON") { diagnostics.append(d) }
      }
      // The chunks are not joined: the caller writes the parts one after another.
      return WriteResult(parts: parts, diagnostics: diagnostics, count: papers.count)
    }

    mutating func finish() -> WriteResult {
      WriteResult(bytes: Array((written == 0 ? "[]\n" : "\n]\n").utf8), count: 0)
    }
  }

  /// Writes one item at indent 2, as `item(p, key:).write(into:indent: 2)` would, without
  /// building its tree. Items with keys kept from CSL-JSON input take the tree path.
  func writeItem(_ p: Paper, key: String, into out: inout ByteBuffer) {
    var scratch = CustomScratch()
    var p = p
    writeItem(&p, key: key, into: &out, scratch: &scratch)
  }

  /// ``writeItem(_:key:into:)`` with room for the `custom` members kept from item to item.
  /// The paper is taken `inout` so that it is not copied (see ``Parallel/chunks(of:_:)``);
  /// it is not changed.
  func writeItem(_ p: inout Paper, key: String, into out: inout ByteBuffer, scratch: inout CustomScratch) {
    if p.extraFields.contains(where: { $0.source == FormatID.cslJSON.rawValue }) {
      item(p, key: key).write(into: &out, indent: 2)
      return
    }
    var first = true
    func member(_ k: StaticString) { Self.member(k, first: &first, into: &out) }
    func string(_ k: StaticString, _ v: String?) {
      guard let v, !v.isEmpty else { return }
      member(k)
      JSONValue.quote(v, into: &out)
    }
    func strings(_ k: StaticString, _ list: [String]) {
      member(k)
      out.append(UInt8(ascii: "["))
      out.append(0x0A)
      for (i, v) in list.enumerated() {
        JSONValue.spaces(6, into: &out)
        JSONValue.quote(v, into: &out)
        if i + 1 < list.count { out.append(UInt8(ascii: ",")) }
        out.append(0x0A)
      }
      JSONValue.spaces(4, into: &out)
      out.append(UInt8(ascii: "]"))
    }
    func people(_ k: StaticString, _ list: [Person]) {
      guard !list.isEmpty else { return }
      member(k)
      out.append(UInt8(ascii: "["))
      out.append(0x0A)
      list.withUnsafeBufferPointer { all in
        for i in all.indices {
          JSONValue.spaces(6, into: &out)
          Self.writeName(all.baseAddress! + i, into: &out)
          if i + 1 < all.count { out.append(UInt8(ascii: ",")) }
          out.append(0x0A)
        }
      }
      JSONValue.spaces(4, into: &out)
      out.append(UInt8(ascii: "]"))
    }
    let arxivID = p.identifiers.arxiv?.id
    string("DOI", p.identifiers.doi ?? p.identifiers.arxiv?.doi)
    string("ISBN", p.identifiers.isbn.first)
    string("ISSN", p.identifiers.issn.first)
    string("PMCID", p.identifiers.pmcid)
    string("PMID", p.identifiers.pmid)
    string("URL", p.urls.first ?? p.identifiers.arxiv?.absURL)
    string("abstract", p.abstract)
    people("author", p.authors)
    if !p.categories.isEmpty { strings("categories", p.categories) }
    string("citation-key", key)
    if let t = p.containerTitle, !t.isEmpty { string("container-title", Self.html(t)) }
    writeCustom(p, first: &first, into: &out, scratch: &scratch)
    string("edition", p.edition)
    people("editor", p.editors)
    string("genre", p.genre)
    string("id", key)
    string("issue", p.issue)
    if let d = p.issued {
      member("issued")
      Self.writeDate(d, into: &out)
    }
    if !p.keywords.isEmpty { string("keyword", p.keywords.joined(separator: ", ")) }
    string("language", p.language)
    string("note", p.note)
    string("number", p.number ?? arxivID.map { "arXiv:" + $0 })
    string("page", p.pages)
    string("publisher", p.publisher ?? (arxivID != nil && p.isPreprint ? "arXiv" : nil))
    string("publisher-place", p.publisherPlace)
    if let t = p.title, !t.isEmpty { string("title", Self.html(t)) }
    people("translator", p.translators)
    string("type", p.kind.isCSLType ? p.kind.rawValue : "document")
    string("volume", p.volume)
    out.append(0x0A)
    JSONValue.spaces(2, into: &out)
    out.append(UInt8(ascii: "}"))
  }

  /// Object members, added in key order.
  struct Members {
    var list: [(String, JSONValue)] = []
    mutating func add(_ k: String, _ v: String?) {
      if let v, !v.isEmpty { list.append((k, .string(v))) }
    }
    mutating func add(_ k: String, _ v: JSONValue) { list.append((k, v)) }
  }

  func item(_ p: Paper, key: String) -> JSONValue {
    // Keys are added in byte order, as the output sorts them, so sorting has nothing to do:
    // those before `custom` in `head`, the others in `tail`.
    var head = Members()
    var tail = Members()
    let arxivID = p.identifiers.arxiv?.id
    head.add("DOI", p.identifiers.doi ?? p.identifiers.arxiv?.doi)
    head.add("ISBN", p.identifiers.isbn.first)
    head.add("ISSN", p.identifiers.issn.first)
    head.add("PMCID", p.identifiers.pmcid)
    head.add("PMID", p.identifiers.pmid)
    head.add("URL", p.urls.first ?? p.identifiers.arxiv?.absURL)
    head.add("abstract", p.abstract)
    if !p.authors.isEmpty { head.add("author", .array(p.authors.map { Self.name($0) })) }
    if !p.categories.isEmpty { head.add("categories", .array(p.categories.map { .string($0) })) }
    head.add("citation-key", key)
    if let t = p.containerTitle, !t.isEmpty { head.add("container-title", Self.html(t)) }
    tail.add("edition", p.edition)
    if !p.editors.isEmpty { tail.add("editor", .array(p.editors.map { Self.name($0) })) }
    tail.add("genre", p.genre)
    tail.add("id", key)
    tail.add("issue", p.issue)
    if let d = p.issued { tail.add("issued", Self.date(d)) }
    if !p.keywords.isEmpty { tail.add("keyword", p.keywords.joined(separator: ", ")) }
    tail.add("language", p.language)
    tail.add("note", p.note)
    tail.add("number", p.number ?? arxivID.map { "arXiv:" + $0 })
    tail.add("page", p.pages)
    tail.add("publisher", p.publisher ?? (arxivID != nil && p.isPreprint ? "arXiv" : nil))
    tail.add("publisher-place", p.publisherPlace)
    if let t = p.title, !t.isEmpty { tail.add("title", Self.html(t)) }
    if !p.translators.isEmpty { tail.add("translator", .array(p.translators.map { Self.name($0) })) }
    tail.add("type", p.kind.isCSLType ? p.kind.rawValue : "document")
    tail.add("volume", p.volume)

    var custom = customMembers(p)
    // Keys read from CSL-JSON that no mapping knows: schema variables at the top, others in custom.
    for extra in p.extraFields where extra.source == FormatID.cslJSON.rawValue {
      var parser = JSONParser(Array(extra.value.utf8))
      let value = (try? parser.parseDocument())?.outputValue ?? .string(extra.value)
      if Self.schemaKeys.contains(extra.name), !(head.list + tail.list).contains(where: { $0.0 == extra.name }) {
        tail.add(extra.name, value)
      } else {
        custom.append((Self.customName(kept: extra.name), value))
      }
    }
    var members = head.list
    if !custom.isEmpty { members.append(("custom", .object(custom))) }
    members += tail.list
    return .object(members)
  }

  /// The `custom` member name for a key kept as it came from CSL-JSON: the key, or
  /// `csl-json-<key>` where the reader would take the key itself for one of BibKit's own
  /// members or for another format's field (a top-level `code` or `bibtex-note`).
  static func customName(kept key: String) -> String {
    var k = key
    let taken = CSLJSONReader.ownCustomMembers.contains(key) || k.withUTF8 { ExtraField.hasFormatPrefix($0) }
    return taken ? FormatID.cslJSON.rawValue + "-" + key : key
  }

  /// The value of a member of an item's `custom` object.
  enum CustomValue {
    case text(String)
    case yes
    case list([String])

    var json: JSONValue {
      switch self {
      case .text(let s): .string(s)
      case .yes: .bool(true)
      case .list(let l): .array(l.map { .string($0) })
      }
    }
  }

  /// Calls `body` with the item's `custom` members for facts CSL has no variable for (not
  /// yet sorted). A member's name is `prefix-name` when it has a prefix, else `name`.
  func forEachCustomMember(_ p: Paper, _ body: (_ prefix: String?, _ name: String, _ value: CustomValue) -> Void) {
    if !p.kind.isCSLType { body(nil, "kind", .text(p.kind.rawValue)) }
    if let t = p.originalType { body(nil, "original-type", .text(t)) }
    if let pc = p.identifiers.arxiv?.primaryCategory, p.categories.first != pc {
      body(nil, "arxiv-primary-category", .text(pc))
    }
    if let id = p.identifiers.arxiv?.id, p.number != nil, p.identifiers.doi != nil {
      body(nil, "arxiv-id", .text(id))
    }
    p.forEachExtensionField(for: .cslJSON, carriesTruncation: false) { prefix, name, value in
      if prefix == nil, value == "true", name == "authors-truncated" || name == "year-inferred" || name == "code-badge" {
        body(nil, name, .yes)
      } else {
        body(prefix, name, .text(value))
      }
    }
    if p.urls.count > 1 { body(nil, "urls", .list(p.urls)) }
    if p.identifiers.isbn.count > 1 { body(nil, "isbn", .list(p.identifiers.isbn)) }
    if p.identifiers.issn.count > 1 { body(nil, "issn", .list(p.identifiers.issn)) }
  }

  /// The item's `custom` members as a list (not yet sorted).
  func customMembers(_ p: Paper) -> [(String, JSONValue)] {
    var custom: [(String, JSONValue)] = []
    forEachCustomMember(p) { prefix, name, value in
      custom.append((prefix.map { $0 + "-" + name } ?? name, value.json))
    }
    return custom
  }

  /// Starts a member of an object (an item at indent 2, its members at 4): `{` before the
  /// first, `,` before the others. Member names are the schema's, which need no escaping.
  static func member(_ k: StaticString, first: inout Bool, indent: Int = 4, into out: inout ByteBuffer) {
    out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
    out.append(0x0A)
    first = false
    JSONValue.spaces(indent, into: &out)
    out.append(UInt8(ascii: "\""))
    out.appendStatic(k)
    out.append(UInt8(ascii: "\""))
    out.append(UInt8(ascii: ":"))
    out.append(0x20)
  }

  /// Writes `name(p).write(into:indent: 6)` without building the tree: the members are
  /// already in key order.
  static func writeName(_ p: Person, into out: inout ByteBuffer) {
    withUnsafePointer(to: p) { writeName($0, into: &out) }
  }

  /// ``writeName(_:into:)`` of the person at `p`, read field by field where it is (a person
  /// taken out of an array would be copied first).
  static func writeName(_ p: UnsafePointer<Person>, into out: inout ByteBuffer) {
    var first = true
    func part(_ k: StaticString, _ v: String?) {
      guard let v, !v.isEmpty else { return }
      Self.member(k, first: &first, indent: 8, into: &out)
      JSONValue.quote(v, into: &out)
    }
    if let literal = p.pointee.literal {
      // Written even when empty, as the tree does.
      Self.member("literal", first: &first, indent: 8, into: &out)
      JSONValue.quote(literal, into: &out)
    } else {
      part("dropping-particle", p.pointee.droppingParticle)
      part("family", p.pointee.family)
      part("given", p.pointee.given)
      part("non-dropping-particle", p.pointee.particle)
      part("suffix", p.pointee.suffix)
      if first {
        out.append(UInt8(ascii: "{"))
        out.append(UInt8(ascii: "}"))
        return
      }
    }
    out.append(0x0A)
    JSONValue.spaces(6, into: &out)
    out.append(UInt8(ascii: "}"))
  }

  /// Writes `date(d).write(into:indent: 4)` without building the tree.
  static func writeDate(_ d: PartialDate, into out: inout ByteBuffer) {
    out.append(UInt8(ascii: "{"))
    out.append(0x0A)
    JSONValue.spaces(6, into: &out)
    // Keys in byte order: `circa` comes first.
    if d.approximate {
      out.appendStatic("\"circa\": true,")
      out.append(0x0A)
      JSONValue.spaces(6, into: &out)
    }
    out.appendStatic("\"date-parts\": [[")
    out.appendUTF8(String(d.year))
    if let m = d.month {
      out.appendStatic(", ")
      out.appendUTF8(String(m))
      if let day = d.day {
        out.appendStatic(", ")
        out.appendUTF8(String(day))
      }
    }
    out.appendStatic("]]")
    out.append(0x0A)
    JSONValue.spaces(4, into: &out)
    out.append(UInt8(ascii: "}"))
  }

  /// Writes the item's `custom` member, if it has any, as ``member(_:first:indent:into:)`` and
  /// `JSONValue.object(customMembers(p)).write(into:indent: 4)` would, without building the
  /// names or the tree: the names go into one buffer and the members are sorted by index.
  /// The `custom` members of an item as they are collected (names' bytes, where each
  /// ends, values), kept from item to item so that each item does not allocate them anew.
  struct CustomScratch {
    var names: [UInt8] = []
    var ends: [Int] = []
    var values: [CustomValue] = []

    init() {
      names.reserveCapacity(256)
      ends.reserveCapacity(16)
      values.reserveCapacity(16)
    }
  }

  func writeCustom(_ p: Paper, first: inout Bool, into out: inout ByteBuffer, scratch: inout CustomScratch) {
    // Taken out of the scratch (so each is the only reference, and grows in place), and
    // given back emptied when done, so the next item finds the room.
    var names: [UInt8] = []
    var collectedEnds: [Int] = []
    var collectedValues: [CustomValue] = []
    swap(&names, &scratch.names)
    swap(&collectedEnds, &scratch.ends)
    swap(&collectedValues, &scratch.values)
    defer {
      names.removeAll(keepingCapacity: true)
      collectedEnds.removeAll(keepingCapacity: true)
      collectedValues.removeAll(keepingCapacity: true)
      swap(&names, &scratch.names)
      swap(&collectedEnds, &scratch.ends)
      swap(&collectedValues, &scratch.values)
    }
    forEachCustomMember(p) { prefix, name, value in
      if let prefix {
        names.appendUTF8(prefix)
        names.append(UInt8(ascii: "-"))
      }
      names.appendUTF8(name)
      collectedEnds.append(names.count)
      collectedValues.append(value)
    }
    guard !collectedValues.isEmpty else { return }
    Self.member("custom", first: &first, into: &out)
    // Constant copies: the closures below then read them without exclusivity checks.
    let ends = collectedEnds
    let values = collectedValues
    names.withUnsafeBufferPointer { b in
      func name(_ k: Int) -> UnsafeBufferPointer<UInt8> {
        let start = k == 0 ? 0 : ends[k - 1]
        return UnsafeBufferPointer(rebasing: b[start..<ends[k]])
      }
      // Stable: equal names keep their order, as in the sort of `JSONValue.write`.
      var order = Array(values.indices)
      for k in order.indices.dropFirst() {
        let v = order[k]
        var j = k
        while j > 0, JSONKeys.precedes(name(v), name(order[j - 1])) {
          order[j] = order[j - 1]
          j -= 1
        }
        order[j] = v
      }
      out.append(UInt8(ascii: "{"))
      out.append(0x0A)
      for (n, k) in order.enumerated() {
        JSONValue.spaces(6, into: &out)
        JSONValue.quote(name(k), into: &out)
        out.append(UInt8(ascii: ":"))
        out.append(0x20)
        switch values[k] {
        case .text(let s): JSONValue.quote(s, into: &out)
        case .yes: out.appendStatic("true")
        case .list: values[k].json.write(into: &out, indent: 6)
        }
        if n + 1 < order.count { out.append(UInt8(ascii: ",")) }
        out.append(0x0A)
      }
      JSONValue.spaces(4, into: &out)
      out.append(UInt8(ascii: "}"))
    }
  }

  /// The item properties of the CSL-JSON 1.0.2 schema.
  static let schemaKeys: Set<String> = [
    "DOI", "ISBN", "ISSN", "PMCID", "PMID", "URL", "abstract", "accessed", "annote", "archive",
    "archive-place", "archive_collection", "archive_location", "author", "authority",
    "available-date", "call-number", "categories", "chair", "chapter-number", "citation-key",
    "citation-label", "citation-number", "collection-editor", "collection-number",
    "collection-title", "compiler", "composer", "container-author", "container-title",
    "container-title-short", "contributor", "curator", "custom", "dimensions", "director",
    "division", "edition", "editor", "editorial-director", "event", "event-date", "event-place",
    "event-title", "executive-producer", "first-reference-note-number", "genre", "guest", "host",
    "id", "illustrator", "interviewer", "issue", "issued", "journalAbbreviation", "jurisdiction",
    "keyword", "language", "locator", "medium", "narrator", "note", "number", "number-of-pages",
    "number-of-volumes", "organizer", "original-author", "original-date", "original-publisher",
    "original-publisher-place", "original-title", "page", "page-first", "part", "part-title",
    "performer", "printing", "producer", "publisher", "publisher-place", "recipient", "references",
    "reviewed-author", "reviewed-genre", "reviewed-title", "scale", "script-writer", "section",
    "series-creator", "shortTitle", "source", "status", "submitted", "supplement", "title",
    "title-short", "translator", "type", "version", "volume", "volume-title", "volume-title-short",
    "year-suffix",
  ]

  static func name(_ p: Person) -> JSONValue {
    if let literal = p.literal { return .object([("literal", .string(literal))]) }
    var m: [(String, JSONValue)] = []
    if let v = p.droppingParticle, !v.isEmpty { m.append(("dropping-particle", .string(v))) }
    if let v = p.family, !v.isEmpty { m.append(("family", .string(v))) }
    if let v = p.given, !v.isEmpty { m.append(("given", .string(v))) }
    if let v = p.particle, !v.isEmpty { m.append(("non-dropping-particle", .string(v))) }
    if let v = p.suffix, !v.isEmpty { m.append(("suffix", .string(v))) }
    return .object(m)
  }

  static func date(_ d: PartialDate) -> JSONValue {
    var parts: [JSONValue] = [.int(d.year)]
    if let m = d.month {
      parts.append(.int(m))
      if let day = d.day { parts.append(.int(day)) }
    }
    var m: [(String, JSONValue)] = [("date-parts", .array([.array(parts)]))]
    if d.approximate { m.append(("circa", .bool(true))) }
    return .object(m)
  }

  /// CSL's HTML-like rich text.
  static func html(_ t: RichText) -> String {
    var s = ""
    for run in t.runs {
      var inner = run.styles.contains(.math) ? "$" + run.text + "$" : run.text
      if run.styles.contains(.noCase) { inner = "<span class=\"nocase\">" + inner + "</span>" }
      if run.styles.contains(.italic) { inner = "<i>" + inner + "</i>" }
      if run.styles.contains(.bold) { inner = "<b>" + inner + "</b>" }
      if run.styles.contains(.smallCaps) {
        inner = "<span style=\"font-variant:small-caps;\">" + inner + "</span>"
      }
      if run.styles.contains(.superscript) { inner = "<sup>" + inner + "</sup>" }
      if run.styles.contains(.subscript) { inner = "<sub>" + inner + "</sub>" }
      s += inner
    }
    return s
  }
}
