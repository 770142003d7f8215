/// Bytes written by the writers: an append-only buffer that one owner fills and then hands
/// over as an array.
///
/// An `[UInt8]` checks that its storage is unique on every append, and appending a buffer
/// goes through the generic sequence path: about twenty instructions for one byte and a
/// hundred for a short run. This buffer cannot be copied, so it needs neither check.
struct ByteBuffer: ~Copyable {
  private var base: UnsafeMutablePointer<UInt8>
  private(set) var count = 0
  private var capacity: Int

  init(capacity: Int = 256) {
    self.capacity = Swift.max(capacity, 16)
    base = .allocate(capacity: self.capacity)
  }

  deinit { base.deallocate() }

  var isEmpty: Bool { count == 0 }

  var last: UInt8? { count == 0 ? nil : base[count - 1] }

  /// Room for `n` more bytes, growing by doubling.
  @inline(__always) mutating func reserve(_ n: Int) {
    if capacity - count < n { grow(to: count + n) }
  }

  private mutating func grow(to needed: Int) {
    var c = capacity
    while c < needed { c *= 2 }
    let b = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
    b.update(from: base, count: count)
    base.deallocate()
    base = b
    capacity = c
  }

  @inline(__always) mutating func append(_ c: UInt8) {
    if count == capacity { grow(to: count + 1) }
    base[count] = c
    count += 1
  }

  @inline(__always) mutating func append(_ src: UnsafeBufferPointer<UInt8>) {
    let n = src.count
    guard n > 0 else { return }
    reserve(n)
    let to = base + count
    if n <= 16 {
      // Short runs (most of them) are cheaper copied here than through a call.
      for k in 0..<n { to[k] = src[k] }
    } else {
      to.update(from: src.baseAddress!, count: n)
    }
    count += n
  }

  mutating func append<S: Sequence>(contentsOf s: S) where S.Element == UInt8 {
    if let done: Void = s.withContiguousStorageIfAvailable({ append($0) }) { return done }
    for c in s { append(c) }
  }

  /// A string's UTF-8, copied from its storage.
  mutating func appendUTF8(_ s: String) {
    var s = s
    s.withUTF8 { append($0) }
  }

  mutating func appendStatic(_ s: StaticString) {
    s.withUTF8Buffer { append($0) }
  }

  mutating func removeLast() {
    precondition(count > 0, "removeLast on an empty ByteBuffer")
    count -= 1
  }

  func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    try body(UnsafeBufferPointer(start: base, count: count))
  }

  /// Whether the bytes from `start` on end with a backslash that escapes nothing (an odd
  /// number of them).
  func endsWithLoneBackslash(from start: Int) -> Bool {
    BibTeXParser.endsWithLoneBackslash(UnsafeBufferPointer(start: base + start, count: count - start))
  }

  /// The bytes written, as an array (a copy: an array cannot take over this storage).
  var array: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

  /// The bytes written, as a string (repairing invalid UTF-8).
  consuming func string() -> String {
    String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self)
  }
}
