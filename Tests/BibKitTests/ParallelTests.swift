import Testing

@testable import BibKit

/// `Parallel.map` and `Parallel.compactMap` give what a loop gives: results and diagnostics
/// in index order, on one core (below the threshold) and on several.
@Suite struct ParallelTests {
  /// A loop over `0..<count` with the same transform: the reference.
  static func loop<R>(_ count: Int, _ transform: (Int, inout [Diagnostic]) -> R) -> ([R], [Diagnostic]) {
    var results: [R] = []
    var diagnostics: [Diagnostic] = []
    for i in 0..<count { results.append(transform(i, &diagnostics)) }
    return (results, diagnostics)
  }

  /// A heap-allocated string (longer than 15 bytes) per index, and a warning for every
  /// seventh index, so that order and ownership both show.
  @Sendable static func text(_ i: Int, _ d: inout [Diagnostic]) -> String {
    if i % 7 == 3 { d.append(Diagnostic(.warning, "test.seventh", "index \(i)")) }
    return "item number \(i) of the parallel map"
  }

  @Sendable static func sometimes(_ i: Int, _ d: inout [Diagnostic]) -> String? {
    if i % 5 == 0 { d.append(Diagnostic(.warning, "test.fifth", "index \(i) dropped")) }
    return i % 5 == 0 || i % 11 == 4 ? nil : text(i, &d)
  }

  @Test(arguments: [0, 1, 255, 256, 257, 1_000, 10_007])
  func mapKeepsIndexOrder(count: Int) {
    let (results, diagnostics) = Parallel.map(count, Self.text)
    let (expected, expectedDiagnostics) = Self.loop(count, Self.text)
    #expect(results == expected)
    #expect(diagnostics.map(\.message) == expectedDiagnostics.map(\.message))
    // On several cores too, with a threshold that makes even small counts split.
    let (small, smallDiagnostics) = Parallel.map(count, threshold: 2, Self.text)
    #expect(small == expected)
    #expect(smallDiagnostics.map(\.message) == expectedDiagnostics.map(\.message))
  }

  @Test(arguments: [0, 1, 255, 256, 257, 1_000, 10_007])
  func compactMapKeepsIndexOrderAndDropsNil(count: Int) {
    let (expectedAll, expectedDiagnostics) = Self.loop(count, Self.sometimes)
    let expected = expectedAll.compactMap { $0 }
    for threshold in [256, 2] {
      let (results, diagnostics) = Parallel.compactMap(count, threshold: threshold, Self.sometimes)
      #expect(results == expected)
      #expect(diagnostics.map(\.message) == expectedDiagnostics.map(\.message))
    }
  }
}
