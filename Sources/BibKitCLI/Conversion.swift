public import BibKit

/// One `bibkit convert` run, independent of argument parsing so tests can drive it.
public struct Conversion {
  public var inputs: [String]
  public var from: FormatID?
  public var to: FormatID
  public var output: String?
  public var strict = false
  public var quiet = false
  /// Read and report only (`bibkit check`): no output, a count line, exit 65 on any error.
  public var checkOnly = false
  public var arxivDate = ArxivDateChoice.published
  /// Merge the same paper arriving twice (`--dedupe`).
  public var dedupe = false
  /// Papers already in hand (`bibkit arxiv`): no inputs are read.
  public var preloaded: (papers: [Paper], source: String)?
  /// arXiv feeds to complete the papers from (`--enrich`).
  public var enrichFeeds: [String] = []
  public var asOf: PartialDate
  public var writeOptions = WriteOptions()
  public var registry = FormatRegistry.standard
  /// Keep the papers and the output until the process exits instead of freeing them when
  /// the run ends (the command sets this; freeing a large bibliography object by object
  /// takes longer than the exit, which returns the memory at once).
  public var keepUntilExit = false
  /// Several inputs of this many bytes in all (files; standard input counts as none) are
  /// read twice rather than held whole: see ``JoinedInputs``.
  public var joinedThreshold = 8 << 20

  public init(inputs: [String], from: FormatID?, to: FormatID, output: String?, asOf: PartialDate) {
    self.inputs = inputs
    self.from = from
    self.to = to
    self.output = output
    self.asOf = asOf
  }

  /// Runs the conversion and returns the exit status. Nothing is written to the output
  /// unless every input was read.
  public func run(io: any ConsoleIO) -> Int32 {
    var counts: [Severity: Int] = [:]
    func emit(_ d: Diagnostic) {
      counts[d.severity, default: 0] += 1
      if Self.prints(d.severity, quiet: quiet) { io.writeStandardError(d.description) }
    }
    // `at` is a path, or a path with ":1:1" for errors about the content.
    func fail(_ status: Int32, _ at: String?, _ message: String, start: Bool = false) -> Int32 {
      let location = at.map {
        start ? SourceLocation(file: $0, line: 1, column: 1) : SourceLocation.file($0)
      }
      emit(Diagnostic(.error, "cli", message, at: location))
      return status
    }
    func plural(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
    /// `bibkit check`'s last line; its exit status.
    func checked(_ papers: Int) -> Int32 {
      let e = counts[.error] ?? 0
      io.writeStandardError(
        "\(plural(papers, "entry", "entries")), \(plural(e, "error", "errors")), \(plural(counts[.warning] ?? 0, "warning", "warnings"))")
      return e > 0 ? ExitStatus.dataError : ExitStatus.success
    }
    func warnDroppedPreambles(_ preambles: [String]) {
      if to != .bibtex, !preambles.isEmpty {
        emit(Diagnostic(.warning, "write.dropped", "\(to) has no place for @preamble; \(preambles.count) preamble(s) not written"))
      }
    }
    /// The line that sums up a conversion, unless `--quiet`.
    func summary(read: Int, from formats: String, inputs: Int, written: Int, target: String) {
      guard !quiet else { return }
      io.writeStandardError(
        "bibkit: read \(read) papers (\(formats)) from \(plural(inputs, "input", "inputs")),"
          + " wrote \(written) \(to) entries to \(target == "-" ? "standard output" : target);"
          + " \(plural(counts[.error] ?? 0, "error", "errors")), \(plural(counts[.warning] ?? 0, "warning", "warnings"))")
    }

    guard let writer = registry.format(to)?.writer else {
      return fail(ExitStatus.usage, nil, "bibkit cannot write '\(to)'")
    }
    let sources = preloaded.map { [$0.source] } ?? (inputs.isEmpty ? ["-"] : inputs)
    if let output, output != "-" {
      for s in sources where s != "-" && FileIO.sameFile(s, output) {
        return fail(ExitStatus.usage, output, "the output would overwrite the input '\(s)'")
      }
    }

    /// Reads and writes one batch after another; the output, the diagnostics and the exit
    /// status are those of reading everything and then writing it. `name` is the input's
    /// name, for a note when it has no papers; nil for several inputs, whose messages were
    /// given as they were first read, with their preambles.
    func inBatches(
      _ batches: inout any PaperBatches, name: String?, format: String, inputs: Int = 1, preambles known: [String]? = nil
    ) -> Int32 {
      let target = output ?? "-"
      var file: FileIO.AtomicFile?
      func openedFile() throws(FileIO.ReplaceError) -> FileIO.AtomicFile {
        if let file { return file }
        let f = try FileIO.AtomicFile(path: target)
        file = f
        return f
      }
      // Made once the preambles are known: from the first batch on.
      var batchWriter: (any BatchWriter)?
      func makeWriter(_ preambles: [String]) -> (any BatchWriter)? {
        var options = writeOptions
        options.preambles = preambles
        return writer.batchWriter(options: options)
      }
      // The writer's messages come after the reader's, which are complete only at the end.
      var held = HeldMessages(quiet: quiet)
      var read = 0
      var written = 0
      var failure: (status: Int32, at: String, message: String)?
      func put(_ parts: [[UInt8]]) {
        for part in parts where failure == nil && !part.isEmpty {
          if target == "-" {
            do { try io.writeStandardOutput(part) } catch {
              failure = (ExitStatus.ioError, "<stdout>", "cannot write: \(error)")
            }
            continue
          }
          do { try openedFile().append(part) } catch {
            failure = Self.failure(error, target)
          }
        }
      }
      while let papers = batches.next() {
        read += papers.count
        // After a failed write the batches are still written (not put), so the messages are
        // those of a run that reads everything first.
        if checkOnly { continue }
        if batchWriter == nil { batchWriter = makeWriter(known ?? batches.metadata?.preambles ?? []) }
        let r = batchWriter!.write(papers, keys: CitationKeys.assign(papers))
        held.add(r.diagnostics)
        written += r.count
        put(r.parts)
      }
      let readDiagnostics = batches.diagnostics
      let preambles = known ?? batches.metadata?.preambles ?? []
      for d in readDiagnostics { emit(d) }
      let errors = readDiagnostics.contains { $0.severity == .error }
      if read == 0, errors, !checkOnly {
        file?.abort()
        return ExitStatus.dataError
      }
      if read == 0, !errors, let name {
        emit(Diagnostic(.note, "cli", "no papers in this input", at: .file(name)))
      }
      if checkOnly { return checked(read) }
      warnDroppedPreambles(preambles)
      if batchWriter == nil { batchWriter = makeWriter(preambles) }
      let end = batchWriter!.finish()
      held.add(end.diagnostics)
      for (severity, n) in held.counts { counts[severity, default: 0] += n }
      held.forEachText { io.writeStandardError($0) }
      put(end.parts)
      if failure == nil, target != "-" {
        do { try openedFile().commit() } catch {
          failure = Self.failure(error, target)
        }
      }
      if let failure {
        file?.abort()
        return fail(failure.status, failure.at, failure.message)
      }
      summary(read: read, from: format, inputs: inputs, written: written, target: target)
      return ExitStatus.success
    }

    // Several large inputs are read twice, a batch at a time: a first pass reports what
    // each input's read reports, as reading it whole does, and keeps only the keys (see
    // ``MissingKeys``); the second reads them again and writes (see ``JoinedInputs``).
    let joined =
      preloaded == nil && sources.count > 1 && !dedupe && enrichFeeds.isEmpty
      && (checkOnly || writer.batchWriter(options: writeOptions) != nil)
      && sources.reduce(0, { $0 + ($1 == "-" ? 0 : FileIO.size(path: $1)) }) >= joinedThreshold
    var joinedInputs: [JoinedInputs.Input] = []
    var plan = MissingKeys()
    var joinedCount = 0

    var papers: [Paper] = []
    var formatsRead: [String] = []
    var preambles: [String] = []
    // Several inputs: keys in lower case, with the input that has each first.
    var keysSeen: [CitationKeys.FoldedKey: Int] = [:]
    if let preloaded {
      papers = preloaded.papers
      formatsRead = ["arxiv"]
    }
    /// An input as messages name it.
    func displayName(_ source: String) -> String { source == "-" ? "<stdin>" : source }
    /// The warning for a paper of input `name` whose key input `first` has.
    func repeatedKey(_ key: String, first: Int, in name: String) -> Diagnostic {
      Diagnostic(
        .warning, "cli.duplicate-key",
        "repeated key '\(key)' (first in \(displayName(sources[first]))); this paper gets a generated key", at: .file(name))
    }
    for source in sources where preloaded == nil {
      let name = displayName(source)
      let bytes: [UInt8]
      if source == "-" {
        do { bytes = try io.readStandardInput() } catch {
          return fail(ExitStatus.ioError, name, "cannot read standard input: \(error)")
        }
      } else {
        do { bytes = try FileIO.readFile(path: source) } catch {
          return fail(ExitStatus.noInput, name, "cannot open: \(error.reason)")
        }
      }
      if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
        return fail(ExitStatus.dataError, name, "empty input", start: true)
      }
      if Self.isBinary(bytes) {
        return fail(ExitStatus.dataError, name, "binary data, not a bibliography", start: true)
      }
      let descriptor: FormatDescriptor
      if let from {
        guard let d = registry.format(from) else {
          return fail(ExitStatus.usage, nil, "unknown format '\(from)'")
        }
        descriptor = d
      } else if let d = registry.detect(path: source == "-" ? nil : source, content: bytes) {
        descriptor = d
      } else {
        return fail(
          ExitStatus.dataError, name,
          "cannot tell the format of this input; name it with --from", start: true)
      }
      guard let reader = descriptor.reader else {
        return fail(
          ExitStatus.usage, name,
          "reading \(descriptor.displayName) is not supported yet; `bibkit formats` lists what is")
      }
      var readOptions = ReadOptions(source: name, strict: strict, asOf: asOf, arxivDate: arxivDate)
      // Keys for papers without one are made once for the whole, avoiding every input's.
      readOptions.fillsMissingKeys = sources.count == 1
      if joined {
        // What reading the input whole and joining it to the others reports, in its order:
        // the read's messages, then the keys that earlier inputs have.
        let input = formatsRead.count
        var count = 0
        var repeats: [Diagnostic] = []
        func take(_ batch: [Paper]) {
          var batch = batch
          CitationKeys.dropRepeated(&batch, seen: &keysSeen, place: { _ in input }) { _, key, first in
            repeats.append(repeatedKey(key, first: first, in: name))
          }
          plan.note(batch)
          count += batch.count
        }
        let diagnostics: [Diagnostic]
        if var batches = reader.batches(bytes, options: readOptions) {
          while let batch = batches.next() { take(batch) }
          diagnostics = batches.diagnostics
          preambles += batches.metadata?.preambles ?? []
        } else {
          do {
            let result = try reader.read(bytes, options: readOptions)
            take(result.papers)
            diagnostics = result.diagnostics
            preambles += result.metadata?.preambles ?? []
          } catch {
            emit(error.diagnostic)
            return ExitStatus.dataError
          }
        }
        for d in diagnostics { emit(d) }
        let errors = diagnostics.contains { $0.severity == .error }
        if count == 0, errors, !checkOnly { return ExitStatus.dataError }
        if count == 0, !errors { emit(Diagnostic(.note, "cli", "no papers in this input", at: .file(name))) }
        for d in repeats { emit(d) }
        joinedCount += count
        formatsRead.append(descriptor.id.rawValue)
        joinedInputs.append(JoinedInputs.Input(reader: reader, bytes: bytes, options: readOptions))
        continue
      }
      // A single large input that nothing needs whole (no --dedupe, no --enrich) is
      // converted a batch at a time.
      if sources.count == 1, !dedupe, enrichFeeds.isEmpty,
        checkOnly || writer.batchWriter(options: writeOptions) != nil,
        var batches = reader.batches(bytes, options: readOptions)
      {
        return inBatches(&batches, name: name, format: descriptor.id.rawValue)
      }
      let result: ReadResult
      do {
        result = try reader.read(bytes, options: readOptions)
      } catch {
        emit(error.diagnostic)
        return ExitStatus.dataError
      }
      for d in result.diagnostics { emit(d) }
      // An input that yields nothing because of errors is invalid; one that is validly
      // empty (an arXiv feed with zero results) is not.
      if result.papers.isEmpty, result.diagnostics.contains(where: { $0.severity == .error }), !checkOnly {
        return ExitStatus.dataError
      }
      if result.papers.isEmpty, !result.diagnostics.contains(where: { $0.severity == .error }) {
        emit(Diagnostic(.note, "cli", "no papers in this input", at: .file(name)))
      }
      var read = result.papers
      if sources.count > 1 {
        // A key an earlier input has: the paper gets a generated key, as a repeated key in
        // one RIS or CSL-JSON input does (BibTeX and biber would use only the first).
        let input = formatsRead.count
        CitationKeys.dropRepeated(&read, seen: &keysSeen, place: { _ in input }) { _, key, first in
          emit(repeatedKey(key, first: first, in: name))
        }
      }
      if papers.isEmpty { papers = read } else { papers += read }
      formatsRead.append(descriptor.id.rawValue)
      preambles += result.metadata?.preambles ?? []
    }

    if joined {
      if checkOnly { return checked(joinedCount) }
      var batches: any PaperBatches = JoinedInputs(inputs: joinedInputs, keys: plan.keys())
      joinedInputs = []
      return inBatches(
        &batches, name: nil, format: Set(formatsRead).sorted().joined(separator: "+"), inputs: sources.count,
        preambles: preambles)
    }

    // The same paper twice becomes one (on request: merging entries that have their own
    // keys would break citations of the dropped key).
    let dedup = dedupe ? Deduplication.run(papers) : (papers: papers, merges: [])
    if !dedup.merges.isEmpty {
      for m in dedup.merges {
        emit(Diagnostic(.note, "dedupe", "'\(m.dropped)' is the same paper as '\(m.kept)' (\(m.reason)); read once"))
      }
      papers = dedup.papers
    }

    // Completion from arXiv feeds.
    if !enrichFeeds.isEmpty {
      var records: [Paper] = []
      for feed in enrichFeeds {
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(path: feed) } catch {
          return fail(ExitStatus.noInput, feed, "cannot open: \(error.reason)")
        }
        let r: ReadResult
        do {
          r = try ArxivAtomReader().read(bytes, options: ReadOptions(source: feed, strict: strict, asOf: asOf, arxivDate: arxivDate))
        } catch {
          emit(error.diagnostic)
          return ExitStatus.dataError
        }
        for d in r.diagnostics { emit(d) }
        if r.diagnostics.contains(where: { $0.severity == .error }) { return ExitStatus.dataError }
        records += r.papers
      }
      let (enriched, outcomes) = Enrichment.enrich(papers, with: Deduplication.run(records).papers)
      papers = enriched
      if !quiet {
        let count = { (s: Enrichment.Outcome.Status) in outcomes.filter { $0.status == s }.count }
        io.writeStandardError(
          "bibkit: enrich: \(count(.matched)) matched, \(count(.ambiguous)) ambiguous, \(count(.unmatched)) unmatched (\(records.count) arXiv records)")
        for o in outcomes { io.writeStandardError("  " + o.description) }
      }
    }

    if checkOnly {
      if keepUntilExit { KeptUntilExit.values.append(papers) }
      return checked(papers.count)
    }
    var options = writeOptions
    options.preambles = preambles
    warnDroppedPreambles(preambles)
    let written = writer.write(papers, options: options)
    for d in written.diagnostics { emit(d) }

    let target = output ?? "-"
    if target == "-" {
      do { for part in written.parts where !part.isEmpty { try io.writeStandardOutput(part) } } catch {
        return fail(ExitStatus.ioError, "<stdout>", "cannot write: \(error)")
      }
    } else {
      do { try FileIO.replaceAtomically(path: target, with: written.parts) } catch {
        let f = Self.failure(error, target)
        return fail(f.status, f.at, f.message)
      }
    }
    summary(
      read: papers.count, from: Set(formatsRead).sorted().joined(separator: "+"), inputs: sources.count,
      written: written.count, target: target)
    if keepUntilExit { KeptUntilExit.values += [papers, written] }
    return ExitStatus.success
  }

  /// Whether a message of this severity is printed: errors always, the rest unless quiet.
  static func prints(_ severity: Severity, quiet: Bool) -> Bool { !quiet || severity == .error }

  static func failure(_ error: FileIO.ReplaceError, _ target: String) -> (status: Int32, at: String, message: String) {
    switch error {
    case .cannotCreate(let why): return (ExitStatus.cannotCreate, target, "cannot create: \(why)")
    case .writeFailed(let why): return (ExitStatus.ioError, target, "cannot write: \(why)")
    }
  }

  /// NUL bytes in the first 8 KiB mean binary data (no bibliography format has them).
  static func isBinary(_ b: [UInt8]) -> Bool {
    b.prefix(8192).contains(0)
  }
}

/// What a command run keeps until the process exits (see ``Conversion/keepUntilExit``).
enum KeptUntilExit {
  nonisolated(unsafe) static var values: [Any] = []
}

/// Messages held back until the ones before them are out (a batched conversion's writer
/// messages wait for the reader's), in little memory: each is counted as it comes and kept,
/// as the text it prints, only if it will be printed (``Conversion/prints(_:quiet:)``).
/// Converting 50 MB of BibTeX to RIS gives about 31,000 warnings.
struct HeldMessages {
  let quiet: Bool
  private(set) var counts: [Severity: Int] = [:]
  private var text: [UInt8] = []
  private var ends: [Int] = []

  init(quiet: Bool) { self.quiet = quiet }

  mutating func add(_ diagnostics: [Diagnostic]) {
    for d in diagnostics {
      counts[d.severity, default: 0] += 1
      guard Conversion.prints(d.severity, quiet: quiet) else { continue }
      text.append(contentsOf: d.description.utf8)
      ends.append(text.count)
    }
  }

  /// The kept texts, in the order they came.
  func forEachText(_ body: (String) -> Void) {
    var start = 0
    for end in ends {
      body(String(decoding: text[start..<end], as: UTF8.self))
      start = end
    }
  }
}
