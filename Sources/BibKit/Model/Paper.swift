/// One bibliographic record: the canonical model every reader produces and every writer consumes.
///
/// The model follows CSL's item types and variables (the interchange model shared by pandoc,
/// Zotero and citeproc) and adds what CSL lacks: identifiers such as the arXiv id and version,
/// the flag for a truncated author list, inferred dates, rich text for titles, and an ordered
/// bag of fields that no mapping knows, so nothing a source carries is dropped silently.
public struct Paper: Hashable, Sendable, Codable {
  /// The citation key: BibTeX's key, CSL-JSON's `id`, RIS's `ID`. `nil` until one is read or
  /// generated (see ``CitationKeys``).
  public var citationKey: String?
  /// What kind of work this is, named by its CSL type.
  public var kind: PaperKind
  /// The type as the source wrote it (`misc`, `UNPB`, …), when the source had one.
  public var originalType: String?

  public var title: RichText?
  /// The journal, proceedings or book this work appears in.
  public var containerTitle: RichText?

  public var authors: [Person]
  /// The source cut the author list ("et al.", BibTeX `and others`). Names are never invented.
  public var authorsTruncated: Bool
  public var editors: [Person]
  public var translators: [Person]

  /// The date of publication (CSL `issued`).
  public var issued: PartialDate?
  /// The date of the first version (arXiv `published`), when a source has it.
  public var firstVersionDate: PartialDate?
  /// The date of the version described (arXiv `updated`), when a source has it.
  public var currentVersionDate: PartialDate?

  public var identifiers: Identifiers
  /// URLs of the work itself (landing page, PDF).
  public var urls: [String]
  /// Links to the work's code (repositories), as found in the source.
  public var codeLinks: [String]
  /// The source marks the work as having code (a profile's "Code" badge).
  public var hasCode: Bool
  /// Other links the source mentions (a project page named in an abstract).
  public var relatedLinks: [String]

  public var publisher: String?
  public var publisherPlace: String?
  public var volume: String?
  public var issue: String?
  public var pages: String?
  public var edition: String?
  public var number: String?
  public var genre: String?

  public var keywords: [String]
  /// Subject categories, arXiv's first (`cs.LG`, `math.OC`).
  public var categories: [String]
  /// The abstract exactly as the source gives it, TeX and Unicode included.
  public var abstract: String?
  public var note: String?
  public var language: String?

  /// Fields that no mapping knows, in source order, so they survive a round trip.
  public var extraFields: [ExtraField]

  public init(
    citationKey: String? = nil,
    kind: PaperKind = .document,
    originalType: String? = nil,
    title: RichText? = nil,
    containerTitle: RichText? = nil,
    authors: [Person] = [],
    authorsTruncated: Bool = false,
    editors: [Person] = [],
    translators: [Person] = [],
    issued: PartialDate? = nil,
    firstVersionDate: PartialDate? = nil,
    currentVersionDate: PartialDate? = nil,
    identifiers: Identifiers = Identifiers(),
    urls: [String] = [],
    codeLinks: [String] = [],
    hasCode: Bool = false,
    relatedLinks: [String] = [],
    publisher: String? = nil,
    publisherPlace: String? = nil,
    volume: String? = nil,
    issue: String? = nil,
    pages: String? = nil,
    edition: String? = nil,
    number: String? = nil,
    genre: String? = nil,
    keywords: [String] = [],
    categories: [String] = [],
    abstract: String? = nil,
    note: String? = nil,
    language: String? = nil,
    extraFields: [ExtraField] = []
  ) {
    self.citationKey = citationKey
    self.kind = kind
    self.originalType = originalType
    self.title = title
    self.containerTitle = containerTitle
    self.authors = authors
    self.authorsTruncated = authorsTruncated
    self.editors = editors
    self.translators = translators
    self.issued = issued
    self.firstVersionDate = firstVersionDate
    self.currentVersionDate = currentVersionDate
    self.identifiers = identifiers
    self.urls = urls
    self.codeLinks = codeLinks
    self.hasCode = hasCode
    self.relatedLinks = relatedLinks
    self.publisher = publisher
    self.publisherPlace = publisherPlace
    self.volume = volume
    self.issue = issue
    self.pages = pages
    self.edition = edition
    self.number = number
    self.genre = genre
    self.keywords = keywords
    self.categories = categories
    self.abstract = abstract
    self.note = note
    self.language = language
    self.extraFields = extraFields
  }

  /// Whether this paper is a preprint (CSL `article`): arXiv records and profile entries.
  public var isPreprint: Bool { kind == .article }
}

extension Paper {
  private enum CodingKeys: String, CodingKey {
    case citationKey, kind, originalType, title, containerTitle, authors, authorsTruncated
    case editors, translators, issued, firstVersionDate, currentVersionDate, identifiers, urls
    case codeLinks, hasCode, relatedLinks, publisher, publisherPlace, volume, issue, pages, edition, number
    case genre, keywords, categories, abstract, note, language, extraFields
  }

  // Empty collections and `false` flags are left out of the JSON form and default on
  // decoding, so golden files stay short and adding a field does not break old goldens.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init()
    citationKey = try c.decodeIfPresent(String.self, forKey: .citationKey)
    kind = try c.decodeIfPresent(PaperKind.self, forKey: .kind) ?? .document
    originalType = try c.decodeIfPresent(String.self, forKey: .originalType)
    title = try c.decodeIfPresent(RichText.self, forKey: .title)
    containerTitle = try c.decodeIfPresent(RichText.self, forKey: .containerTitle)
    authors = try c.decodeIfPresent([Person].self, forKey: .authors) ?? []
    authorsTruncated = try c.decodeIfPresent(Bool.self, forKey: .authorsTruncated) ?? false
    editors = try c.decodeIfPresent([Person].self, forKey: .editors) ?? []
    translators = try c.decodeIfPresent([Person].self, forKey: .translators) ?? []
    issued = try c.decodeIfPresent(PartialDate.self, forKey: .issued)
    firstVersionDate = try c.decodeIfPresent(PartialDate.self, forKey: .firstVersionDate)
    currentVersionDate = try c.decodeIfPresent(PartialDate.self, forKey: .currentVersionDate)
    identifiers = try c.decodeIfPresent(Identifiers.self, forKey: .identifiers) ?? Identifiers()
    urls = try c.decodeIfPresent([String].self, forKey: .urls) ?? []
    codeLinks = try c.decodeIfPresent([String].self, forKey: .codeLinks) ?? []
    hasCode = try c.decodeIfPresent(Bool.self, forKey: .hasCode) ?? false
    relatedLinks = try c.decodeIfPresent([String].self, forKey: .relatedLinks) ?? []
    publisher = try c.decodeIfPresent(String.self, forKey: .publisher)
    publisherPlace = try c.decodeIfPresent(String.self, forKey: .publisherPlace)
    volume = try c.decodeIfPresent(String.self, forKey: .volume)
    issue = try c.decodeIfPresent(String.self, forKey: .issue)
    pages = try c.decodeIfPresent(String.self, forKey: .pages)
    edition = try c.decodeIfPresent(String.self, forKey: .edition)
    number = try c.decodeIfPresent(String.self, forKey: .number)
    genre = try c.decodeIfPresent(String.self, forKey: .genre)
    keywords = try c.decodeIfPresent([String].self, forKey: .keywords) ?? []
    categories = try c.decodeIfPresent([String].self, forKey: .categories) ?? []
    abstract = try c.decodeIfPresent(String.self, forKey: .abstract)
    note = try c.decodeIfPresent(String.self, forKey: .note)
    language = try c.decodeIfPresent(String.self, forKey: .language)
    extraFields = try c.decodeIfPresent([ExtraField].self, forKey: .extraFields) ?? []
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encodeIfPresent(citationKey, forKey: .citationKey)
    try c.encode(kind, forKey: .kind)
    try c.encodeIfPresent(originalType, forKey: .originalType)
    try c.encodeIfPresent(title, forKey: .title)
    try c.encodeIfPresent(containerTitle, forKey: .containerTitle)
    if !authors.isEmpty { try c.encode(authors, forKey: .authors) }
    if authorsTruncated { try c.encode(true, forKey: .authorsTruncated) }
    if !editors.isEmpty { try c.encode(editors, forKey: .editors) }
    if !translators.isEmpty { try c.encode(translators, forKey: .translators) }
    try c.encodeIfPresent(issued, forKey: .issued)
    try c.encodeIfPresent(firstVersionDate, forKey: .firstVersionDate)
    try c.encodeIfPresent(currentVersionDate, forKey: .currentVersionDate)
    if !identifiers.isEmpty { try c.encode(identifiers, forKey: .identifiers) }
    if !urls.isEmpty { try c.encode(urls, forKey: .urls) }
    if !codeLinks.isEmpty { try c.encode(codeLinks, forKey: .codeLinks) }
    if hasCode { try c.encode(true, forKey: .hasCode) }
    if !relatedLinks.isEmpty { try c.encode(relatedLinks, forKey: .relatedLinks) }
    try c.encodeIfPresent(publisher, forKey: .publisher)
    try c.encodeIfPresent(publisherPlace, forKey: .publisherPlace)
    try c.encodeIfPresent(volume, forKey: .volume)
    try c.encodeIfPresent(issue, forKey: .issue)
    try c.encodeIfPresent(pages, forKey: .pages)
    try c.encodeIfPresent(edition, forKey: .edition)
    try c.encodeIfPresent(number, forKey: .number)
    try c.encodeIfPresent(genre, forKey: .genre)
    if !keywords.isEmpty { try c.encode(keywords, forKey: .keywords) }
    if !categories.isEmpty { try c.encode(categories, forKey: .categories) }
    try c.encodeIfPresent(abstract, forKey: .abstract)
    try c.encodeIfPresent(note, forKey: .note)
    try c.encodeIfPresent(language, forKey: .language)
    if !extraFields.isEmpty { try c.encode(extraFields, forKey: .extraFields) }
  }
}

/// A field that no mapping knows, kept in source order with the format it came from.
public struct ExtraField: Hashable, Sendable, Codable {
  /// The format that produced the field (`profile`, `bibtex`, `ris`, …).
  public var source: String
  public var name: String
  public var value: String

  public init(source: String, name: String, value: String) {
    self.source = source
    self.name = name
    self.value = value
  }
}

/// The kind of a work, named by its CSL 1.0.2 item type. An open set: unknown types are kept.
public struct PaperKind: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
  public var rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public init(_ rawValue: String) { self.rawValue = rawValue }
  public var description: String { rawValue }

  public init(from decoder: any Decoder) throws {
    rawValue = try decoder.singleValueContainer().decode(String.self)
  }
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(rawValue)
  }

  /// A preprint or working paper (CSL's type for arXiv records).
  public static let article = PaperKind("article")
  public static let articleJournal = PaperKind("article-journal")
  public static let paperConference = PaperKind("paper-conference")
  public static let chapter = PaperKind("chapter")
  public static let book = PaperKind("book")
  public static let thesis = PaperKind("thesis")
  public static let report = PaperKind("report")
  public static let manuscript = PaperKind("manuscript")
  public static let webpage = PaperKind("webpage")
  public static let software = PaperKind("software")
  public static let dataset = PaperKind("dataset")
  public static let document = PaperKind("document")

  /// Every item type of the CSL-JSON 1.0.2 schema.
  public static let cslTypes: Set<String> = [
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book",
    "broadcast", "chapter", "classic", "collection", "dataset", "document", "entry",
    "entry-dictionary", "entry-encyclopedia", "event", "figure", "graphic", "hearing",
    "interview", "legal_case", "legislation", "manuscript", "map", "motion_picture",
    "musical_score", "pamphlet", "paper-conference", "patent", "performance", "periodical",
    "personal_communication", "post", "post-weblog", "regulation", "report", "review",
    "review-book", "software", "song", "speech", "standard", "thesis", "treaty", "webpage",
  ]

  /// ``cslTypes`` found by bytes: the CSL-JSON writer asks for every item.
  static let cslTypeTable = NameTable(cslTypes.sorted())

  /// Whether this kind is one of ``cslTypes``.
  var isCSLType: Bool { Self.cslTypeTable.find(rawValue) != nil }
}
