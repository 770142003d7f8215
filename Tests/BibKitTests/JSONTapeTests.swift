import Foundation
import Testing

@testable import BibKit

/// The tape reads what the `JSONNode` parser that came before it reads (kept as the test
/// reference, Support/JSONReference.swift): the same verdict and error (message, line,
/// column, offset) on every input, and, walked node by node, the same values.
@Suite struct JSONTapeTests {
  /// The tree the tape describes, built from its kinds, `next` links and texts alone (not
  /// by parsing again), so that a wrong link or a wrong text shows.
  static func rebuild(_ t: JSONTape, _ n: Int) -> JSONNode {
    switch t.kind(n) {
    case .object:
      return .object(t.children(n).map { (t.text($0)!, rebuild(t, $0 + 1)) })
    case .array: return .array(t.children(n).map { rebuild(t, $0) })
    case .string, .escapedString: return .string(t.text(n)!)
    case .number: return .number(t.text(n)!)
    case .trueValue: return .bool(true)
    case .falseValue: return .bool(false)
    case .null: return .null
    }
  }

  /// What the reference parser makes of a document, and what the tape makes of it, as text
  /// to compare.
  static func outcomes(_ bytes: [UInt8], maxDepth: Int) -> (parser: String, tape: String) {
    var parser = JSONParser(bytes, maxDepth: maxDepth)
    let expected: String
    do {
      expected = "\(try parser.referenceDocument())"
    } catch {
      expected = "error \(error.message) at \(error.line):\(error.column) (\(error.offset))"
    }
    let got: String
    do {
      let tape = try JSONTape(document: bytes, maxDepth: maxDepth)
      // Every node's subtree ends where the next sibling (or the parent's end) begins.
      #expect(tape.nodes.first?.next == tape.nodes.count)
      got = "\(rebuild(tape, 0))"
    } catch {
      got = "error \(error.message) at \(error.line):\(error.column) (\(error.offset))"
    }
    return (expected, got)
  }

  static var corpusFiles: [String] { CSLRISCorpusTests.files("csl-json", "json") }

  static func corpusBytes(_ file: String) throws -> [UInt8] {
    Array(try Data(contentsOf: CSLRISCorpusTests.corpora.appendingPathComponent(file)))
  }

  @Test func craftedDocuments() {
    let docs = [
      "[1, -2.5e+3, true, false, null, \"s\\n\\u0041\\uD800\\uDC00\\uD800x\", {\"a\": [{}], \"b\": []}]",
      "{\"k\\u0065y\": \"v\", \"\": \"\", \"a\\\"b\": [[[]]], \"n\": 12.}",
      "\u{FEFF}  {\"bom\": 1}  ",
      "\"\\uD800\\u0041\"", "\"\\uD800\\uZZZZ\"", "\"\\uDC00\"", "\"caf\u{E9} \\/\\b\\f\\r\\t\"",
      "[1,]", "{\"a\" 1}", "{\"a\": 1,}", "{1: 2}", "[tru]", "[nul", "\"abc", "\"a\u{1}b\"", "\"\\x\"", "[1] 2",
      "", "   ", "-", "--1", "1e", "[[[[[[[[[[]]]]]]]]]]", "{\"a\": {\"b\": {\"c\": {\"d\": {\"e\": {\"f\": {\"g\": {}}}}}}}}",
    ]
    for doc in docs {
      for depth in [4, 8, 256] {
        let (expected, got) = Self.outcomes(Array(doc.utf8), maxDepth: depth)
        #expect(got == expected, "\(doc) at depth \(depth)")
      }
    }
    // Bytes that are not UTF-8, in a key and in a value.
    let latin1: [UInt8] = Array("{\"k".utf8) + [0xE9] + Array("\": \"caf".utf8) + [0xE9, 0x22, 0x7D]
    let (expected, got) = Self.outcomes(latin1, maxDepth: 256)
    #expect(got == expected)
    // And in strings with escapes, around them and cut through by them.
    let escaped: [UInt8] = Array("[\"\\n".utf8) + [0xE9, 0xC3] + Array("\\u00e9\\t".utf8) + [0xA9, 0xFF] + Array("\\uD83D\\uDE00\\uDE00\"]".utf8)
    let (expectedEscaped, gotEscaped) = Self.outcomes(escaped, maxDepth: 256)
    #expect(gotEscaped == expectedEscaped)
    #expect(!gotEscaped.hasPrefix("error"))
  }

  /// Every prefix and a few hundred one-byte changes of the start of real documents.
  @Test func changedDocuments() throws {
    var docs: [[UInt8]] = [Array("[{\"id\": \"a\\u00e9\", \"author\": [{\"family\": \"X\"}], \"issued\": {\"date-parts\": [[2020, 1]]}}]".utf8)]
    for file in Self.corpusFiles.prefix(8) { docs.append(Array(try Self.corpusBytes(file).prefix(3000))) }
    var rng = XorShift64(state: 0x5DEE_CE66_D1CE_4E5B)
    let alphabet = Array("{}[]\",:\\u0123456789abcdefnrtlse+-. \n\u{1}".utf8)
    var checked = 0
    for base in docs {
      for v in variants(of: base, alphabet: alphabet, rng: &rng) {
        let (expected, got) = Self.outcomes(v, maxDepth: 8)
        #expect(got == expected, "\(String(decoding: v, as: UTF8.self))")
        checked += 1
      }
    }
    #expect(checked > 1000)
  }

  /// Whole corpus files: the same tree, and `node(_:)` of every item gives the item.
  @Test func corpusFiles() throws {
    var compared = 0
    for file in Self.corpusFiles {
      let bytes = try Self.corpusBytes(file)
      let (expected, got) = Self.outcomes(bytes, maxDepth: 256)
      #expect(got == expected, "\(file)")
      var parser = JSONParser(bytes, maxDepth: 256)
      if case .array(let items)? = try? parser.referenceDocument(), let tape = try? JSONTape(document: bytes, maxDepth: 256) {
        #expect(tape.children(0).map(tape.node) == items, "\(file)")
      }
      compared += 1
    }
    if CSLRISCorpusTests.available { #expect(compared > 5) }
  }
}
