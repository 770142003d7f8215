#if canImport(Glibc)
  import Glibc
#endif

/// A fixed set of names, each found by its bytes: open addressing on the low bits of an
/// FNV-1a hash, names compared only on a hash match. For the sets a reader asks about for
/// every record (BibTeX field names, CSL variables), where hashing a `String` for a
/// dictionary costs several times more.
struct NameTable {
  static let bits: UInt64 = 8
  /// Each slot holds a name's index plus one, or zero when empty.
  private var slots = [UInt8](repeating: 0, count: 1 << Int(bits))
  let names: [String]
  private let hashes: [UInt64]
  /// Every name's bytes one after another; name k is `bytes[starts[k]..<starts[k + 1]]`.
  private var bytes: [UInt8] = []
  private var starts: [Int] = [0]

  static let fnvBasis: UInt64 = 0xcbf2_9ce4_8422_2325
  static let fnvPrime: UInt64 = 0x100_0000_01b3

  init(_ names: [String]) {
    precondition(names.count < 255 && names.count <= (1 << Int(Self.bits)) / 2, "too many names for the table")
    self.names = names
    hashes = names.map(Self.hash)
    for (k, h) in hashes.enumerated() {
      var slot = Int(h & ((1 << Self.bits) - 1))
      while slots[slot] != 0 { slot = (slot + 1) & (slots.count - 1) }
      slots[slot] = UInt8(k + 1)
      bytes += names[k].utf8
      starts.append(bytes.count)
    }
  }

  /// FNV-1a over the bytes.
  static func hash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var h = fnvBasis
    for c in b { h = (h ^ UInt64(c)) &* fnvPrime }
    return h
  }

  static func hash(_ name: String) -> UInt64 {
    if let h = name.utf8.withContiguousStorageIfAvailable(hash) { return h }
    var copy = name
    return copy.withUTF8(hash)
  }

  /// The index of the name whose hash is `hash` and whose bytes are `name`.
  func find(_ hash: UInt64, _ name: UnsafeBufferPointer<UInt8>) -> Int? {
    guard let given = name.baseAddress else { return nil }
    var slot = Int(hash & ((1 << Self.bits) - 1))
    while slots[slot] != 0 {
      let k = Int(slots[slot] - 1)
      if hashes[k] == hash, starts[k + 1] - starts[k] == name.count,
        bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress! + starts[k], given, name.count) == 0 })
      {
        return k
      }
      slot = (slot + 1) & (slots.count - 1)
    }
    return nil
  }

  /// The index of `name`, if it is one of the table's.
  func find(_ name: String) -> Int? {
    var name = name
    return name.withUTF8 { find(Self.hash($0), $0) }
  }

  /// What ``lookupLowered(_:)`` finds: the index of a name in the table, or the lowered
  /// name the table does not have.
  enum Lowered: Equatable {
    case known(Int)
    case unknown(String)
  }

  /// `find(name.lowercased())`, with the lowered name when the table lacks it. A name of
  /// ASCII bytes without capitals (the usual field name) is hashed and found in one pass
  /// over its bytes, and no string is made.
  func lookupLowered(_ name: String) -> Lowered {
    var copy = name
    return copy.withUTF8 { b in
      // A plain name is its own lower case: no new string for it.
      guard let h = Self.plainHash(b) else { return lookupLowered(b) }
      if let k = find(h, b) { return .known(k) }
      return .unknown(name)
    }
  }

  /// ``lookupLowered(_:)`` of the text of the UTF-8 bytes `b` (a string made only when the
  /// table lacks the name). ASCII is lowered on its bytes (`lowercased()` of ASCII text folds
  /// A–Z alone); a name with other characters is lowered as a string.
  func lookupLowered(_ b: UnsafeBufferPointer<UInt8>) -> Lowered {
    if let h = Self.plainHash(b) {
      if let k = find(h, b) { return .known(k) }
      return .unknown(String(decoding: b, as: UTF8.self))
    }
    guard b.allSatisfy({ $0 < 0x80 }) else {
      let lower = String(decoding: b, as: UTF8.self).lowercased()
      if let k = find(lower) { return .known(k) }
      return .unknown(lower)
    }
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: b.count) { t in
      for k in b.indices { t[k] = ASCII.lowered(b[k]) }
      let lower = UnsafeBufferPointer(t)
      if let k = find(Self.hash(lower), lower) { return .known(k) }
      return .unknown(String(decoding: lower, as: UTF8.self))
    }
  }

  /// The hash of a name of ASCII bytes without capitals; nil for any other name, which
  /// `lowercased()` must decide.
  @inline(__always) static func plainHash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64? {
    var h = fnvBasis
    for c in b {
      if c >= 0x80 || c &- 0x41 < 26 { return nil }
      h = (h ^ UInt64(c)) &* fnvPrime
    }
    return h
  }
}
