/// Marsaglia's xorshift64: a fixed, repeatable stream of pseudo-random words, so that
/// generated test inputs are the same on every run.
struct XorShift64 {
  var state: UInt64

  mutating func next() -> UInt64 {
    state ^= state << 13
    state ^= state >> 7
    state ^= state << 17
    return state
  }
}
