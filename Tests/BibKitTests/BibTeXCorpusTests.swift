import CustomDump
import Foundation
import Testing

@testable import BibKit

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
