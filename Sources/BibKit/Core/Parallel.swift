import Dispatch

/// Work split across the cores: for records that are independent of each other, such as
/// entries once macros and inheritance are resolved, or papers once keys are assigned.
enum Parallel {
  /// Calls `work` on consecutive ranges that cover `0..<count`, one range per core (at most
  /// eight) when `count` reaches `threshold`, else once for the whole range. The results
  /// come back in range order, so joining them keeps the input order.
  static func chunks<T>(
    _ count: Int, threshold: Int = 256, _ work: @Sendable (Range<Int>) -> T
  ) -> [T] {
    let n = count < threshold ? 1 : min(8, ProcessInfo.activeCores)
    if n == 1 { return [work(0..<count)] }
    var results = [T?](repeating: nil, count: n)
    results.withUnsafeMutableBufferPointer { buffer in
      nonisolated(unsafe) let out = buffer
      DispatchQueue.concurrentPerform(iterations: n) { k in
        out[k] = work((k * count / n)..<((k + 1) * count / n))
      }
    }
    return results.map { $0! }
  }
}

extension Parallel {
  /// `transform(i, &diagnostics)` for every `i` in `0..<count`, on every core for large
  /// counts. Results and diagnostics come back in index order, as a loop would give them.
  static func map<R>(
    _ count: Int, threshold: Int = 256, _ transform: @Sendable (Int, inout [Diagnostic]) -> R
  ) -> ([R], [Diagnostic]) {
    let parts = chunks(count, threshold: threshold) { range -> ([R], [Diagnostic]) in
      var found: [Diagnostic] = []
      var out: [R] = []
      out.reserveCapacity(range.count)
      for i in range { out.append(transform(i, &found)) }
      return (out, found)
    }
    if parts.count == 1 { return parts[0] }
    var results: [R] = []
    results.reserveCapacity(count)
    var diagnostics: [Diagnostic] = []
    for (r, d) in parts {
      results += r
      diagnostics += d
    }
    return (results, diagnostics)
  }
}
