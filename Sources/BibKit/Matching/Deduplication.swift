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
    var byTitle: [String: [Int]] = [:]
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
      } else if let titleKey {
        target = byTitle[titleKey]?.first { k in
          let q = out[k]
          guard q.isPreprint == p.isPreprint else { return false }
          if let a = q.identifiers.arxiv?.id, let b = arxiv, a != b { return false }
          if let a = q.identifiers.doi?.lowercased(), let b = doi, a != b { return false }
          guard let fa = q.authors.first, let fb = p.authors.first, Matcher.sameName(fa, fb) else { return false }
          guard let ya = q.issued?.year, let yb = p.issued?.year else { return false }
          return abs(ya - yb) <= 1
        }
        reason = "same title, first author and year"
      }
      if let k = target {
        merges.append(Merge(kept: out[k].citationKey ?? out[k].title?.plainText ?? "?", dropped: p.citationKey ?? p.title?.plainText ?? "?", reason: reason))
        out[k] = fill(out[k], from: p)
      } else {
        target = out.count
        out.append(p)
      }
      let k = target!
      if let a = out[k].identifiers.arxiv?.id { byArxiv[a] = byArxiv[a] ?? k }
      if let d = out[k].identifiers.doi?.lowercased() { byDOI[d] = byDOI[d] ?? k }
      if let titleKey, !(byTitle[titleKey]?.contains(k) ?? false) { byTitle[titleKey, default: []].append(k) }
    }
    return (out, merges)
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
