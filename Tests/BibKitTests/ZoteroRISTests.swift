import Foundation
import Testing

@testable import BibKit

/// Our RIS reading against Zotero's expected items for its RIS translator's test cases
/// (../shared/corpora/ris/zotero-translators, read in place), on titles, authors, dates and
/// types. Zotero's item types map to CSL types, and its primary creator type per item type,
/// through Zotero's own schema (../shared/spec/zotero).
@Suite struct ZoteroRISTests {
  static let dir = Fixtures.root.appendingPathComponent("../shared/corpora/ris/zotero-translators").standardizedFileURL
  static let schema = Fixtures.root.appendingPathComponent("../shared/spec/zotero/zotero-schema-csl-and-itemtypes.json").standardizedFileURL
  static var available: Bool {
    FileManager.default.fileExists(atPath: dir.path) && FileManager.default.fileExists(atPath: schema.path)
  }

  /// Zotero item type → CSL type, → its primary creator type, and → the creator types it allows.
  static func zoteroTables() throws -> ([String: String], [String: String], [String: Set<String>]) {
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: schema)) as! [String: Any]
    var csl: [String: String] = [:]
    for (cslType, zoteroTypes) in (json["csl"] as! [String: Any])["types"] as! [String: [String]] {
      for z in zoteroTypes { csl[z] = cslType }
    }
    var primary: [String: String] = [:]
    var allowed: [String: Set<String>] = [:]
    for item in json["itemTypes"] as! [[String: Any]] {
      let types = item["creatorTypes"] as? [[String: Any]] ?? []
      if let p = types.first(where: { $0["primary"] as? Bool == true })?["creatorType"] as? String {
        primary[item["itemType"] as! String] = p
      }
      allowed[item["itemType"] as! String] = Set(types.compactMap { $0["creatorType"] as? String })
    }
    return (csl, primary, allowed)
  }

  /// `1990-02-27`, `1996`, `2001/10/25` → the known parts, as `YYYY[-MM[-DD]]`.
  static func zoteroDate(_ s: String) -> String? {
    let digits = s.split(whereSeparator: { !$0.isNumber }).map(String.init)
    guard let y = digits.first, y.count == 4 else { return nil }
    var out = y
    if digits.count > 1, let m = Int(digits[1]), (1...12).contains(m) {
      out += "-" + PartialDate.twoDigits(m)
      if digits.count > 2, let d = Int(digits[2]), (1...31).contains(d) { out += "-" + PartialDate.twoDigits(d) }
    }
    return out
  }

  @Test(.enabled(if: available))
  func agreesWithZotero() throws {
    let (cslFor, primaryFor, allowedFor) = try Self.zoteroTables()
    var compared = 0
    var agreed = 0
    var differences: [String] = []
    func check(_ file: String, _ what: String, _ ours: String, _ theirs: String) {
      compared += 1
      if ours == theirs { agreed += 1 } else { differences.append("\(file) \(what): ours \(ours.debugDescription), Zotero \(theirs.debugDescription)") }
    }
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.dir.path).filter { $0.hasSuffix(".ris") }.sorted()
    for file in files {
      let expectedURL = Self.dir.appendingPathComponent(file.replacingOccurrences(of: ".ris", with: ".zotero-expected.json"))
      let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: expectedURL)) as! [[String: Any]]
      let bytes = Array(try Data(contentsOf: Self.dir.appendingPathComponent(file)))
      let papers = try RISReader().read(bytes, options: ReadOptions(source: file, asOf: Fixtures.asOf)).papers
      check(file, "item count", String(papers.count), String(expected.count))
      for (n, (item, p)) in zip(expected, papers).enumerated() {
        let label = "\(file) #\(n + 1)"
        let itemType = item["itemType"] as! String
        check(label, "type", p.kind.rawValue, cslFor[itemType] ?? "?")
        if let title = item["title"] as? String ?? item["caseName"] as? String ?? item["nameOfAct"] as? String {
          check(label, "title", p.title?.plainText ?? "", title)
        }
        let primary = primaryFor[itemType] ?? "author"
        let allowed = allowedFor[itemType] ?? []
        // Zotero saves a creator whose type the item type does not allow (an `author` on a
        // bill) as the primary type (its item tests: "should switch to primary creator type
        // on invalid creator type"), so such creators count as primary here too.
        let theirs = (item["creators"] as? [[String: Any]] ?? [])
          .filter { c in (c["creatorType"] as? String).map { $0 == primary || !allowed.contains($0) } ?? false }
          .map { c in (c["name"] as? String) ?? "\(c["lastName"] as? String ?? ""), \(c["firstName"] as? String ?? "")" }
          .map { $0.hasSuffix(", ") ? String($0.dropLast(2)) : $0 }
        // A single-field name (an institution) is its text alone, in both.
        let ours = p.authors.map { a in a.literal ?? ((a.given ?? "").isEmpty ? a.familyWithParticle ?? "" : "\(a.familyWithParticle ?? ""), \(a.given ?? "")") }
        check(label, "authors", ours.joined(separator: "; "), theirs.joined(separator: "; "))
        let dateKey = ["date", "issueDate", "dateDecided", "dateEnacted"].first { item[$0] != nil }
        // Zotero writes "0000" for no date.
        if let dateKey, let theirsDate = Self.zoteroDate(item[dateKey] as! String), theirsDate != "0000" {
          check(label, "date", p.issued?.description ?? "", theirsDate)
        }
      }
    }
    let share = Double(agreed) / Double(max(compared, 1))
    print("zotero RIS: \(compared) fields compared, \(agreed) agree (\(String(format: "%.1f", share * 100))%)")
    for d in differences { print("  differs: \(d)") }
    // The differences left are deliberate (README.md, "RIS"): TY values Zotero reads only
    // through its journal-article fallback, composers kept as a song's authors, and two
    // short titles Zotero takes for the case name and the name of an act.
    #expect(share >= 0.95)
  }
}
