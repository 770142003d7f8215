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
  /// Each result is made in its place in the array, so none is copied on the way.
  static func map<R>(
    _ count: Int, threshold: Int = 256, _ transform: @Sendable (Int, inout [Diagnostic]) -> R
  ) -> ([R], [Diagnostic]) {
    var diagnostics: [Diagnostic] = []
    let results = [R](unsafeUninitializedCapacity: count) { buffer, initialized in
      nonisolated(unsafe) let out = buffer
      let found = chunks(count, threshold: threshold) { range -> [Diagnostic] in
        var d: [Diagnostic] = []
        for i in range { (out.baseAddress! + i).initialize(to: transform(i, &d)) }
        return d
      }
      initialized = count
      for d in found { diagnostics += d }
    }
    return (results, diagnostics)
  }

  /// ``map(_:threshold:_:)`` keeping the results that are not nil, in index order; each is
  /// moved, not copied, into the array returned.
  static func compactMap<R>(
    _ count: Int, threshold: Int = 256, _ transform: @Sendable (Int, inout [Diagnostic]) -> R?
  ) -> ([R], [Diagnostic]) {
    let slots = UnsafeMutableBufferPointer<R?>.allocate(capacity: count)
    defer { slots.deallocate() }
    nonisolated(unsafe) let out = slots
    let found = chunks(count, threshold: threshold) { range -> [Diagnostic] in
      var d: [Diagnostic] = []
      for i in range { (out.baseAddress! + i).initialize(to: transform(i, &d)) }
      return d
    }
    var results: [R] = []
    results.reserveCapacity(count)
    for i in 0..<count {
      if let r = (slots.baseAddress! + i).move() { results.append(r) }
    }
    var diagnostics: [Diagnostic] = []
    for d in found { diagnostics += d }
    return (results, diagnostics)
  }
}

extension Parallel {
  /// ``chunks(_:threshold:_:)`` over the papers, each handed to `work` in place.
  ///
  /// An element read from an array (`papers[i]`) is a copy: for a ``Paper`` that is a
  /// retain and a release of each of its thirty-odd strings and arrays. Writers take the
  /// paper `inout` from here instead, which passes its address; they never change it.
  static func chunks<T>(
    of papers: [Paper], _ work: @Sendable (Range<Int>, UnsafeMutableBufferPointer<Paper>) -> T
  ) -> [T] {
    papers.withUnsafeBufferPointer { all in
      nonisolated(unsafe) let all = UnsafeMutableBufferPointer(mutating: all)
      return chunks(all.count) { range in work(range, all) }
    }
  }
}
