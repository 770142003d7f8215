/// The facts of a `Paper` that formats can carry, one name each.
public enum PaperField: String, CaseIterable, Sendable, Comparable {
  case citationKey, kind, originalType, title, titleMarkup, containerTitle
  case authors, nameParticles, nameSuffixes, literalNames, authorsTruncated, editors, translators
  case issuedYear, issuedMonth, issuedDay, yearInferred, approximateDate
  case firstVersionDate, currentVersionDate
  case doi, arxivID, arxivVersion, arxivPrimaryCategory, isbn, issn, pmid, pmcid, url
  case codeLinks, hasCode, relatedLinks
  case publisher, publisherPlace, volume, issue, pages, edition, number, genre
  case keywords, categories, abstract, note, language, unknownFields
  case nameOriginal, affiliations

  public static func < (a: PaperField, b: PaperField) -> Bool {
    allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
  }

  /// The field's value in a paper, as text to compare (nil when absent).
  public func value(in p: Paper) -> String? {
    let people = p.authors + p.editors + p.translators
    func join(_ a: [String]) -> String? { a.isEmpty ? nil : a.joined(separator: "|") }
    switch self {
    case .citationKey: return p.citationKey
    case .kind: return p.kind.rawValue
    case .originalType: return p.originalType
    case .title: return p.title?.plainText
    case .titleMarkup: return join(p.title?.runs.filter { !$0.styles.subtracting(.math).isEmpty }.map { "\($0.text)#\($0.styles.rawValue)" } ?? [])
    case .containerTitle: return p.containerTitle?.plainText
    case .authors: return join(p.authors.map { "\($0.family ?? "")/\($0.given ?? "")" })
    case .nameParticles: return join(people.compactMap(\.particle))
    case .nameSuffixes: return join(people.compactMap(\.suffix))
    case .literalNames: return join(people.compactMap(\.literal))
    case .authorsTruncated: return p.authorsTruncated ? "true" : nil
    case .editors: return join(p.editors.map { "\($0.family ?? "")/\($0.given ?? "")" })
    case .translators: return join(p.translators.map { "\($0.family ?? "")/\($0.given ?? "")" })
    case .issuedYear: return p.issued.map { String($0.year) }
    case .issuedMonth: return p.issued?.month.map(String.init)
    case .issuedDay: return p.issued?.day.map(String.init)
    case .yearInferred: return p.issued?.yearInferred == true ? "true" : nil
    case .approximateDate: return p.issued?.approximate == true ? "true" : nil
    case .firstVersionDate: return p.firstVersionDate?.description
    case .currentVersionDate: return p.currentVersionDate?.description
    case .doi: return p.identifiers.doi
    case .arxivID: return p.identifiers.arxiv?.id
    case .arxivVersion: return p.identifiers.arxiv?.version.map(String.init)
    case .arxivPrimaryCategory: return p.identifiers.arxiv?.primaryCategory
    case .isbn: return join(p.identifiers.isbn)
    case .issn: return join(p.identifiers.issn)
    case .pmid: return p.identifiers.pmid
    case .pmcid: return p.identifiers.pmcid
    case .url: return join(p.urls)
    case .codeLinks: return join(p.codeLinks)
    case .hasCode: return p.hasCode ? "true" : nil
    case .relatedLinks: return join(p.relatedLinks)
    case .publisher: return p.publisher
    case .publisherPlace: return p.publisherPlace
    case .volume: return p.volume
    case .issue: return p.issue
    case .pages: return p.pages
    case .edition: return p.edition
    case .number: return p.number
    case .genre: return p.genre
    case .keywords: return join(p.keywords)
    case .categories: return join(p.categories)
    case .abstract: return p.abstract
    case .note: return p.note
    case .language: return p.language
    case .unknownFields:
      // In source order within each format; the formats' relative order is not kept.
      let bySource = Dictionary(grouping: p.extraFields, by: \.source).sorted { $0.key < $1.key }
      return join(bySource.flatMap { $0.value }.map { "\($0.source):\($0.name)=\($0.value)" })
    case .nameOriginal: return join(people.compactMap(\.original))
    case .affiliations: return join(people.flatMap(\.affiliations))
    }
  }
}

/// What each format's reader can produce and what each writer carries (writing, then reading
/// with the same format's reader, gives the fact back). The conformance tests check both
/// declarations against the code; README.md shows the table they make.
public enum Capabilities {
  static let all = Set(PaperField.allCases)

  /// Facts a writer carries through its own reader. BibTeX is classic BibTeX (`--to bibtex`).
  public static let carries: [FormatID: Set<PaperField>] = [
    .bibtex: all.subtracting([.issuedDay, .nameOriginal, .affiliations]),
    .cslJSON: all.subtracting([.nameOriginal, .affiliations]),
    .ris: all.subtracting([.titleMarkup, .nameOriginal, .affiliations]),
  ]

  /// Facts a reader can set.
  public static let produces: [FormatID: Set<PaperField>] = [
    .profile: [
      .kind, .title, .authors, .nameParticles, .authorsTruncated, .issuedYear, .issuedMonth,
      .issuedDay, .yearInferred, .arxivPrimaryCategory, .categories, .codeLinks, .hasCode,
      .relatedLinks, .abstract, .unknownFields, .nameOriginal,
    ],
    .arxiv: [
      .kind, .title, .authors, .nameParticles, .literalNames, .affiliations,
      .issuedYear, .issuedMonth, .issuedDay, .firstVersionDate, .currentVersionDate, .doi, .arxivID,
      .arxivVersion, .arxivPrimaryCategory, .url, .keywords, .categories, .abstract, .note,
      .unknownFields, .nameOriginal,
    ],
    .bibtex: all.subtracting([.nameOriginal, .affiliations]),
    .cslJSON: all.subtracting([.nameOriginal, .affiliations]),
    .ris: all.subtracting([.titleMarkup, .nameOriginal, .affiliations]),
  ]

  /// The facts that survive a conversion from `source` to `target`.
  public static func survives(from source: FormatID, to target: FormatID) -> Set<PaperField> {
    (produces[source] ?? []).intersection(carries[target] ?? [])
  }

  static let readOrder: [FormatID] = [.profile, .bibtex, .arxiv, .cslJSON, .ris]
  static let writeOrder: [FormatID] = [.bibtex, .cslJSON, .ris]

  /// The field-survival table as Markdown: for each conversion, what the source can give
  /// that the target loses.
  public static func markdownTable() -> String {
    var lines = [
      "| from \\ to | " + writeOrder.map(\.rawValue).joined(separator: " | ") + " |",
      "|---|" + String(repeating: "---|", count: writeOrder.count),
    ]
    for source in readOrder {
      var cells: [String] = []
      for target in writeOrder {
        let lost = (produces[source] ?? []).subtracting(carries[target] ?? []).sorted()
        cells.append(lost.isEmpty ? "everything" : "all but " + lost.map { "`\($0.rawValue)`" }.joined(separator: ", "))
      }
      lines.append("| \(source.rawValue) | " + cells.joined(separator: " | ") + " |")
    }
    return lines.joined(separator: "\n")
  }
}
