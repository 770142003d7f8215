/// The tables between BibTeX/BibLaTeX entry types and fields and the model: one place to edit.
enum BibTeXMapping {
  /// The kind of a work for an entry type (lower case). Unknown types are `document`.
  static func kind(forType type: String) -> PaperKind {
    switch type {
    case "article": .articleJournal
    case "inproceedings", "conference": .paperConference
    case "incollection", "inbook", "bookinbook", "suppbook", "suppcollection": .chapter
    case "book", "mvbook", "proceedings", "mvproceedings", "collection", "mvcollection",
      "manual", "reference", "mvreference":
      .book
    case "phdthesis", "mastersthesis", "thesis": .thesis
    case "techreport", "report": .report
    case "unpublished": .manuscript
    case "online", "electronic", "www": .webpage
    case "software": .software
    case "dataset": .dataset
    case "patent": PaperKind("patent")
    case "periodical": PaperKind("periodical")
    case "booklet": PaperKind("pamphlet")
    default: .document
    }
  }

  /// The kind the reader gives an entry of `type`, before any `kind` field: preprints are
  /// recognised by an arXiv id in an entry type and container used for preprints, magazine
  /// and newspaper articles by their `entrysubtype`.
  static func kindRead(type: String, hasArxivID: Bool, container: String?, entrysubtype: String?) -> PaperKind {
    var kind = self.kind(forType: type)
    if hasArxivID {
      let journal = container?.lowercased() ?? ""
      let preprintContainer = journal.isEmpty || journal == "corr" || journal.hasPrefix("arxiv")
      let preprintType = ["misc", "online", "unpublished", "electronic", "www"].contains(type)
      if preprintType && preprintContainer || type == "article" && !journal.isEmpty && preprintContainer {
        kind = .article
      }
    }
    if kind == .articleJournal, let sub = entrysubtype?.lowercased(), sub == "magazine" || sub == "newspaper" {
      kind = PaperKind("article-\(sub)")
    }
    return kind
  }

  /// Whether the writer may use `type` for a paper of `kind` (the type read, or a preprint
  /// written in an entry type people use for preprints).
  static func typeFits(_ type: String, _ kind: PaperKind) -> Bool {
    guard !type.isEmpty, type.allBytes({ ASCII.isLower($0) || ASCII.isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }) else {
      return false
    }
    if kind == .article {
      return ["article", "misc", "online", "unpublished", "techreport", "report", "electronic", "www"]
        .contains(type)
    }
    let k = self.kind(forType: type)
    if kind == PaperKind("article-magazine") || kind == PaperKind("article-newspaper") {
      return type == "article"
    }
    return k == kind || (k == .document && !knownTypes.contains(type))
  }

  static let knownTypes: Set<String> = [
    "article", "inproceedings", "conference", "incollection", "inbook", "bookinbook",
    "suppbook", "suppcollection", "book", "mvbook", "proceedings", "mvproceedings", "collection",
    "mvcollection", "manual", "reference", "mvreference", "phdthesis", "mastersthesis", "thesis",
    "techreport", "report", "unpublished", "online", "electronic", "www", "software", "dataset",
    "patent", "periodical", "booklet", "misc",
  ]

  /// The field that holds the container title for an entry type, if any.
  static func containerField(forType type: String) -> String? {
    switch type {
    case "article", "periodical": "journal"
    case "inproceedings", "conference", "incollection", "inbook", "bookinbook", "suppbook",
      "suppcollection":
      "booktitle"
    default: nil
    }
  }

  /// The field that holds the publisher for an entry type.
  static func publisherField(forType type: String) -> String { publisherKnownField(forType: type).name }

  static func publisherKnownField(forType type: String) -> KnownField {
    switch type {
    case "phdthesis", "mastersthesis": .school
    case "thesis", "techreport", "report": .institution
    default: .publisher
    }
  }

  static let monthNames = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
  ]

  /// `jan`, `January`, `1`, `01` → 1.
  static func month(_ s: String) -> Int? {
    // The usual values (a macro's full name, an abbreviation, one or two digits) are read
    // from the bytes; anything else by the rule below, which the shortcut agrees with.
    var s = s
    let quick = s.withUTF8 { b -> Int?? in
      guard (1...9).contains(b.count) else { return .none }
      if b.allSatisfy(ASCII.isDigit) {
        guard b.count <= 2 else { return .none }
        let n = b.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        return .some((1...12).contains(n) ? n : nil)
      }
      guard b.count >= 3, b.allSatisfy(Sniffing.isASCIILetter) else { return .none }
      for (k, name) in monthNameBytes.enumerated() where b.count == 3 || b.count == name.count {
        var same = true
        for j in 0..<b.count where b[j] | 0x20 != name[j] {
          same = false
          break
        }
        if same { return .some(k + 1) }
      }
      return .none
    }
    if let quick { return quick }
    return monthByText(s)
  }

  private static let monthNameBytes: [[UInt8]] = monthNames.map { Array($0.utf8) }

  /// The month rule on text: trimmed, lower-cased, then a number, a name, its first three
  /// letters, or those with a full stop.
  static func monthByText(_ s: String) -> Int? {
    let t = s.trimmingSpaces().lowercased()
    if let n = Int(t), (1...12).contains(n) { return n }
    if t.count >= 3, let i = monthNames.firstIndex(where: { $0 == t || ($0.hasPrefix(t) && t.count == 3) }) {
      return i + 1
    }
    if t.hasSuffix("."), let i = monthNames.firstIndex(where: { $0.hasPrefix(t.dropLast()) && t.count == 4 }) {
      return i + 1
    }
    return nil
  }

  /// Classic BibTeX's type for a biblatex-only type (biber's mapping, reversed).
  static func classicType(_ type: String, genre: String?) -> String {
    switch type {
    case "online", "electronic", "www", "software", "dataset", "patent", "set": "misc"
    case "thesis":
      (genre?.lowercased()).map { $0.contains("master") || $0.contains("mathesis") } == true
        ? "mastersthesis" : "phdthesis"
    case "report": "techreport"
    case "mvbook", "collection", "mvcollection", "reference", "mvreference": "book"
    case "bookinbook": "inbook"
    case "suppbook", "suppcollection": "incollection"
    case "mvproceedings": "proceedings"
    case "periodical": "misc"
    default: type
    }
  }

  /// Classic BibTeX's field for a biblatex field, where they differ.
  static let classicFields: [String: String] = [
    "journaltitle": "journal", "location": "address", "eprinttype": "archiveprefix",
    "eprintclass": "primaryclass", "annotation": "annote",
  ]
  /// ``classicFields`` as a name table, and the name each of its names becomes.
  static let classicSources = NameTable(classicFields.keys.sorted())
  static let classicTargets = classicFields.keys.sorted().map { classicFields[$0]! }

  /// Fields that are URLs or identifiers: no LaTeX decoding.
  static let verbatimFields: Set<String> = [
    "url", "doi", "eprint", "file", "pdf", "verba", "verbb", "verbc", "urlraw",
  ]
}
