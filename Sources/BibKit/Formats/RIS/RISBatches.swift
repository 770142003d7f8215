/// Reading a large RIS input a batch at a time: records are gathered line by line until a
/// batch holds a few megabytes of input, then mapped on every core, with the papers,
/// diagnostics and order of ``RISReader/read(_:options:)``.
///
/// A record without a non-empty `ID` gets a generated key, and generated keys depend on every
/// paper of the input (a collision suffix is given in date order): an input with such
/// records is read twice, by ``KeyFillingBatches`` (unless ``ReadOptions/fillsMissingKeys``
/// is off: such records then come without a key). Strict reads, and inputs the whole read
/// refuses outright (a line longer than ``ByteLines/maxLineBytes``, a Web of Science file),
/// are read whole.
extension RISReader {
  public func batches(_ input: [UInt8], options: ReadOptions) -> (any PaperBatches)? {
    guard let b = Batches(input, options: options, threshold: batchThreshold, batchBytes: batchBytes) else { return nil }
    return b.everyRecordHasAnID || !options.fillsMissingKeys ? b : KeyFillingBatches(b)
  }

  struct Batches: PaperBatches {
    let bytes: [UInt8]
    let source: String?
    let batchBytes: Int
    var lines = ByteLines.Cursor()
    var builder: RecordBuilder
    var recordsRead = 0
    var encoding: [Diagnostic] = []
    var ending: [Diagnostic] = []
    var mapping: [Diagnostic] = []
    /// IDs met so far (in lower case, with their record's line), and the warnings for IDs
    /// that repeat one: given after the mapping's, as the whole read gives them.
    var seenIDs: [CitationKeys.FoldedKey: Int] = [:]
    var repeatedIDs: [Diagnostic] = []
    var done = false
    /// Whether every record has a key of its own (one no record before has): if not,
    /// generated keys depend on the whole input, and these batches need ``KeyFillingBatches``.
    let everyRecordHasAnID: Bool

    init?(_ input: [UInt8], options: ReadOptions, threshold: Int, batchBytes: Int) {
      guard !options.strict, input.count >= threshold else { return nil }
      bytes = Windows1252.decodedInput(input, code: "ris.encoding", source: options.source, into: &encoding)
      guard let keyed = Self.allRecordsKeyed(bytes) else { return nil }
      everyRecordHasAnID = keyed
      source = options.source
      self.batchBytes = max(1, batchBytes)
      builder = RecordBuilder(source: options.source)
    }

    var metadata: SourceMetadata? { nil }

    var diagnostics: [Diagnostic] { encoding + builder.diagnostics + ending + mapping + repeatedIDs }

    mutating func next() -> [Paper]? {
      guard !done else { return nil }
      let start = lines.lineStart
      while lines.lineStart - start < batchBytes, let line = lines.next(bytes) { builder.add(line, bytes) }
      if lines.done {
        builder.finish()
        done = true
      }
      let records = builder.records
      builder.records = []
      recordsRead += records.count
      if done, recordsRead == 0 {
        ending.append(
          Diagnostic(
            .error, "ris.no-records", "no RIS records found (expected 'TY  - ')",
            at: SourceLocation(file: source, line: 1, column: 1)))
      }
      let source = source
      var (papers, found) = Parallel.map(records.count) { i, d in RISReader.paper(records[i], diagnostics: &d, source: source) }
      mapping += found
      // The check found every ID and no ID twice; otherwise repeats are taken off here, as
      // the whole read takes them off.
      if !everyRecordHasAnID {
        RISReader.dropRepeatedIDs(&papers, of: records, seen: &seenIDs, source: source, into: &repeatedIDs)
      }
      return papers
    }

    /// Whether every record has an `ID` line with a value (as the mapping takes it: the
    /// first non-empty one) that no record before has (in lower case); nil when a line is too
    /// long or the input is a Web of Science file. An `ID` line that a continuation line
    /// follows counts as none: the answer may be no where it could be yes, never the other way.
    static func allRecordsKeyed(_ bytes: [UInt8]) -> Bool? {
      var cursor = ByteLines.Cursor()
      var inRecord = false
      var hasID = false
      var afterID = false
      var seen = Set<CitationKeys.FoldedKey>()
      var keyed = true
      var firstNonEmpty = true
      while let line = cursor.next(bytes) {
        if line.end - line.lineStart > ByteLines.maxLineBytes { return nil }
        if firstNonEmpty, !line.isEmpty {
          firstNonEmpty = false
          let head = bytes[line.start..<line.end]
          if head.starts(with: Array("FN ".utf8)) || head.starts(with: Array("PT ".utf8)) { return nil }
        }
        // Once a record has no key, only the line lengths are left to check.
        guard keyed else { continue }
        guard let (code, valueStart) = RISReader.tagLine(bytes, line.start, line.end) else {
          // A continuation line would add to the ID's value.
          if inRecord, afterID, !line.isEmpty { keyed = false }
          continue
        }
        afterID = inRecord && code == RISReader.Field.code("ID")
        switch code {
        case RISReader.Field.code("TY"):
          if inRecord, !hasID { keyed = false }
          (inRecord, hasID) = (true, false)
        case RISReader.Field.code("ER"):
          if inRecord, !hasID { keyed = false }
          inRecord = false
        case RISReader.Field.code("ID") where inRecord && !hasID:
          let id = String(utf8: bytes, valueStart..<line.end).trimmingSpaces()
          hasID = !id.isEmpty
          if hasID, !seen.insert(CitationKeys.FoldedKey(id)).inserted { keyed = false }
        default: break
        }
      }
      return keyed && (!inRecord || hasID)
    }
  }
}
