import Foundation
import Testing

@testable import BibKit

/// The bad-input battery in Fixtures/invalid/<format>/: each input has a sidecar `.expect`
/// with the expected error code and `line:col`.
@Suite struct InvalidInputTests {
  static func cases() -> [String] {
    let root = Fixtures.url("Fixtures/invalid")
    let formats = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
    return formats.sorted().flatMap { f in
      ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(f).path)) ?? [])
        .filter { !$0.hasSuffix(".expect") }.sorted().map { "\(f)/\($0)" }
    }
  }

  @Test(arguments: cases())
  func battery(path: String) throws {
    let format = FormatID(String(path.split(separator: "/")[0]))
    let reader = try #require(FormatRegistry.standard.format(format)?.reader)
    let base = path.split(separator: ".").dropLast().joined(separator: ".")
    let expect = try Fixtures.text("Fixtures/invalid/\(base).expect").split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    let r = try reader.read(try Fixtures.bytes("Fixtures/invalid/\(path)"), options: ReadOptions(source: path, asOf: Fixtures.asOf))
    let e = try #require(r.diagnostics.first { $0.severity == .error })
    #expect(e.code.rawValue == expect[0])
    #expect("\(e.location?.line ?? 0):\(e.location?.column ?? 0)" == expect[1])
    // Strict mode throws that error.
    #expect(throws: BibError.self) {
      try reader.read(try Fixtures.bytes("Fixtures/invalid/\(path)"), options: ReadOptions(strict: true, asOf: Fixtures.asOf))
    }
  }
}

/// Limits: each is a clear error at its place, never a crash.
@Suite struct LimitTests {
  func bibtex(_ s: [UInt8]) throws -> ReadResult {
    try BibTeXReader().read(s, options: ReadOptions(source: "t.bib", asOf: Fixtures.asOf))
  }

  @Test func hundredThousandNestedBraces() throws {
    let s = Array("@misc{k, title = ".utf8) + [UInt8](repeating: UInt8(ascii: "{"), count: 100_000)
      + Array("x".utf8) + [UInt8](repeating: UInt8(ascii: "}"), count: 100_000) + Array("}\n@misc{ok, title={T}}\n".utf8)
    let r = try bibtex(s)
    let e = try #require(r.diagnostics.first)
    #expect(e.message == "braces nested deeper than 256 levels")
    #expect(e.location?.line == 1)
    #expect(e.location?.column == 18 + 257)  // the value's own brace, then 257 nested ones
    #expect(r.papers.map(\.citationKey) == ["ok"])
  }

  @Test func hundredThousandNestedArrays() throws {
    let s = [UInt8](repeating: UInt8(ascii: "["), count: 100_000) + [UInt8](repeating: UInt8(ascii: "]"), count: 100_000)
    let r = try CSLJSONReader().read(s, options: ReadOptions(asOf: Fixtures.asOf))
    let e = try #require(r.diagnostics.first)
    #expect(e.message == "JSON nested deeper than 256 levels")
    #expect(e.location?.column == 257)
  }

  @Test func twoHundredMegabyteField() throws {
    var s = Array("@misc{big,\n  abstract = {".utf8)
    s.reserveCapacity(201 << 20)
    s += [UInt8](repeating: UInt8(ascii: "a"), count: 200 << 20)
    s += Array("},\n}\n@misc{ok, title = {T}}\n".utf8)
    let r = try bibtex(s)
    let e = try #require(r.diagnostics.first)
    #expect(e.message == "a value longer than 64 MiB (it begins on line 2)")
    #expect(e.location?.line == 2)
    #expect(r.papers.map(\.citationKey) == ["ok"])
  }

  @Test func fileOfOnlyAtSigns() throws {
    let r = try bibtex(Array("@@@@\n@".utf8))
    #expect(r.papers.isEmpty)
    #expect(r.diagnostics.first?.severity == .error)
  }

  @Test func overlongLine() throws {
    let s = Array("TY  - JOUR\nAB  - ".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 17 << 20) + Array("\nER  - \n".utf8)
    let r = try RISReader().read(s, options: ReadOptions(source: "t.ris", asOf: Fixtures.asOf))
    #expect(r.diagnostics.first?.code == "ris.line-length")
    #expect(r.diagnostics.first?.location?.line == 2)
  }
}
