#if canImport(Glibc)
  import Glibc
#endif

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
  /// value plus one, or zero when empty. One value, so a lookup passes one initialization
  /// check.
  struct Table {
    static let bits: UInt64 = 8
    var slots = [UInt8](repeating: 0, count: 1 << Int(bits))
    let hashes: [UInt64] = KnownField.names.map(RawField.hash)
    let names = KnownField.names
    /// Every name's bytes one after another; name k is `bytes[starts[k]..<starts[k + 1]]`.
    var bytes: [UInt8] = []
    var starts: [Int] = [0]

    init() {
      for (k, h) in hashes.enumerated() {
        var slot = Int(h & ((1 << Self.bits) - 1))
        while slots[slot] != 0 { slot = (slot + 1) & (slots.count - 1) }
        slots[slot] = UInt8(k + 1)
        bytes += KnownField.names[k].utf8
        starts.append(bytes.count)
      }
    }

    /// The case whose hash is `hash` and whose name is `name`.
    func find(_ hash: UInt64, _ name: UnsafeBufferPointer<UInt8>) -> KnownField? {
      guard let given = name.baseAddress else { return nil }
      var slot = Int(hash & ((1 << Self.bits) - 1))
      while slots[slot] != 0 {
        let k = Int(slots[slot] - 1)
        if hashes[k] == hash, starts[k + 1] - starts[k] == name.count,
          bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress! + starts[k], given, name.count) == 0 })
        {
          return KnownField(rawValue: UInt8(k))
        }
        slot = (slot + 1) & (slots.count - 1)
      }
      return nil
    }
  }
  /// The parser keeps a copy, so that reading a field name does not pass the static's
  /// initialization check.
  static let table = Table()

  /// The case named `name` (lower case), given its hash.
  init?(_ name: String, hash: UInt64) {
    var name = name
    guard let k = name.withUTF8({ Self.table.find(hash, $0) }) else { return nil }
    self = k
  }
}
