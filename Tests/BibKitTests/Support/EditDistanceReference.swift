/// The edit distance by the table, one row at a time, as titles were first compared: the
/// reference the bit-vector ``Matcher/editDistance(pattern:text:)`` must agree with.
enum EditDistanceReference {
  static func distance(_ x: [UInt8], _ y: [UInt8]) -> Int {
    var prev = Array(0...y.count)
    var cur = [Int](repeating: 0, count: y.count + 1)
    for i in stride(from: 1, through: x.count, by: 1) {
      cur[0] = i
      for j in stride(from: 1, through: y.count, by: 1) {
        cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
      }
      swap(&prev, &cur)
    }
    return prev[y.count]
  }
}
