/// The batches of an input some of whose papers have no citation key, read twice so that
/// converting it still holds a batch at a time.
///
/// A whole read gives a paper without a key the one ``CitationKeys/fillMissing(_:)`` makes,
/// and that depends on every paper: keys taken by others, and a collision suffix given in
/// order of date, title, arXiv identifier and the rest of the record (authors, abstract).
/// So a first pass reads every batch and keeps only that: the keys papers have, and for each
/// paper without one its base key and what that order compares. A second pass reads the
/// same batches again and gives each such paper the key the whole read gives it.
struct KeyFillingBatches<Inner: PaperBatches>: PaperBatches {
  var inner: Inner
  /// The keys of the papers without one, in input order.
  let filled: [String]
  var nextFilled = 0

  /// `fresh` is batches not yet read; it is read twice, as two copies.
  init(_ fresh: Inner) {
    var first = fresh
    var plan = MissingKeys()
    while let papers = first.next() { plan.note(papers) }
    inner = fresh
    filled = plan.keys()
  }

  var metadata: SourceMetadata? { inner.metadata }
  var diagnostics: [Diagnostic] { inner.diagnostics }

  mutating func next() -> [Paper]? {
    guard var papers = inner.next() else { return nil }
    // The second pass reads what the first read: as many papers without keys.
    MissingKeys.fill(&papers, with: filled, next: &nextFilled)
    return papers
  }
}

/// The keys a whole read gives papers without one, planned from papers seen a batch at a
/// time and not kept: what ``CitationKeys/assign(_:)`` gives them over all the papers at
/// once. It keeps the keys the papers have and, for each paper without one, its base key
/// and what the order of collision suffixes compares.
///
/// ```swift
/// var plan = MissingKeys()
/// while let papers = firstPass.next() { plan.note(papers) }
/// let keys = plan.keys()  // one per paper without a key, in the order they came
/// ```
public struct MissingKeys: Sendable {
  var taken = Set<String>()
  var bases: [(index: Int, base: String)] = []
  var order: [CitationKeys.SortKey] = []

  public init() {}

  /// How many papers noted so far have no key.
  public var missing: Int { bases.count }

  /// Notes the next papers, in input order.
  public mutating func note(_ papers: [Paper]) {
    for p in papers {
      if let k = p.citationKey, !k.isEmpty {
        taken.insert(k.lowercased())
      } else {
        bases.append((bases.count, CitationKeys.baseKey(for: p)))
        var k = CitationKeys.SortKey(date: p.issued, title: p.title?.plainText ?? "", arxiv: p.identifiers.arxiv?.id ?? "")
        // Made for every such paper, as any two may tie on the rest.
        k.rest = CitationKeys.fingerprint(authors: p.authors, abstract: p.abstract)
        order.append(k)
      }
    }
  }

  /// The keys of the papers without one, in the order they were noted.
  public func keys() -> [String] {
    var filled = [String](repeating: "", count: bases.count)
    var taken = taken
    // The order compares what the whole read's compares: ties (papers alike in all of it)
    // fall as they fall there.
    CitationKeys.generate(bases, sortKey: { order[$0] }, taken: &taken, key: { filled[$0] = $1 })
    return filled
  }

  /// Gives the papers without a key, in order, the next of `keys` (those of ``keys()``),
  /// from `keys[next]` on; `next` moves past the keys given.
  public static func fill(_ papers: inout [Paper], with keys: [String], next: inout Int) {
    for k in papers.indices where papers[k].citationKey?.isEmpty ?? true && next < keys.count {
      papers[k].citationKey = keys[next]
      next += 1
    }
  }
}
