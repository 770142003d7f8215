/// Properties the fuzzers check that need more than the public interface: that reading in
/// chunks on every core, or a batch at a time, gives exactly what one read from start to end
/// gives. The readers cut only large inputs; these checks cut any input.
@_spi(Fuzzing) public enum FuzzChecks {
  /// Parsing BibTeX in 2 and 3 chunks, with and without the @string scan, gives the same
  /// entries, preambles, macros and diagnostics as one parse.
  public static func bibtexChunksAgree(_ input: [UInt8]) -> Bool {
    var bytes = input
    if !String.isValidUTF8(bytes) { bytes = Windows1252.toUTF8(bytes) }
    var whole = BibTeXParser(bytes: bytes, source: "fuzz")
    whole.parse()
    for (n, guessing) in [(2, true), (3, false)] {
      let p = BibTeXParser.parsed(bytes: bytes, source: "fuzz", chunks: n, threshold: 0, guessing: guessing)
      guard p.entries == whole.entries, p.preambles == whole.preambles, p.macros == whole.macros,
        p.diagnostics == whole.diagnostics
      else { return false }
    }
    return true
  }

  /// Reading BibTeX in batches (of two sizes, with and without reusing the parse that runs
  /// ahead) gives the papers, diagnostics and preambles of one read.
  public static func bibtexBatchesAgree(_ input: [UInt8]) -> Bool {
    let options = ReadOptions(source: "fuzz", asOf: PartialDate(year: 2026, month: 11, day: 28))
    guard let whole = try? BibTeXReader().read(input, options: options) else { return true }
    for (chunk, ahead) in [(64, 0), (700, 1 << 20)] {
      guard var b = BibTeXReader.Batches(input, options: options, threshold: 0, chunkBytes: chunk, cores: 2, aheadBytes: ahead),
        agree(&b, with: whole), b.metadata?.preambles ?? [] == whole.metadata?.preambles ?? []
      else { return false }
    }
    return true
  }

  /// The keys the BibTeX writer writes for `papers` written whole: theirs, or generated,
  /// made readable where BibTeX cannot read them.
  public static func bibtexWrittenKeys(_ papers: [Paper]) -> [String] {
    var writer = BibTeXWriter.Batches(options: WriteOptions())
    var diagnostics: [Diagnostic] = []
    return writer.writableKeys(CitationKeys.assign(papers), into: &diagnostics)
  }

  /// Reading RIS in batches, where the reader would, gives the papers (keys filled in
  /// included) and diagnostics of one read.
  public static func risBatchesAgree(_ input: [UInt8]) -> Bool {
    let options = ReadOptions(source: "fuzz", asOf: PartialDate(year: 2026, month: 11, day: 28))
    var reader = RISReader()
    (reader.batchThreshold, reader.batchBytes) = (0, 50)
    guard var b = reader.batches(input, options: options) else { return true }
    return agree(&b, with: try? RISReader().read(input, options: options))
  }

  /// Whether the batches, read to the end, give the papers and diagnostics of `whole`.
  static func agree(_ b: inout some PaperBatches, with whole: ReadResult?) -> Bool {
    guard let whole else { return false }
    var papers: [Paper] = []
    while let batch = b.next() { papers += batch }
    return papers == whole.papers && b.diagnostics == whole.diagnostics
  }

  /// The JSON check and the tape agree with the parser (the same verdict and end, and for
  /// the tape the same error), and reading CSL-JSON in batches, where the reader would,
  /// gives the papers (keys filled in included) and diagnostics of one read.
  public static func cslJSONBatchesAgree(_ input: [UInt8]) -> Bool {
    var parser = JSONParser(input, maxDepth: 256)
    var checker = JSONParser(input, maxDepth: 256)
    var taper = JSONParser(input, maxDepth: 256)
    var parseError: JSONSyntaxError?
    var tapeError: JSONSyntaxError?
    do { _ = try parser.value(depth: 0) } catch { parseError = error }
    var nodes: [JSONTape.Node] = []
    do { try taper.tapeValue(depth: 0, into: &nodes) } catch { tapeError = error }
    let parsed = parseError == nil
    if checker.skipValue(depth: 0) != parsed || (parsed && checker.i != parser.i) { return false }
    if parseError?.message != tapeError?.message || parseError?.offset != tapeError?.offset || taper.i != parser.i {
      return false
    }
    let options = ReadOptions(source: "fuzz", asOf: PartialDate(year: 2026, month: 11, day: 28))
    var reader = CSLJSONReader()
    (reader.batchThreshold, reader.batchBytes) = (0, 50)
    guard var b = reader.batches(input, options: options) else { return true }
    return agree(&b, with: try? CSLJSONReader().read(input, options: options))
  }

  /// Reading an Atom feed in 2 and 3 pieces gives the same entries, totals or error as one
  /// read.
  public static func arxivChunksAgree(_ bytes: [UInt8]) -> Bool {
    let whole = arxivSnapshot { () throws(XMLFailure) in try ArxivAtomReader.scan(bytes, url: "fuzz") }
    for n in [2, 3] {
      let got = arxivSnapshot { () throws(XMLFailure) in
        try ArxivAtomReader.scanned(bytes, url: "fuzz", chunks: n, threshold: 0)
      }
      if got != whole { return false }
    }
    return true
  }

  /// Reading an Atom feed in batches, where the reader would, gives the papers of one read
  /// with the keys a writer would give them, and its diagnostics and totals.
  public static func arxivBatchesAgree(_ bytes: [UInt8]) -> Bool {
    let options = ReadOptions(source: "fuzz", asOf: PartialDate(year: 2026, month: 11, day: 28))
    guard let whole = try? ArxivAtomReader().read(bytes, options: options) else { return false }
    var keyed = whole.papers
    for (i, k) in CitationKeys.assign(keyed).enumerated() { keyed[i].citationKey = k }
    for (size, cores) in [(40, 2), (300, 3)] {
      guard var b = ArxivAtomReader.Batches(bytes, options: options, threshold: 0, pieceBytes: size, cores: cores) else {
        continue
      }
      var papers: [Paper] = []
      while let batch = b.next() { papers += batch }
      guard papers == keyed, b.diagnostics == whole.diagnostics, b.metadata == whole.metadata else { return false }
    }
    return true
  }

  /// Where the byte-level reading of the keys-only pass takes a document, it gives what
  /// libxml2's reading gives.
  public static func arxivQuickScanAgrees(_ bytes: [UInt8]) -> Bool {
    guard let quick = ArxivAtomReader.quickKeyScan(bytes) else { return true }
    let libxml2 = arxivSnapshot { () throws(XMLFailure) in try ArxivAtomReader.scan(bytes, url: "fuzz", keysOnly: true) }
    return arxivSnapshot { () throws(XMLFailure) in quick } == libxml2
  }

  /// Everything a read of a feed gave (entries with their lines, totals), or its error with
  /// its place, as text to compare.
  static func arxivSnapshot(_ read: () throws(XMLFailure) -> ArxivAtomReader.Scan) -> String {
    do {
      let s = try read()
      return "\(s.pending)\n\(s.metadata)\n\(s.sawTotal)"
    } catch {
      return "error \(error.message) at \(error.line):\(error.column)"
    }
  }
}
