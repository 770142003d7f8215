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

  /// Open addressing on the low bits of ``RawField/hash(_:)``: each slot holds a case's raw
  /// value plus one, or zero when empty.
  private static let slotBits: UInt64 = 8
  private static let hashes: [UInt64] = names.map(RawField.hash)
  private static let table: [UInt8] = {
    var t = [UInt8](repeating: 0, count: 1 << Int(slotBits))
    for (k, h) in hashes.enumerated() {
      var slot = Int(h & ((1 << slotBits) - 1))
      while t[slot] != 0 { slot = (slot + 1) & (t.count - 1) }
      t[slot] = UInt8(k + 1)
    }
    return t
  }()

  /// The case named `name` (lower case), given its hash.
  init?(_ name: String, hash: UInt64) {
    let table = Self.table
    var slot = Int(hash & ((1 << Self.slotBits) - 1))
    while table[slot] != 0 {
      let k = Int(table[slot] - 1)
      if Self.hashes[k] == hash, Self.names[k] == name {
        self.init(rawValue: UInt8(k))
        return
      }
      slot = (slot + 1) & (table.count - 1)
    }
    return nil
  }
}
