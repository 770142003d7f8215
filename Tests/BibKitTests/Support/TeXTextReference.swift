@testable import BibKit

/// ``LaTeXEncoding/texText(_:ascii:into:)`` as it was written before its runs were found
/// eight bytes at a time: braces counted byte by byte, runs by the table alone. Kept as the
/// reference the faster one is held to.
func referenceTeXText(_ s: String, ascii: Bool) -> (text: String, kept: Bool) {
  var kept = false
  let b = Array(s.utf8)
  var depth = 0
  var balanced = true
  for c in b {
    if c == UInt8(ascii: "{") {
      depth += 1
    } else if c == UInt8(ascii: "}") {
      depth -= 1
      if depth < 0 { balanced = false }
    }
  }
  if depth != 0 { balanced = false }
  var o: [UInt8] = []
  var inMath = false
  var escaped = false
  var i = 0
  b.withUnsafeBufferPointer { b in
    while i < b.count {
      var j = i
      while j < b.count, !escaped, LaTeXEncoding.plainInTeX[Int(b[j])] { j += 1 }
      o.append(contentsOf: b[i..<j])
      i = j
      if i == b.count { break }
      let c = b[i]
      if c >= 0x80 {
        let n = LaTeXEncoding.utf8Length(c)
        if escaped {
          o.append(contentsOf: b[i..<min(i + n, b.count)])
          escaped = false
        } else {
          LaTeXEncoding.appendNonASCII(b, i, n, ascii: ascii, into: &o, kept: &kept)
        }
        i += n
        continue
      }
      i += 1
      if escaped {
        o.append(c)
        escaped = false
        continue
      }
      switch c {
      case UInt8(ascii: "\\"):
        o.append(c)
        escaped = true
      case UInt8(ascii: "$"):
        inMath.toggle()
        o.append(c)
      case UInt8(ascii: "%"): o += [UInt8(ascii: "\\"), c]
      case UInt8(ascii: "&"), UInt8(ascii: "#"), UInt8(ascii: "_"):
        if !inMath { o.append(UInt8(ascii: "\\")) }
        o.append(c)
      case UInt8(ascii: "^") where !inMath: o += Array("\\textasciicircum{}".utf8)
      case UInt8(ascii: "{"), UInt8(ascii: "}"):
        if balanced { o.append(c) } else { o += Array((c == UInt8(ascii: "{") ? "\\textbraceleft{}" : "\\textbraceright{}").utf8) }
      default: o.append(c)
      }
    }
  }
  return (String(decoding: o, as: UTF8.self), kept)
}
