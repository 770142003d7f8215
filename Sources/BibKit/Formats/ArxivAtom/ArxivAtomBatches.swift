/// Reading a large feed a batch at a time, so that converting it holds a few pieces of
/// entries and papers at once rather than all of them.
///
/// The feed is cut into pieces of about ``ArxivAtomReader/pieceBytes`` as
/// ``ArxivAtomReader/ChunkPlan`` cuts it for reading on every core. Papers from a feed have
/// no citation keys, and generated keys depend on every paper (a collision suffix is given
/// in order of date, title and arXiv identifier), so a first pass reads each piece keeping
/// only what keys are made from, and assigns every key. Then each batch reads the next
/// pieces in full, one per core, and its papers come with their keys: the keys a writer
/// would give the papers of one whole read. With ``ReadOptions/fillsMissingKeys`` off (a
/// feed joined to other inputs) they come without keys, as from a whole read.
///
/// The feed is read whole instead when it is small, when the read is strict, when it cannot
/// be cut or a piece does not read (the whole read then reports the error with its place),
/// and when two papers with the same base key share date, title and arXiv identifier, so
/// that the rest of the record orders them.
extension ArxivAtomReader {
  public func batches(_ input: [UInt8], options: ReadOptions) -> (any PaperBatches)? {
    Batches(input, options: options, threshold: batchThreshold, pieceBytes: pieceBytes)
  }

  struct Batches: PaperBatches {
    let bytes: [UInt8]
    let options: ReadOptions
    let plan: ChunkPlan
    let cores: Int
    /// Every paper's key, in feed order (none when keys are not filled).
    let keys: [String]
    let paperCount: Int
    /// Where each piece's papers start in ``keys``.
    let firstPaper: [Int]
    let totals: SourceMetadata
    /// The next piece to read.
    var piece = 0
    var found: [Diagnostic] = []

    init?(
      _ input: [UInt8], options: ReadOptions, threshold: Int, pieceBytes: Int,
      cores: Int = ProcessInfo.activeCores
    ) {
      guard !options.strict, input.count >= threshold,
        let plan = ChunkPlan(input, chunks: max(2, input.count / max(1, pieceBytes)))
      else { return nil }
      let url = documentURL(options)
      // The first pass: per piece, the key facts of its papers and its totals.
      typealias Facts = (bases: [String], sorts: [CitationKeys.SortKey], totals: Scan)
      let read = Parallel.chunks(plan.count, threshold: 2) { range -> [Facts?] in
        range.map { k in
          let (document, shift) = plan.document(k, of: input)
          // Most pieces are read at the byte level; the rest by libxml2, as the second pass.
          guard
            var s = ArxivAtomReader.quickKeyScan(document, lineShift: shift)
              ?? (try? ArxivAtomReader.scan(document, url: url, lineShift: shift, keysOnly: true))
          else { return nil }
          var facts: Facts = ([], [], Scan())
          for e in s.pending where role(of: e) == .paper {
            let (base, sort) = keyFacts(e, options: options)
            facts.bases.append(base)
            facts.sorts.append(sort)
          }
          s.pending = []
          facts.totals = s
          return facts
        }
      }.flatMap { $0 }
      var bases: [(index: Int, base: String)] = []
      var sorts: [CitationKeys.SortKey] = []
      var firstPaper: [Int] = []
      var totals = Scan()
      for facts in read {
        guard let facts else { return nil }
        firstPaper.append(bases.count)
        for b in facts.bases { bases.append((bases.count, b)) }
        sorts += facts.sorts
        totals.addTotals(of: facts.totals)
      }
      var keys: [String] = []
      if options.fillsMissingKeys {
        keys = [String](repeating: "", count: bases.count)
        var taken = Set<String>()
        guard CitationKeys.generate(bases, sortKey: { sorts[$0] }, taken: &taken, key: { keys[$0] = $1 }) else {
          return nil
        }
      }
      paperCount = bases.count
      bytes = input
      self.options = options
      self.plan = plan
      self.cores = max(1, min(cores, 8))
      self.keys = keys
      self.firstPaper = firstPaper
      self.totals = totals.metadata
    }

    var metadata: SourceMetadata? { totals }
    var diagnostics: [Diagnostic] { found }

    mutating func next() -> [Paper]? {
      guard piece < plan.count else { return nil }
      let pieces = piece..<min(plan.count, piece + cores)
      piece = pieces.upperBound
      let (bytes, plan, url, options) = (bytes, plan, documentURL(options), options)
      let scans = Parallel.chunks(pieces.count, threshold: 2) { range -> [Scan?] in
        range.map { k in
          let (document, shift) = plan.document(pieces.lowerBound + k, of: bytes)
          guard var s = try? ArxivAtomReader.scan(document, url: url, lineShift: shift) else { return nil }
          makePapers(&s, options: options)
          return s
        }
      }.flatMap { $0 }
      var papers: [Paper] = []
      for (k, s) in zip(pieces, scans) {
        // The piece read in the first pass, from the same bytes.
        guard let s, firstPaper[k] + s.papers.count == (k + 1 < firstPaper.count ? firstPaper[k + 1] : paperCount) else {
          found.append(
            Diagnostic(.error, "arxiv.xml", "the feed read differently a second time", at: SourceLocation(file: options.source, line: 1, column: 1)))
          continue
        }
        for o in s.others { found.append(o.diagnostic(source: options.source)) }
        papers.reserveCapacity(papers.count + s.papers.count)
        for (j, var p) in s.papers.enumerated() {
          if !keys.isEmpty { p.citationKey = keys[firstPaper[k] + j] }
          papers.append(p)
        }
      }
      return papers
    }
  }

  /// What an entry's citation key is made from: its base key and its place in the order of
  /// a collision, without the rest of the record. These are the paper's own: the first
  /// author, the date, the title and the identifier are made by the functions that make them
  /// for the whole paper, and `keyFactsAgree` in the tests holds the two to each other. The
  /// paper itself is not made: that costs more than the facts.
  static func keyFacts(_ e: Entry, options: ReadOptions) -> (base: String, sort: CitationKeys.SortKey) {
    let title = RichText.parsingInlineMath(e.title ?? "")
    let person = e.authors.first(where: { !$0.name.isEmpty }).map { author($0.name) }
    let issuedDate = issued(first: date(e.published), current: date(e.updated), options: options)
    return (
      CitationKeys.baseKey(person: person, issued: issuedDate, title: title),
      CitationKeys.SortKey(date: issuedDate, title: title.plainText, arxiv: splitID(e.id ?? "").id)
    )
  }
}

extension ArxivAtomReader.Scan {
  /// Takes in the feed-level totals of a later piece of the same feed.
  mutating func addTotals(of part: Self) {
    metadata.metrics += part.metadata.metrics
    if part.sawTotal {
      metadata.declaredPaperCount = part.metadata.declaredPaperCount
      sawTotal = true
    }
  }
}
