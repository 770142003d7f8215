import BibKit

/// Several inputs read again one after another, a batch at a time, as one bibliography:
/// the second pass of a conversion of several large inputs, after a first that reported
/// each input's messages and planned the keys (``MissingKeys``).
///
/// Each input is read as the first pass read it (in batches where its reader offers them,
/// whole otherwise), keys that an earlier input has are taken off as the first pass took
/// them off, and each paper left without a key gets the planned one: the papers and keys
/// of reading every input whole, joined. The messages were given by the first pass, so
/// these batches have none.
struct JoinedInputs: PaperBatches {
  struct Input {
    let reader: any BibliographyReader
    var bytes: [UInt8]
    let options: ReadOptions
  }

  var inputs: [Input]
  /// The keys of the papers without one, in input order.
  let keys: [String]
  var nextKey = 0
  /// The input being read, and its batches once started.
  var k = 0
  var current: (any PaperBatches)?
  var seen: [CitationKeys.FoldedKey: Int] = [:]

  init(inputs: [Input], keys: [String]) {
    self.inputs = inputs
    self.keys = keys
  }

  var metadata: SourceMetadata? { nil }
  var diagnostics: [Diagnostic] { [] }

  mutating func next() -> [Paper]? {
    while k < inputs.count {
      if current == nil {
        let input = inputs[k]
        if let b = input.reader.batches(input.bytes, options: input.options) {
          current = b
        } else {
          // Read whole the first time too, without an error that stopped the run.
          let papers = (try? input.reader.read(input.bytes, options: input.options).papers) ?? []
          done()
          return keyed(papers, input: k - 1)
        }
      }
      if let papers = current!.next() { return keyed(papers, input: k) }
      done()
    }
    return nil
  }

  /// Moves to the next input; this one's bytes are let go.
  mutating func done() {
    current = nil
    inputs[k].bytes = []
    k += 1
  }

  mutating func keyed(_ papers: [Paper], input: Int) -> [Paper] {
    var papers = papers
    CitationKeys.dropRepeated(&papers, seen: &seen, place: { _ in input }) { _, _, _ in }
    MissingKeys.fill(&papers, with: keys, next: &nextKey)
    return papers
  }
}
