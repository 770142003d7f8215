/// Completes papers from records of another source (a profile from an arXiv feed).
public enum Enrichment {
  /// What happened to one paper.
  public struct Outcome: Sendable, CustomStringConvertible {
    public enum Status: String, Sendable { case matched, ambiguous, unmatched }
    public var status: Status
    public var title: String
    public var recordID: String?
    public var confidence: Double?
    public var reason: String

    public var description: String {
      let c = confidence.map { " (confidence \(Int($0 * 100))%)" } ?? ""
      return "\(status.rawValue): \(title)" + (recordID.map { " → arXiv:\($0)" } ?? "") + c + (reason.isEmpty ? "" : ": \(reason)")
    }
  }

  /// Two records fitting within this much confidence of each other are ambiguous.
  static let ambiguityMargin = 0.05

  /// Matches every paper against the records and merges accepted matches. Each record is
  /// used at most once, best matches first; papers that already have an arXiv id are matched
  /// by id alone.
  public static func enrich(_ papers: [Paper], with records: [Paper]) -> (papers: [Paper], outcomes: [Outcome]) {
    var out = papers
    var outcomes = [Outcome?](repeating: nil, count: papers.count)
    var usedRecords = Set<Int>()
    var proposals: [(paper: Int, best: Matcher.Assessment, second: Matcher.Assessment?)] = []
    // What matching reads of each record, made once: not again for every paper.
    var recordKeys: [Matcher.Key]?
    for (i, p) in papers.enumerated() {
      let title = p.title?.plainText ?? "(untitled)"
      if let id = p.identifiers.arxiv?.id {
        if let r = records.firstIndex(where: { $0.identifiers.arxiv?.id == id }) {
          out[i] = merge(p, records[r])
          usedRecords.insert(r)
          outcomes[i] = Outcome(status: .matched, title: title, recordID: id, confidence: 1, reason: "same arXiv id")
        }
        continue
      }
      let keys = recordKeys ?? records.map(Matcher.Key.init(record:))
      recordKeys = keys
      let key = Matcher.Key(paper: p)
      let ranked = keys.indices.map { Matcher.assess(key, keys[$0], index: $0) }
        .sorted { $0.confidence > $1.confidence }
      guard let best = ranked.first else { continue }
      proposals.append((i, best, ranked.dropFirst().first))
    }
    // Best proposals first, so a record goes to the paper it fits best.
    for prop in proposals.sorted(by: { $0.best.confidence > $1.best.confidence }) {
      let p = papers[prop.paper]
      let title = p.title?.plainText ?? "(untitled)"
      let best = prop.best
      let record = records[best.index]
      let rid = record.identifiers.arxiv?.id
      if !Matcher.accepts(best) {
        let why = best.titleSimilarity < 0.6 ? "no record with a similar title" : best.reasons.joined(separator: "; ")
        outcomes[prop.paper] = Outcome(status: .unmatched, title: title, recordID: nil, confidence: nil, reason: why)
        continue
      }
      if let second = prop.second, Matcher.accepts(second), best.confidence - second.confidence < ambiguityMargin {
        let other = records[second.index].identifiers.arxiv?.id ?? "?"
        outcomes[prop.paper] = Outcome(
          status: .ambiguous, title: title, recordID: nil, confidence: best.confidence,
          reason: "arXiv:\(rid ?? "?") and arXiv:\(other) fit about equally well; left unchanged")
        continue
      }
      if usedRecords.contains(best.index) {
        outcomes[prop.paper] = Outcome(
          status: .ambiguous, title: title, recordID: nil, confidence: best.confidence,
          reason: "its best record arXiv:\(rid ?? "?") fits another paper better; left unchanged")
        continue
      }
      usedRecords.insert(best.index)
      out[prop.paper] = merge(p, record)
      outcomes[prop.paper] = Outcome(
        status: .matched, title: title, recordID: rid, confidence: best.confidence,
        reason: best.reasons.joined(separator: "; "))
    }
    for i in papers.indices where outcomes[i] == nil {
      outcomes[i] = Outcome(
        status: .unmatched, title: papers[i].title?.plainText ?? "(untitled)", recordID: nil, confidence: nil,
        reason: papers[i].identifiers.arxiv?.id != nil ? "its arXiv id is not in the records" : "no records to match")
    }
    return (out, outcomes.map { $0! })
  }

  /// The paper completed from the record: the record's id, version, primary category, full
  /// author list, DOI, categories, dates and links; the paper keeps its own facts (title,
  /// date, abstract, code badge, tag, key). Nothing the paper has is overwritten except a
  /// truncated author list, which the full list replaces.
  public static func merge(_ paper: Paper, _ record: Paper) -> Paper {
    var p = paper
    var ax = p.identifiers.arxiv ?? ArxivIdentifier()
    if let r = record.identifiers.arxiv {
      ax.id = ax.id ?? r.id
      ax.version = ax.version ?? r.version
      ax.primaryCategory = r.primaryCategory ?? ax.primaryCategory
    }
    p.identifiers.arxiv = ax
    if p.authors.isEmpty || p.authorsTruncated || p.authors.count < record.authors.count,
      Matcher.containsInOrder(p.authors, in: record.authors)
    {
      p.authors = record.authors
      p.authorsTruncated = record.authorsTruncated
    }
    if p.identifiers.doi == nil { p.identifiers.doi = record.identifiers.doi }
    for c in record.categories where !p.categories.contains(c) { p.categories.append(c) }
    if let primary = ax.primaryCategory, let k = p.categories.firstIndex(of: primary), k > 0 {
      p.categories.remove(at: k)
      p.categories.insert(primary, at: 0)
    }
    p.firstVersionDate = p.firstVersionDate ?? record.firstVersionDate
    p.currentVersionDate = p.currentVersionDate ?? record.currentVersionDate
    if p.urls.isEmpty { p.urls = record.urls }
    if p.abstract == nil { p.abstract = record.abstract }
    if p.note == nil { p.note = record.note }
    for e in record.extraFields where !p.extraFields.contains(e) { p.extraFields.append(e) }
    return p
  }
}
