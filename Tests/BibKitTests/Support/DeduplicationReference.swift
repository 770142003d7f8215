@testable import BibKit

/// The deduplication as it was first written: every paper of a title group tried in turn,
/// read out of the array. Kept as the reference the faster ``Deduplication/run(_:)`` must
/// agree with.
enum DeduplicationReference {
  static func run(_ papers: [Paper]) -> (papers: [Paper], merges: [Deduplication.Merge]) {
    var out: [Paper] = []
    var merges: [Deduplication.Merge] = []
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
        merges.append(Deduplication.Merge(kept: out[k].citationKey ?? out[k].title?.plainText ?? "?", dropped: p.citationKey ?? p.title?.plainText ?? "?", reason: reason))
        out[k] = Deduplication.fill(out[k], from: p)
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
}
