/// Settings shared by all readers.
public struct ReadOptions: Sendable {
  /// The name printed in diagnostics (a path, or `<stdin>`).
  public var source: String?
  /// Turn the first error into a thrown ``BibError``.
  public var strict: Bool
  /// The reference date for dates printed without a year (a profile's "May 27").
  public var asOf: PartialDate
  /// arXiv feeds: which date becomes the paper's date, the first version's (default) or
  /// this version's.
  public var arxivDate: ArxivDateChoice
  /// RIS and CSL-JSON: give papers without a key (or whose key an earlier paper has) the key
  /// a writer would give them (``CitationKeys/fillMissing(_:)``), so that reading what was
  /// written gives the same papers. A caller that joins several inputs into one bibliography
  /// turns this off, so that keys are generated once for the whole and avoid the keys of
  /// every input.
  public var fillsMissingKeys = true

  public init(
    source: String? = nil, strict: Bool = false, asOf: PartialDate,
    arxivDate: ArxivDateChoice = .published
  ) {
    self.source = source
    self.strict = strict
    self.asOf = asOf
    self.arxivDate = arxivDate
  }
}

/// Which arXiv date dates a paper: `published` (the first version) or `updated` (this one).
public enum ArxivDateChoice: String, Sendable, CaseIterable {
  case published, updated
}

/// What a reader found besides the papers: for a profile, its owner and metrics.
public struct SourceMetadata: Hashable, Sendable, Codable {
  public var owner: String?
  /// The owner's primary category as printed (`LG`) and as an arXiv category (`cs.LG`).
  public var primaryCategoryCode: String?
  public var primaryCategory: String?
  /// The number of papers the source says it has ("158 Papers").
  public var declaredPaperCount: Int?
  /// Other figures in source order, as label and printed value (`h-index`, `66`).
  public var metrics: [Metric]
  /// BibTeX `@preamble` values, in order, so they can be written back.
  public var preambles: [String] = []

  public init(
    owner: String? = nil, primaryCategoryCode: String? = nil, primaryCategory: String? = nil,
    declaredPaperCount: Int? = nil, metrics: [Metric] = []
  ) {
    self.owner = owner
    self.primaryCategoryCode = primaryCategoryCode
    self.primaryCategory = primaryCategory
    self.declaredPaperCount = declaredPaperCount
    self.metrics = metrics
  }

  public struct Metric: Hashable, Sendable, Codable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
      self.name = name
      self.value = value
    }
  }

  /// The value of a metric by name, as an integer when it is one ("31,675" → 31675).
  public func integer(_ name: String) -> Int? {
    guard let m = metrics.first(where: { $0.name == name }) else { return nil }
    return Int(m.value.filter { $0 != "," && $0 != "%" })
  }
}

/// The papers, diagnostics and metadata a reader returns.
public struct ReadResult: Sendable {
  public var papers: [Paper]
  public var diagnostics: [Diagnostic]
  public var metadata: SourceMetadata?

  public init(papers: [Paper], diagnostics: [Diagnostic] = [], metadata: SourceMetadata? = nil) {
    self.papers = papers
    self.diagnostics = diagnostics
    self.metadata = metadata
  }
}

/// Reads one format into papers. Readers work on bytes and are lenient by default.
public protocol BibliographyReader: Sendable {
  func read(_ input: [UInt8], options: ReadOptions) throws(BibError) -> ReadResult
  /// The papers of `input` a batch at a time, or nil when this input has to be read whole
  /// (then ``read(_:options:)`` reads it).
  func batches(_ input: [UInt8], options: ReadOptions) -> (any PaperBatches)?
}

extension BibliographyReader {
  public func batches(_ input: [UInt8], options: ReadOptions) -> (any PaperBatches)? { nil }
}

/// A reader's papers handed over a batch at a time, so that a large input can be converted
/// without holding every paper. The batches, joined, are the papers ``BibliographyReader/read(_:options:)``
/// gives; every paper has its citation key, so the keys a writer gives each batch are the
/// ones it would give the whole.
public protocol PaperBatches {
  /// The next papers in input order (possibly none), or nil after the last batch.
  mutating func next() -> [Paper]?
  /// The source's metadata: complete from the first batch on.
  var metadata: SourceMetadata? { get }
  /// Every diagnostic of the read, in the order `read` gives them: complete once ``next()``
  /// has returned nil.
  var diagnostics: [Diagnostic] { get }
}

/// Settings shared by all writers.
public struct WriteOptions: Sendable {
  /// BibTeX: write non-ASCII letters as LaTeX escapes (é → `{\'e}`).
  public var asciiOnly: Bool
  /// RIS: the `TY` for preprints, `UNPB` (the spec's) or `GEN` (what Zotero writes).
  public var risPreprintType: String
  /// BibTeX: `@preamble` values to write before the entries.
  public var preambles: [String] = []
  /// BibTeX: classic BibTeX (biblatex-only types and fields mapped, with warnings) or
  /// BibLaTeX (written as read).
  public var bibtexDialect: BibTeXDialect = .bibtex

  public init(asciiOnly: Bool = false, risPreprintType: String = "UNPB") {
    self.asciiOnly = asciiOnly
    self.risPreprintType = risPreprintType
  }
}

/// The two languages of .bib files.
public enum BibTeXDialect: String, Sendable {
  /// Classic BibTeX 0.99: biblatex types and fields are mapped to BibTeX's (research §5.6).
  case bibtex
  /// BibLaTeX: types and fields are written as they were read; full dates as `date`.
  case biblatex
}

/// The bytes a writer produced and what it could not carry.
public struct WriteResult: Sendable {
  /// The output in pieces, to be written one after another: a writer that works on every
  /// core gives one piece per core, so large outputs are never copied into one array.
  public var parts: [[UInt8]]
  public var diagnostics: [Diagnostic]
  public var count: Int

  /// The whole output (the parts joined).
  public var bytes: [UInt8] {
    get { parts.count == 1 ? parts[0] : Array(parts.joined()) }
    set { parts = [newValue] }
  }

  public init(bytes: [UInt8], diagnostics: [Diagnostic] = [], count: Int) {
    self.init(parts: [bytes], diagnostics: diagnostics, count: count)
  }

  public init(parts: [[UInt8]], diagnostics: [Diagnostic] = [], count: Int) {
    self.parts = parts
    self.diagnostics = diagnostics
    self.count = count
  }
}

extension WriteResult {
  /// `a`'s output followed by `b`'s, with both their diagnostics and counts.
  static func joined(_ a: WriteResult, _ b: WriteResult) -> WriteResult {
    WriteResult(parts: a.parts + b.parts, diagnostics: a.diagnostics + b.diagnostics, count: a.count + b.count)
  }
}

/// Writes papers in one format. Writers are deterministic: the same papers give the same bytes.
public protocol BibliographyWriter: Sendable {
  func write(_ papers: [Paper], options: WriteOptions) -> WriteResult
  /// A writer that takes the papers a batch at a time, or nil when this format is written
  /// all at once.
  func batchWriter(options: WriteOptions) -> (any BatchWriter)?
}

extension BibliographyWriter {
  public func batchWriter(options: WriteOptions) -> (any BatchWriter)? { nil }
}

/// Writes papers a batch at a time, so a large input can be written while it is read,
/// without holding every paper. The parts of every batch and then of ``finish()``, joined,
/// are the bytes ``BibliographyWriter/write(_:options:)`` gives for all the papers at once,
/// and their diagnostics, in that order, are its diagnostics (each writer's `write` is one
/// batch and the finish).
public protocol BatchWriter {
  /// The output for the next papers; `keys[i]` is the citation key of `papers[i]`, given
  /// out as ``CitationKeys/assign(_:)`` would for the whole bibliography.
  mutating func write(_ papers: [Paper], keys: [String]) -> WriteResult
  /// What ends the output, and the warnings that sum up the whole run.
  mutating func finish() -> WriteResult
}
