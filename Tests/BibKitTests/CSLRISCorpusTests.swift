import CustomDump
import Foundation
import Testing

@testable import BibKit

/// The real CSL-JSON and RIS files in ../shared/corpora, read in place; skipped when absent.
@Suite struct CSLRISCorpusTests {
  static let corpora = Fixtures.root.appendingPathComponent("../shared/corpora").standardizedFileURL

  static func files(_ folder: String, _ ext: String) -> [String] {
    let root = corpora.appendingPathComponent(folder)
    guard let e = FileManager.default.enumerator(atPath: root.path) else { return [] }
    return e.compactMap { $0 as? String }.filter { $0.hasSuffix("." + ext) }.sorted().map { folder + "/" + $0 }
  }

  static var available: Bool { FileManager.default.fileExists(atPath: corpora.appendingPathComponent("ris").path) }

  /// Reads every file, writes what was read in the same format, reads that again: the
  /// papers must be equal; a second write must be byte-identical to the first.
  func roundTrip(_ format: FormatID, _ files: [String]) throws {
    let d = FormatRegistry.standard.format(format)!
    var papers = 0
    var warnings = 0
    var errors = 0
    var failures: [String] = []
    for file in files {
      let bytes = Array(try Data(contentsOf: Self.corpora.appendingPathComponent(file)))
      let first = try d.reader!.read(bytes, options: ReadOptions(source: file, asOf: Fixtures.asOf))
      papers += first.papers.count
      warnings += first.diagnostics.filter { $0.severity == .warning }.count
      errors += first.diagnostics.filter { $0.severity == .error }.count
      let out1 = d.writer!.write(first.papers, options: WriteOptions()).bytes
      let second = try d.reader!.read(out1, options: ReadOptions(source: file, asOf: Fixtures.asOf))
      if second.papers != first.papers {
        let pair = zip(first.papers, second.papers).first { $0 != $1 }
        let detail = pair.flatMap { diff($0.0, $0.1) }?.split(separator: "\n").filter { $0.hasPrefix("-") || $0.hasPrefix("+") }.prefix(6).joined(separator: " ") ?? "count \(first.papers.count) vs \(second.papers.count)"
        failures.append("\(file): \(detail)")
      } else if d.writer!.write(second.papers, options: WriteOptions()).bytes != out1 {
        failures.append("\(file): second write differs")
      }
    }
    print("\(format) corpus: \(files.count) files, \(papers) papers, \(warnings) warnings, \(errors) errors; round-trip failures \(failures.count)")
    for f in failures.prefix(20) { print("  \(f)") }
    #expect(failures.isEmpty)
  }

  @Test(.enabled(if: available))
  func cslJSONCorpus() throws {
    try roundTrip(.cslJSON, Self.files("csl-json", "json"))
  }

  @Test(.enabled(if: available))
  func risCorpus() throws {
    try roundTrip(.ris, Self.files("ris", "ris"))
  }
}
