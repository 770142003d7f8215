#if canImport(Glibc)
  import Glibc
#endif

/// Byte constants and a line splitter shared by the text readers.
enum ASCII {
  static let lf = UInt8(ascii: "\n")
  static let cr = UInt8(ascii: "\r")
  static let space = UInt8(ascii: " ")
  static let tab = UInt8(ascii: "\t")
  static let comma = UInt8(ascii: ",")
  static let zero = UInt8(ascii: "0")
  static let nine = UInt8(ascii: "9")

  @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= zero && c <= nine }
  @inline(__always) static func isUpper(_ c: UInt8) -> Bool { c >= 0x41 && c <= 0x5A }
  @inline(__always) static func isLower(_ c: UInt8) -> Bool { c >= 0x61 && c <= 0x7A }
  /// The byte with an ASCII capital made small; any other byte as it is.
  @inline(__always) static func lowered(_ c: UInt8) -> UInt8 { isUpper(c) ? c | 0x20 : c }
  /// The value of a hexadecimal digit (either case), nil for another byte.
  static func hexValue(_ c: UInt8) -> UInt32? {
    switch c {
    case 0x30...0x39: UInt32(c - 0x30)
    case 0x41...0x46: UInt32(c - 0x41 + 10)
    case 0x61...0x66: UInt32(c - 0x61 + 10)
    default: nil
    }
  }
  @inline(__always) static func isBlank(_ c: UInt8) -> Bool {
    c == space || c == tab || c == cr
  }
}

/// One line of an input: its bytes without the line end and surrounding blanks.
struct ByteLine {
  /// 1-based line number.
  var number: Int
  /// Offset of the first byte of the line (before trimming).
  var lineStart: Int
  /// The trimmed content.
  var start: Int
  var end: Int

  var isEmpty: Bool { start == end }
  var column: Int { start - lineStart + 1 }
}

enum ByteLines {
  /// The longest line the line-based readers (profile, RIS) accept.
  static let maxLineBytes = 16 << 20

  /// The first line longer than ``maxLineBytes``, if any.
  static func overlong(_ lines: [ByteLine]) -> ByteLine? {
    lines.first { $0.end - $0.lineStart > maxLineBytes }
  }

  /// Splits at LF, CRLF or a lone CR, and trims spaces, tabs and CRs at both ends.
  static func split(_ b: [UInt8], from first: Int = 0) -> [ByteLine] {
    var lines: [ByteLine] = []
    var cursor = Cursor(from: first)
    while let line = cursor.next(b) { lines.append(line) }
    return lines
  }

  /// The lines of ``split(_:from:)`` one at a time, for readers that go through a large
  /// input in batches.
  struct Cursor {
    /// Where the next line starts, and its number.
    var lineStart: Int
    var number = 1
    var done = false

    init(from first: Int = 0) { lineStart = first }

    mutating func next(_ b: [UInt8]) -> ByteLine? {
      let n = b.count
      guard !done, lineStart <= n else {
        done = true
        return nil
      }
      var i = lineStart
      if i < n {
        b.withUnsafeBufferPointer { p in
          // Eight bytes at a time while none ends the line; the word that holds the end
          // says where it is.
          let base = p.baseAddress!
          let (lfs, crs) = (SWAR.ones &* UInt64(ASCII.lf), SWAR.ones &* UInt64(ASCII.cr))
          while i + 8 <= n {
            let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            let ends = SWAR.zeroBytes(w ^ lfs) | SWAR.zeroBytes(w ^ crs)
            if ends != 0 {
              i += SWAR.firstMarked(ends)
              return
            }
            i += 8
          }
          while i < n, p[i] != ASCII.lf, p[i] != ASCII.cr { i += 1 }
        }
      }
      var s = lineStart
      var e = i
      while s < e, ASCII.isBlank(b[s]) { s += 1 }
      while e > s, ASCII.isBlank(b[e - 1]) { e -= 1 }
      // Input that ends with a line end has no empty line after it.
      let line = i < n || lineStart < n ? ByteLine(number: number, lineStart: lineStart, start: s, end: e) : nil
      if i >= n {
        done = true
      } else {
        if b[i] == ASCII.cr, i + 1 < n, b[i + 1] == ASCII.lf { i += 1 }
        lineStart = i + 1
        number += 1
      }
      return line
    }
  }

  static func string(_ b: [UInt8], _ line: ByteLine) -> String {
    String(utf8: b, line.start..<line.end)
  }
}

extension String {
  /// Whether the bytes are valid UTF-8 (RFC 3629: shortest forms only, no surrogates,
  /// nothing above U+10FFFF). ASCII runs are checked eight bytes at a time; each other
  /// sequence is checked against the table of well-formed byte sequences.
  static func isValidUTF8(_ b: [UInt8]) -> Bool {
    b.withUnsafeBufferPointer { p in
      let n = p.count
      var i = 0
      while i < n {
        while i + 8 <= n, UnsafeRawPointer(p.baseAddress! + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
          i += 8
        }
        guard i < n else { break }
        let c = p[i]
        if c < 0x80 {
          i += 1
          continue
        }
        guard let length = UTF8Sequence.length(p, at: i) else { return false }
        i += length
      }
      return true
    }
  }
}

/// Well-formed UTF-8 (RFC 3629: shortest forms only, no surrogates, nothing above U+10FFFF).
enum UTF8Sequence {
  /// The length of the well-formed sequence that starts at `i` with a byte beyond ASCII, or
  /// nil when the bytes there are not one: each lead byte allows its own range for the
  /// second byte, and the rest are continuation bytes.
  @inline(__always) static func length(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
    let low: UInt8
    let high: UInt8
    let length: Int
    switch p[i] {
    case 0xC2...0xDF: (low, high, length) = (0x80, 0xBF, 2)
    case 0xE0: (low, high, length) = (0xA0, 0xBF, 3)
    case 0xE1...0xEC, 0xEE...0xEF: (low, high, length) = (0x80, 0xBF, 3)
    case 0xED: (low, high, length) = (0x80, 0x9F, 3)
    case 0xF0: (low, high, length) = (0x90, 0xBF, 4)
    case 0xF1...0xF3: (low, high, length) = (0x80, 0xBF, 4)
    case 0xF4: (low, high, length) = (0x80, 0x8F, 4)
    default: return nil
    }
    guard i + length <= p.count, p[i + 1] >= low, p[i + 1] <= high else { return nil }
    for k in 2..<length where p[i + k] & 0xC0 != 0x80 { return nil }
    return length
  }
}

/// Facts about the machine.
enum ProcessInfo {
  /// The number of cores this process may use.
  static var activeCores: Int {
    #if canImport(Glibc)
      return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    #else
      return 2
    #endif
  }
}
