import CustomDump
import Foundation
import Testing

@_spi(Fuzzing) @testable import BibKit

/// The real .bib files in ../shared/corpora/bibtex, read in place; skipped when absent.
@Suite struct BibTeXCorpusTests {
  static let root = Fixtures.root.appendingPathComponent("../shared/corpora/bibtex").standardizedFileURL
  static var available: Bool { FileManager.default.fileExists(atPath: root.path) }

  static func files() -> [String] {
    guard available, let e = FileManager.default.enumerator(atPath: root.path) else { return [] }
    return e.compactMap { $0 as? String }.filter { $0.hasSuffix(".bib") }.sorted()
  }

  static func read(_ bytes: [UInt8], _ source: String) throws -> ReadResult {
    try BibTeXReader().read(bytes, options: ReadOptions(source: source, asOf: Fixtures.asOf))
  }

  static func write(_ r: ReadResult) -> [UInt8] {
    var options = WriteOptions()
    options.bibtexDialect = .biblatex
    options.preambles = r.metadata?.preambles ?? []
    return BibTeXWriter().write(r.papers, options: options).bytes
  }

  /// Every file reads without a crash; writing what was read and reading it again gives the
  /// same papers; a second write is byte-identical to the first.
  @Test(.enabled(if: available))
  func corpusReadsAndRoundTrips() throws {
    var entries = 0
    var warnings = 0
    var errors = 0
    var roundTripFailures: [String] = []
    var idempotenceFailures: [String] = []
    let files = Self.files()
    for file in files {
      let bytes = Array(try Data(contentsOf: Self.root.appendingPathComponent(file)))
      let first = try Self.read(bytes, file)
      entries += first.papers.count
      warnings += first.diagnostics.filter { $0.severity == .warning }.count
      errors += first.diagnostics.filter { $0.severity == .error }.count
      let out1 = Self.write(first)
      let second = try Self.read(out1, file + " (written)")
      if second.papers != first.papers {
        let bad = zip(first.papers, second.papers).first { $0 != $1 }
        if ProcessInfo.processInfo.environment["BIBKIT_DEBUG"] != nil {
          for (a, b) in zip(first.papers, second.papers) where a != b {
            print("DIFF \(file) \(a.citationKey ?? "")\n" + (diff(a, b) ?? "").split(separator: "\n").filter { $0.hasPrefix("-") || $0.hasPrefix("+") }.prefix(6).joined(separator: "\n"))
          }
        }
        if false, let bad, let d = diff(bad.0, bad.1) {
          print("DIFF \(file)\n" + d.split(separator: "\n").filter { $0.hasPrefix("-") || $0.hasPrefix("+") || $0.contains("- ") || $0.contains("+ ") }.prefix(12).joined(separator: "\n"))
        }
        roundTripFailures.append("\(file): \(bad.map { "\($0.0.citationKey ?? "?")" } ?? "count \(first.papers.count) vs \(second.papers.count)")")
      }
      if Self.write(second) != out1 { idempotenceFailures.append(file) }
    }
    print("bibtex corpus: \(files.count) files, \(entries) entries, \(warnings) warnings, \(errors) errors; round-trip failures \(roundTripFailures.count), idempotence failures \(idempotenceFailures.count)")
    for f in roundTripFailures.prefix(30) { print("  round trip: \(f)") }
    for f in idempotenceFailures.prefix(30) { print("  second write differs: \(f)") }
    #expect(files.count > 1000)
    #expect(roundTripFailures.isEmpty)
    #expect(idempotenceFailures.isEmpty)
  }
}

/// Names over the whole corpus against real BibTeX's format.name$ (run through the oracle
/// script `../shared/oracles/bin/bibtex-names.sh`); skipped when bibtex or the corpus is absent.
@Suite struct BibTeXNamesOracleTests {
  static let script = Fixtures.root.appendingPathComponent("../shared/oracles/bin/bibtex-names.sh").standardizedFileURL
  static var available: Bool {
    BibTeXCorpusTests.available && FileManager.default.fileExists(atPath: script.path)
      && (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
        FileManager.default.isExecutableFile(atPath: "\($0)/bibtex")
      }
  }

  static func bibtexNames(_ file: URL) throws -> [String: String] {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/bash")
    p.arguments = [script.path, "--spaces", file.path]
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    var names: [String: String] = [:]
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
      let cols = line.split(separator: "\t", omittingEmptySubsequences: false)
      guard cols.count == 4 else { continue }
      names["\(cols[0].lowercased())\t\(cols[1])\t\(cols[2])"] = normalize(String(cols[3]))
    }
    return names
  }

  /// Ties (`~` not after a backslash) as spaces, as `bibtex-names.sh --spaces` prints them.
  static func untie(_ s: String) -> String {
    var out = ""
    var prev: Character = " "
    for ch in s {
      out.append(ch == "~" && prev != "\\" ? " " : ch)
      prev = ch
    }
    return out
  }

  static func normalize(_ s: String) -> String {
    s.split(separator: "|", omittingEmptySubsequences: false)
      .map { $0.split(whereSeparator: { $0 == " " }).joined(separator: " ") }.joined(separator: "|")
  }

  @Test(.enabled(if: available))
  func namesAgreeWithBibTeX() throws {
    var total = 0
    var agree = 0
    var samples: [String] = []
    for file in BibTeXCorpusTests.files() {
      let url = BibTeXCorpusTests.root.appendingPathComponent(file)
      let theirs = try Self.bibtexNames(url)
      guard !theirs.isEmpty else { continue }
      var bytes = Array(try Data(contentsOf: url))
      if !String.isValidUTF8(bytes) { bytes = Windows1252.toUTF8(bytes) }
      var parser = BibTeXParser(bytes: bytes, source: file)
      parser.parse()
      let byKey = Dictionary(parser.entries.map { ($0.key.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
      // bibtex's output is matched by key: entries whose key repeats cannot be matched.
      let keyCounts = Dictionary(parser.entries.map { ($0.key.lowercased(), 1) }, uniquingKeysWith: +)
      var diagnostics: [Diagnostic] = []
      for raw in parser.entries where keyCounts[raw.key.lowercased()] == 1 {
        let e = Inheritance.resolve(raw, byKey: byKey, source: file, diagnostics: &diagnostics)
        for role in ["author", "editor"] {
          guard let f = e.field(role) else { continue }
          for (n, name) in BibTeXNames.splitList(f.value).enumerated() {
            guard let expected = theirs["\(e.key.lowercased())\t\(role)\t\(n + 1)"] else { continue }
            let p = BibTeXNames.split(name)
            let ours = Self.normalize(Self.untie([p.first, p.von, p.last, p.jr].joined(separator: "|")))
            total += 1
            if ours == expected {
              agree += 1
            } else if samples.count < 40 {
              samples.append("\(file) \(e.key): \(name) → ours \(ours), bibtex \(expected)")
            }
          }
        }
      }
    }
    let share = total == 0 ? 0 : Double(agree) / Double(total)
    print("bibtex names: \(total) names, \(agree) agree (\(String(format: "%.2f", share * 100))%)")
    for s in samples { print("  differs: \(s)") }
    #expect(total > 5000)
    #expect(share >= 0.995)
  }
}

/// Reproduces a fuzzer finding: BIBKIT_REPRO=path swift test --filter ReproTests
@Suite struct ReproTests {
  static var path: String? { ProcessInfo.processInfo.environment["BIBKIT_REPRO"] }

  @Test(.enabled(if: path != nil))
  func repro() throws {
    let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Self.path!)))
    let format = FormatID(ProcessInfo.processInfo.environment["BIBKIT_REPRO_FORMAT"] ?? "bibtex")
    let d = FormatRegistry.standard.format(format)!
    let options = ReadOptions(asOf: Fixtures.asOf)
    let first = format == .bibtex ? try BibTeXCorpusTests.read(bytes, "repro") : try d.reader!.read(bytes, options: options)
    let out = format == .bibtex ? BibTeXCorpusTests.write(first) : d.writer!.write(first.papers, options: WriteOptions()).bytes
    let second = try d.reader!.read(out, options: options)
    print(String(decoding: out, as: UTF8.self).prefix(3000))
    for (a, b) in zip(first.papers, second.papers) where a != b { print(diff(a, b) ?? "") }
    #expect(first.papers == second.papers)
    // The fuzzers' further properties: reading in chunks or in batches agrees with one read.
    switch format {
    case .bibtex:
      #expect(FuzzChecks.bibtexChunksAgree(bytes))
      #expect(FuzzChecks.bibtexBatchesAgree(bytes))
    case .ris: #expect(FuzzChecks.risBatchesAgree(bytes))
    case .cslJSON: #expect(FuzzChecks.cslJSONBatchesAgree(bytes))
    default: break
    }
  }
}
