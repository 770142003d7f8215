/// The identifiers of a work. Every field is optional; empty means unknown.
public struct Identifiers: Hashable, Sendable, Codable {
  /// A DOI without any `doi:` or resolver prefix, e.g. `10.48550/arXiv.2311.16079`.
  public var doi: String?
  public var arxiv: ArxivIdentifier?
  public var isbn: [String]
  public var issn: [String]
  public var pmid: String?
  public var pmcid: String?

  public init(
    doi: String? = nil, arxiv: ArxivIdentifier? = nil, isbn: [String] = [],
    issn: [String] = [], pmid: String? = nil, pmcid: String? = nil
  ) {
    self.doi = doi
    self.arxiv = arxiv
    self.isbn = isbn
    self.issn = issn
    self.pmid = pmid
    self.pmcid = pmcid
  }

  public var isEmpty: Bool {
    doi == nil && arxiv == nil && isbn.isEmpty && issn.isEmpty && pmid == nil && pmcid == nil
  }

  private enum CodingKeys: String, CodingKey { case doi, arxiv, isbn, issn, pmid, pmcid }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    doi = try c.decodeIfPresent(String.self, forKey: .doi)
    arxiv = try c.decodeIfPresent(ArxivIdentifier.self, forKey: .arxiv)
    isbn = try c.decodeIfPresent([String].self, forKey: .isbn) ?? []
    issn = try c.decodeIfPresent([String].self, forKey: .issn) ?? []
    pmid = try c.decodeIfPresent(String.self, forKey: .pmid)
    pmcid = try c.decodeIfPresent(String.self, forKey: .pmcid)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encodeIfPresent(doi, forKey: .doi)
    try c.encodeIfPresent(arxiv, forKey: .arxiv)
    if !isbn.isEmpty { try c.encode(isbn, forKey: .isbn) }
    if !issn.isEmpty { try c.encode(issn, forKey: .issn) }
    try c.encodeIfPresent(pmid, forKey: .pmid)
    try c.encodeIfPresent(pmcid, forKey: .pmcid)
  }
}

/// What is known of a work's arXiv record: the id (without version), the version and the
/// primary category. A profile gives the category alone; an arXiv feed gives all three.
public struct ArxivIdentifier: Hashable, Sendable, Codable {
  /// `2311.16079` or `hep-th/9901001`, never with a version suffix.
  public var id: String?
  public var version: Int?
  /// The primary category, e.g. `cs.LG`.
  public var primaryCategory: String?

  public init(id: String? = nil, version: Int? = nil, primaryCategory: String? = nil) {
    self.id = id
    self.version = version
    self.primaryCategory = primaryCategory
  }

  /// The DOI arXiv assigns to every paper: `10.48550/arXiv.<id>`.
  public var doi: String? { id.map { "10.48550/arXiv.\($0)" } }
  /// The abstract page, `https://arxiv.org/abs/<id>`.
  public var absURL: String? { id.map { "https://arxiv.org/abs/\($0)" } }
}
