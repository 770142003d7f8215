import Testing

@testable import BibKit

/// Diagnostics as the batch tests compare them: code and printed form.
func describedDiagnostics(_ d: [Diagnostic]) -> [String] { d.map { "\($0.code) \($0)" } }

/// The batches, read to the end and joined; nil when there are none (the input is read whole).
func joinedBatches(_ batches: (any PaperBatches)?) -> (papers: [Paper], diagnostics: [String])? {
  guard var b = batches else { return nil }
  var papers: [Paper] = []
  while let batch = b.next() { papers += batch }
  return (papers, describedDiagnostics(b.diagnostics))
}

/// For each batch size, the batches `batches(size)` gives, joined, have the papers and the
/// diagnostics of `whole`.
func expectBatchesAgree(
  with whole: ReadResult, sizes: [Int], sourceLocation: Testing.SourceLocation = #_sourceLocation,
  _ batches: (Int) -> (any PaperBatches)?
) throws {
  for size in sizes {
    let got = try #require(joinedBatches(batches(size)), "batches of \(size)", sourceLocation: sourceLocation)
    #expect(got.papers == whole.papers, "batches of \(size)", sourceLocation: sourceLocation)
    #expect(got.diagnostics == describedDiagnostics(whole.diagnostics), "batches of \(size)", sourceLocation: sourceLocation)
  }
}

/// The keys of `whole` are distinct in lower case, more than eight of them are the base key
/// `base` with a suffix, and the last paper's is not `taken` (a key another paper has).
func expectFilledKeys(_ whole: ReadResult, base: String, lastIsNot taken: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
  let keys = whole.papers.map { $0.citationKey ?? "" }
  #expect(Set(keys.map { $0.lowercased() }).count == keys.count, sourceLocation: sourceLocation)
  #expect(keys.filter { $0.hasPrefix(base) }.count > 8, sourceLocation: sourceLocation)
  #expect(keys.last != taken, sourceLocation: sourceLocation)
}
