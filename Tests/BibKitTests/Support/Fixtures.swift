import Foundation
import BibKit

/// Paths to the package's test material, found from this file's location.
enum Fixtures {
  static let root: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }  // Support, BibKitTests, Tests, (file)
    return url
  }()

  static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

  static func bytes(_ relative: String) throws -> [UInt8] {
    Array(try Data(contentsOf: url(relative)))
  }

  static func text(_ relative: String) throws -> String {
    String(decoding: try bytes(relative), as: UTF8.self)
  }

  /// The reference date the issue fixes for the seed: 2026-11-28.
  static let asOf = PartialDate(year: 2026, month: 11, day: 28)

  static func readProfile(_ relative: String, asOf: PartialDate = asOf) throws -> ReadResult {
    try ProfileReader().read(try bytes(relative), options: ReadOptions(source: relative, asOf: asOf))
  }

  static func decodePapers(_ relative: String) throws -> [Paper] {
    try JSONDecoder().decode([Paper].self, from: Data(contentsOf: url(relative)))
  }

  /// The stable JSON form of papers used by `*.papers.json`.
  static func encodePapers(_ papers: [Paper]) throws -> Data {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try e.encode(papers)
  }

  /// Writes a golden file when BIBKIT_RECORD=1; the result must then be reviewed by hand.
  static func recordIfAsked(_ relative: String, _ data: Data) throws {
    if ProcessInfo.processInfo.environment["BIBKIT_RECORD"] == "1" {
      try data.write(to: url(relative))
    }
  }
}
