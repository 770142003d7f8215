/// Properties the fuzzers check that need more than the public interface: that reading in
/// chunks on every core gives exactly what one read from start to end gives. The readers
/// cut only inputs of 1 MiB or more; these checks cut any input.
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
