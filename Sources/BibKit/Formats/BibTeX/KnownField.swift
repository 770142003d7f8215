/// The field names the BibTeX mapping asks an entry for. A field's name is matched against
/// them once, when the field is read, so that each of the mapping's forty-odd questions is a
/// bit test (and, for a field the entry has, a scan over small integers) instead of hashing
/// and comparing a name.
enum KnownField: UInt8, CaseIterable {
  case author, editor, translator, title, journal, journaltitle, booktitle, howpublished
  case date, year, month, day, volume, number, issue, eid, pages, edition
  case publisher, school, institution, address, location, type, note, abstract, language, keywords
  case doi, url, isbn, issn, pmid, pmcid
  case archiveprefix, eprinttype, eprint, primaryclass, eprintclass, entrysubtype
  case arxivVersion, yearInferred, dateApproximate, originalType, kind
  case firstVersionDate, currentVersionDate, code, codeBadge, links, urls, categories, authorsTruncated
  case crossref, xdata

  /// The field name as written in lower case.
  var name: String { Self.names[Int(rawValue)] }

  var bit: UInt64 { 1 << UInt64(rawValue) }

  static let names: [String] = allCases.map { k in
    switch k {
    case .arxivVersion: "arxiv-version"
    case .yearInferred: "year-inferred"
    case .dateApproximate: "date-approximate"
    case .originalType: "original-type"
    case .firstVersionDate: "first-version-date"
    case .currentVersionDate: "current-version-date"
    case .codeBadge: "code-badge"
    case .authorsTruncated: "authors-truncated"
    default: "\(k)"
    }
  }

  /// The parser keeps a copy, so that reading a field name does not pass the static's
  /// initialization check.
  static let table = NameTable(names)

  /// The case named `name` (lower case), given its hash.
  init?(_ name: String, hash: UInt64) {
    var name = name
    guard let k = name.withUTF8({ Self.table.find(hash, $0) }) else { return nil }
    self.init(rawValue: UInt8(k))
  }
}
