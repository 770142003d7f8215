import Dispatch

/// Work split across the cores: for records that are independent of each other, such as
/// entries once macros and inheritance are resolved, or papers once keys are assigned.
enum Parallel {
  /// Calls `work` on consecutive ranges that cover `0..<count`, one range per core (at most
  /// eight) when `count` reaches `threshold`, else once for the whole range. The results
  /// come back in range order, so joining them keeps the input order.
  static func chunks<T>(
    _ count: Int, threshold: Int = 2048, _ work: @Sendable (Range<Int>) -> T
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
