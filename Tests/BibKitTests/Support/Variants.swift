/// Inputs near a real one, for tests that hold two readings of the same bytes to each other:
/// every prefix of `base` (up to `prefixes`), and `changes` copies with one byte removed,
/// inserted or replaced at a random place (the new byte from `alphabet`).
func variants(of base: [UInt8], prefixes: Int = 200, changes: Int = 400, alphabet: [UInt8], rng: inout XorShift64) -> [[UInt8]] {
  var out = (0..<min(base.count, prefixes)).map { Array(base[0..<$0]) }
  guard !base.isEmpty else { return out }
  for _ in 0..<changes {
    var v = base
    let at = Int(rng.next() % UInt64(v.count))
    switch rng.next() % 3 {
    case 0: v.remove(at: at)
    case 1: v.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
    default: v[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
    }
    out.append(v)
  }
  return out
}

/// Each of `bases` and its ``variants(of:prefixes:changes:alphabet:rng:)`` as text (bytes
/// that are not UTF-8 repaired as a String repairs them).
func variantTexts(of bases: [String], prefixes: Int, changes: Int, alphabet: [UInt8], rng: inout XorShift64) -> [String] {
  bases.flatMap { base in
    ([Array(base.utf8)] + variants(of: Array(base.utf8), prefixes: prefixes, changes: changes, alphabet: alphabet, rng: &rng))
      .map { String(decoding: $0, as: UTF8.self) }
  }
}
