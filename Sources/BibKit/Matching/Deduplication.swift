/// Makes one paper of the same paper arriving twice (from two inputs, or twice in one).
///
/// Two papers are the same when they share an arXiv id or a DOI, or when their normalised
/// titles (of three words or more) are equal, the first authors' names agree, the years are
/// at most one apart and no identifier says otherwise.
///
/// Policy for a preprint and its published version: merged only when they share an
/// identifier (the published record carries the arXiv id, or the DOI); a preprint and a
/// published paper that only share a title stay two papers, since a journal version often
/// differs from the preprint. The earlier paper is kept, with its key, and takes from the
/// later one only the facts it lacks (a full author list replaces a truncated one).
public enum Deduplication {
  public struct Merge: Sendable {
    public var kept: String
    public var dropped: String
    public var reason: String
  }

  public static func run(_ papers: [Paper]) -> (papers: [Paper], merges: [Merge]) {
    var out: [Paper] = []
    var merges: [Merge] = []
    var byArxiv: [String: Int] = [:]
    var byDOI: [String: Int] = [:]
    var byTitle: [String: TitleGroup] = [:]
    // Each kept paper's DOI in lower case, made once rather than at each comparison.
    var doiKeys: [String?] = []
    for p in papers {
      let arxiv = p.identifiers.arxiv?.id
      let doi = p.identifiers.doi?.lowercased()
      let words = Matcher.titleWords(p.title?.plainText ?? "")
      let titleKey = words.count >= 3 ? words.joined(separator: " ") : nil
      var target: Int?
      var reason = ""
      if let arxiv, let k = byArxiv[arxiv] {
        target = k
        reason = "same arXiv id \(arxiv)"
      } else if let doi, let k = byDOI[doi] {
        target = k
        reason = "same DOI \(doi)"
      } else if let titleKey, let group = byTitle[titleKey] {
        // A paper with an arXiv id (or a DOI) matches none that has another: one with the
        // same would have been found above. So only the group's papers that had none when
        // they joined are tried, in the group's order; the test below still sees their ids
        // as they are now.
        let candidates = arxiv != nil ? group.withoutArxiv : doi != nil ? group.withoutDOI : group.all
        target = out.withUnsafeBufferPointer { kept in
          candidates.first { k in
            sameWork(kept.baseAddress! + k, doiKeys[k], as: p, arxiv: arxiv, doi: doi)
          }
        }
        reason = "same title, first author and year"
      }
      if let k = target {
        merges.append(Merge(kept: out[k].citationKey ?? out[k].title?.plainText ?? "?", dropped: p.citationKey ?? p.title?.plainText ?? "?", reason: reason))
        out[k] = fill(out[k], from: p)
        doiKeys[k] = out[k].identifiers.doi?.lowercased()
      } else {
        target = out.count
        out.append(p)
        doiKeys.append(doi)
      }
      let k = target!
      let keptArxiv = out[k].identifiers.arxiv?.id
      if let a = keptArxiv { byArxiv[a] = byArxiv[a] ?? k }
      if let d = doiKeys[k] { byDOI[d] = byDOI[d] ?? k }
      if let titleKey { byTitle[titleKey, default: TitleGroup()].add(k, hasArxiv: keptArxiv != nil, hasDOI: doiKeys[k] != nil) }
    }
    return (out, merges)
  }

  /// The kept papers with one normalised title, in the order they joined, and the two
  /// sublists of those that had no arXiv id, and no DOI, when they joined (an id is never
  /// taken away by a merge, so a paper left out of a sublist never comes to belong in it).
  struct TitleGroup {
    var all: [Int] = []
    var withoutArxiv: [Int] = []
    var withoutDOI: [Int] = []
    private var members: Set<Int> = []

    mutating func add(_ k: Int, hasArxiv: Bool, hasDOI: Bool) {
      guard members.insert(k).inserted else { return }
      all.append(k)
      if !hasArxiv { withoutArxiv.append(k) }
      if !hasDOI { withoutDOI.append(k) }
    }
  }

  /// Whether the kept paper at `q` (whose DOI in lower case is `qDOI`) is the work `p`, by
  /// title-group rules: both preprints or neither, no identifier that disagrees, the first
  /// authors' names agree and the years are at most one apart. Read in place: a paper read
  /// out of the array would be copied whole. Cheap tests first.
  static func sameWork(_ q: UnsafePointer<Paper>, _ qDOI: String?, as p: Paper, arxiv: String?, doi: String?) -> Bool {
    guard (q.pointee.kind == .article) == p.isPreprint else { return false }
    guard let ya = q.pointee.issued?.year, let yb = p.issued?.year, abs(ya - yb) <= 1 else { return false }
    if let a = q.pointee.identifiers.arxiv?.id, let b = arxiv, a != b { return false }
    if let a = qDOI, let b = doi, a != b { return false }
    guard let fa = q.pointee.authors.first, let fb = p.authors.first, Matcher.sameName(fa, fb) else { return false }
    return true
  }

  /// `a` with the facts it lacks taken from `b`.
  static func fill(_ a: Paper, from b: Paper) -> Paper {
    var p = Enrichment.merge(a, b)
    p.kind = a.kind
    p.containerTitle = a.containerTitle ?? b.containerTitle
    p.publisher = a.publisher ?? b.publisher
    p.volume = a.volume ?? b.volume
    p.issue = a.issue ?? b.issue
    p.pages = a.pages ?? b.pages
    p.issued = a.issued ?? b.issued
    for k in b.keywords where !p.keywords.contains(k) { p.keywords.append(k) }
    if !p.hasCode { p.hasCode = b.hasCode }
    for l in b.codeLinks where !p.codeLinks.contains(l) { p.codeLinks.append(l) }
    return p
  }
}
