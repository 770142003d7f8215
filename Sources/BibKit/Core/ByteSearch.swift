extension StringProtocol {
  /// Whether the UTF-8 bytes of `needle` occur in this string's UTF-8 bytes. A plain byte
  /// search: the standard library's `contains(_:)` for strings builds a searcher each call
  /// and costs a hundred times more on short strings. It compares bytes, not Characters: a
  /// needle followed by a combining mark still matches, which is what the callers (ASCII
  /// words in URLs, ids and names) want.
  func containsBytes(_ needle: String) -> Bool {
    let n = Array(needle.utf8)
    guard let first = n.first else { return true }
    let found = utf8.withContiguousStorageIfAvailable { h in Self.search(h, n, first) }
    if let found { return found }
    return Array(utf8).withUnsafeBufferPointer { Self.search($0, n, first) }
  }

  /// Whether `needle`, lower-case ASCII, occurs in this string with ASCII letters in any
  /// case.
  func containsBytesIgnoringASCIICase(_ needle: String) -> Bool {
    let n = Array(needle.utf8)
    guard !n.isEmpty else { return true }
    func search(_ h: UnsafeBufferPointer<UInt8>) -> Bool {
      guard h.count >= n.count else { return false }
      for i in 0...(h.count - n.count) {
        var k = 0
        while k < n.count, ASCII.isUpper(h[i + k]) ? h[i + k] | 0x20 == n[k] : h[i + k] == n[k] { k += 1 }
        if k == n.count { return true }
      }
      return false
    }
    if let found = utf8.withContiguousStorageIfAvailable(search) { return found }
    return Array(utf8).withUnsafeBufferPointer(search)
  }

  private static func search(_ h: UnsafeBufferPointer<UInt8>, _ n: [UInt8], _ first: UInt8) -> Bool {
    guard h.count >= n.count else { return false }
    var i = 0
    let last = h.count - n.count
    while i <= last {
      if h[i] == first {
        var k = 1
        while k < n.count && h[i + k] == n[k] { k += 1 }
        if k == n.count { return true }
      }
      i += 1
    }
    return false
  }
}
