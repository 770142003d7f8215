import ArgumentParser
import BibKit
import Foundation
import Testing

@testable import BibKitCLI

/// A large BibTeX input is converted a batch at a time; the run must look exactly like one
/// that reads everything first: the same output bytes, the same messages in the same order,
/// the same exit status, and no output file when the run fails.
@Suite struct BatchedConversionTests {
  final class Counter: @unchecked Sendable {
    var batches = 0
  }

  /// Counts the batches a reader hands over.
  struct CountingBatches: PaperBatches {
    var inner: any PaperBatches
    let counter: Counter
    mutating func next() -> [Paper]? {
      let b = inner.next()
      if b != nil { counter.batches += 1 }
      return b
    }
    var metadata: SourceMetadata? { inner.metadata }
    var diagnostics: [Diagnostic] { inner.diagnostics }
  }

  /// A reader whose batches are counted.
  struct Counting: BibliographyReader {
    let inner: any BibliographyReader
    let counter: Counter
    func read(_ input: [UInt8], options: ReadOptions) throws(BibError) -> ReadResult {
      try inner.read(input, options: options)
    }
    func batches(_ input: [UInt8], options: ReadOptions) -> (any PaperBatches)? {
      inner.batches(input, options: options).map { CountingBatches(inner: $0, counter: counter) }
    }
  }

  /// The standard formats, with BibTeX, RIS and CSL-JSON read in batches of a few hundred
  /// bytes, and arXiv feeds in pieces of a few thousand, whatever the input's size.
  static func registry(_ counter: Counter) -> FormatRegistry {
    var bibtex = BibTeXReader()
    (bibtex.batchThreshold, bibtex.batchChunkBytes) = (0, 300)
    var ris = RISReader()
    (ris.batchThreshold, ris.batchBytes) = (0, 300)
    var csl = CSLJSONReader()
    (csl.batchThreshold, csl.batchBytes) = (0, 300)
    var atom = ArxivAtomReader()
    (atom.batchThreshold, atom.pieceBytes) = (0, 3000)
    let readers: [FormatID: any BibliographyReader] = [.bibtex: bibtex, .ris: ris, .cslJSON: csl, .arxiv: atom]
    return FormatRegistry(
      FormatRegistry.standard.formats.map {
        var f = $0
        if let r = readers[f.id] { f.reader = Counting(inner: r, counter: counter) }
        return f
      })
  }

  struct Run: Equatable {
    var status: Int32
    var stdout: [UInt8]
    var stderr: [String]
  }

  /// Runs `bibkit convert` (or `check`) on `input` both ways; the batched run must have
  /// used more than one batch.
  static func both(_ args: [String], check: Bool = false, file: String) throws -> (whole: Run, batched: Run) {
    let whole = try run(args, check: check, file: file, registry: nil)
    let counter = Counter()
    let batched = try run(args, check: check, file: file, registry: registry(counter))
    #expect(counter.batches > 3, "the run was batched")
    return (whole, batched)
  }

  /// Runs `bibkit convert` (or `check`) on `file`, with the standard formats or `registry`.
  static func run(_ args: [String], check: Bool = false, file: String, registry: FormatRegistry?) throws -> Run {
    var conversion = try ConvertCommand.parse([file] + args + ["--as-of", "2026-11-28"]).conversion()
    conversion.checkOnly = check
    if let registry { conversion.registry = registry }
    let io = BufferIO()
    let status = conversion.run(io: io)
    return Run(status: status, stdout: io.stdout, stderr: io.stderr)
  }

  /// An input with what batches find hard: parents far after their children, preambles,
  /// macros, repeated keys, dates with days, broken entries.
  static let input: String = {
    var text = "@preamble{\"\\newcommand{\\noop}[1]{}\"}\n@string{j = {Journal of Tests}}\n"
    for i in 0..<60 {
      if i == 10 { text += "@preamble{{\\providecommand{\\x}{x}}}\n" }
      switch i % 6 {
      case 0: text += "@inproceedings{c\(i), title = {Part \(i)}, author = {Ann Author and Bo B{\\\"o}rg}, crossref = {proc\(i % 4)}}\n"
      case 1: text += "@article{a\(i), title = {The {LLM} \(i)}, journal = j, date = {2020-03-1\(i % 9)}, doi = {10.1/x\(i)}}\n"
      case 2: text += "@misc{a\(i - 1), title = {Repeated key}}\n"
      case 3: text += "@misc{b\(i), title = {Broken \(i)} note = {missing comma}}\n"
      case 4: text += "@book{k\(i), title = {Book}, editor = {Ed, Ed}, publisher = {P}, year = 1999, month = jan, isbn = {978-3-16-148410-0}}\n"
      default: text += "@unpublished{u\(i), title = {U \(i)}, note = undefinedmacro # { and more}}\n"
      }
    }
    text += (0..<4).map { "@proceedings{proc\($0), title = {Proceedings \($0)}, year = 2001, publisher = {ACM}, address = {Town}}\n" }.joined()
    return text
  }()

  static func inputFile(_ text: String = input) throws -> (URL, String) {
    let dir = try Paths.tempDir()
    let file = dir.appendingPathComponent("big.bib")
    try Data(text.utf8).write(to: file)
    return (dir, file.path)
  }

  @Test(arguments: ["bibtex", "biblatex", "csl-json", "ris"])
  func sameRunAsReadingWhole(to: String) throws {
    let (dir, file) = try Self.inputFile()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (whole, batched) = try Self.both(["--to", to], file: file)
    #expect(whole.status == 0)
    #expect(whole.stdout.count > 5000)
    #expect(whole.stderr.count > 20)
    #expect(batched == whole)
  }

  @Test(arguments: ["bibtex", "ris"])
  func sameQuietRun(to: String) throws {
    let (dir, file) = try Self.inputFile()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (whole, batched) = try Self.both(["--to", to, "-q"], file: file)
    #expect(!whole.stderr.isEmpty)
    #expect(whole.stderr.allSatisfy { $0.contains(": error: ") })
    #expect(batched == whole)
  }

  @Test func heldMessagesCountEverythingAndKeepWhatIsPrinted() {
    let ds = [
      Diagnostic(.warning, "w", "first\nof two lines"), Diagnostic(.error, "e", "broken", at: SourceLocation(file: "f.bib", line: 3, column: 1)),
      Diagnostic(.note, "n", "a note"),
    ]
    for quiet in [false, true] {
      var held = HeldMessages(quiet: quiet)
      held.add(Array(ds.prefix(2)))
      held.add(Array(ds.suffix(1)))
      #expect(held.counts == [.warning: 1, .error: 1, .note: 1])
      var texts: [String] = []
      held.forEachText { texts.append($0) }
      #expect(texts == (quiet ? [ds[1]] : ds).map(\.description))
    }
  }

  @Test(arguments: ["bibtex", "csl-json", "ris"])
  func sameRunFromRIS(to: String) throws {
    // The BibTeX input as RIS (every record has an ID), with a record that lacks its ER.
    let (dir, bib) = try Self.inputFile()
    defer { try? FileManager.default.removeItem(at: dir) }
    let papers = try BibTeXReader().read(Array(Self.input.utf8), options: ReadOptions(source: bib, asOf: PartialDate(year: 2026))).papers
    var ris = RISWriter().write(papers, options: WriteOptions()).bytes
    ris += Array("TY  - JOUR\r\nID  - last\r\nTI  - Unended\r\n".utf8)
    let file = dir.appendingPathComponent("big.ris")
    try Data(ris).write(to: file)
    let (whole, batched) = try Self.both(["--to", to], file: file.path)
    #expect(whole.status == 0)
    #expect(whole.stdout.count > 5000)
    #expect(batched == whole)
  }

  @Test(arguments: ["bibtex", "csl-json", "ris"])
  func sameRunFromCSLJSON(to: String) throws {
    // The BibTeX input as CSL-JSON, with an item that is not an object.
    let (dir, bib) = try Self.inputFile()
    defer { try? FileManager.default.removeItem(at: dir) }
    let papers = try BibTeXReader().read(Array(Self.input.utf8), options: ReadOptions(source: bib, asOf: PartialDate(year: 2026))).papers
    var json = CSLJSONWriter().write(papers, options: WriteOptions()).bytes
    json.removeLast(2)  // "]\n"
    json += Array(",\n  \"not an item\"\n]\n".utf8)
    let file = dir.appendingPathComponent("big.json")
    try Data(json).write(to: file)
    let (whole, batched) = try Self.both(["--to", to], file: file.path)
    #expect(whole.status == 0)
    #expect(whole.stdout.count > 5000)
    #expect(whole.stderr.contains { $0.contains("item 45 is not an object") })
    #expect(batched == whole)
  }

  @Test func sameCheck() throws {
    let (dir, file) = try Self.inputFile()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (whole, batched) = try Self.both(["--to", "bibtex"], check: true, file: file)
    #expect(whole.status == 65)
    // 60 + 4 entries; 10 repeat a key and 10 lack a comma (errors); 10 use an undefined macro.
    #expect(whole.stderr.last == "44 entries, 10 errors, 20 warnings")
    #expect(batched == whole)
  }

  @Test func sameFileOutput() throws {
    let (dir, file) = try Self.inputFile()
    defer { try? FileManager.default.removeItem(at: dir) }
    let a = dir.appendingPathComponent("a.json").path
    let b = dir.appendingPathComponent("b.json").path
    // The whole read writes a.json, the batched one b.json.
    let whole = try Self.run(["--to", "csl-json", "-o", a], file: file, registry: nil)
    let counter = Counter()
    let batched = try Self.run(["--to", "csl-json", "-o", b], file: file, registry: Self.registry(counter))
    #expect(counter.batches > 3)
    #expect(whole.status == 0 && batched.status == 0)
    #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == Data(contentsOf: URL(fileURLWithPath: b)))
    #expect(try Data(contentsOf: URL(fileURLWithPath: a)).count > 5000)
    #expect(whole.stderr.dropLast() == batched.stderr.dropLast())
    #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)) == ["big.bib", "a.json", "b.json"])
  }

  @Test func inputWithOnlyErrorsLeavesThePreviousFile() throws {
    let text = (0..<80).map { "@misc{b\($0) title = {no comma}}\n" }.joined()
    let (dir, file) = try Self.inputFile(text)
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("out.json").path
    #expect(FileManager.default.createFile(atPath: out, contents: Data("old\n".utf8)))
    let (whole, batched) = try Self.both(["--to", "csl-json", "-o", out], file: file)
    #expect(whole.status == 65)
    #expect(batched == whole)
    #expect(try String(contentsOfFile: out, encoding: .utf8) == "old\n")
    #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)) == ["big.bib", "out.json"])
  }

  @Test func outputThatCannotBeCreated() throws {
    let (dir, file) = try Self.inputFile()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (whole, batched) = try Self.both(["--to", "bibtex", "-o", dir.path], file: file)
    #expect(whole.status == 73)
    #expect(whole.stderr.last == "\(dir.path): error: cannot create: not a regular file")
    #expect(whole.stderr.contains { $0.contains("the day of") })
    #expect(batched == whole)
  }

  @Test func writeErrorOnStandardOutput() throws {
    let (dir, file) = try Self.inputFile()
    defer { try? FileManager.default.removeItem(at: dir) }
    let counter = Counter()
    var conversion = try ConvertCommand.parse([file, "--to", "ris"]).conversion()
    conversion.registry = Self.registry(counter)
    let io = BufferIO()
    io.failWrites = true
    #expect(conversion.run(io: io) == 74)
    #expect(io.stderr.last == "<stdout>: error: cannot write: No space left on device")
    #expect(counter.batches > 3)
  }
}
