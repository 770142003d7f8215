/// One field of a BibTeX entry as written: name in lower case, value as LaTeX source with
/// `@string` macros expanded, `#` parts joined and white space collapsed.
struct RawField: Equatable {
  var name: String
  var value: String
  var line: Int
  var column: Int
  /// The value was a single bare macro name (`month = jan`).
  var macro: String?
  /// A hash of `name`, so looking a field up compares integers first.
  var nameHash: UInt64
  /// The name as one of those the mapping asks for, or nil.
  var known: KnownField?

  init(name: String, value: String, line: Int, column: Int, macro: String?) {
    let hash = Self.hash(name)
    self.init(name: name, value: value, line: line, column: column, macro: macro, hash: hash, known: KnownField(name, hash: hash))
  }

  /// A field whose name's hash and known name were found as it was read.
  init(name: String, value: String, line: Int, column: Int, macro: String?, hash: UInt64, known: KnownField?) {
    self.name = name
    self.value = value
    self.line = line
    self.column = column
    self.macro = macro
    self.nameHash = hash
    self.known = known
  }

  /// FNV-1a over the name's bytes (as ``NameTable`` hashes).
  static func hash(_ name: String) -> UInt64 { NameTable.hash(name) }
}

/// One entry as written, before mapping to the model.
struct RawEntry: Equatable {
  var type: String
  var key: String
  private(set) var fields: [RawField] = []
  var line: Int
  var column: Int
  var offset: Int

  init(type: String, key: String, line: Int, column: Int, offset: Int) {
    self.type = type
    self.key = key
    self.line = line
    self.column = column
    self.offset = offset
  }

  /// One bit per ``KnownField`` the entry has: most lookups are for fields it does not have.
  private(set) var knownFields: UInt64 = 0

  // Entries have a dozen fields or so: a linear scan over hashes costs less than a
  // dictionary per entry.
  func index(of name: String) -> Int? {
    let h = RawField.hash(name)
    if let k = KnownField(name, hash: h) { return index(of: k) }
    for k in fields.indices where fields[k].nameHash == h && fields[k].name == name { return k }
    return nil
  }

  func index(of known: KnownField) -> Int? {
    guard knownFields & known.bit != 0 else { return nil }
    for k in fields.indices where fields[k].known == known { return k }
    return nil
  }

  func field(_ name: String) -> RawField? { index(of: name).map { fields[$0] } }
  func field(_ known: KnownField) -> RawField? { index(of: known).map { fields[$0] } }

  /// Replaces the value of the field at `index` (a value read again with other macros).
  mutating func setValue(of index: Int, _ value: String, macro: String?) {
    fields[index].value = value
    fields[index].macro = macro
  }

  /// Room for `n` fields, before the first is added.
  mutating func reserveFields(_ n: Int) { fields.reserveCapacity(n) }

  /// Adds a field; returns false (and adds nothing) when one of that name is there already.
  @discardableResult
  @inline(__always) mutating func append(_ f: consuming RawField) -> Bool {
    // By index: a `for g in fields` loop would copy (and retain) every field.
    for k in fields.indices where fields[k].nameHash == f.nameHash && fields[k].name == f.name { return false }
    // Room for a typical entry at once, rather than growing through 1, 2, 4 and 8, unless
    // the parser made room already (see ``reserveFields(_:)``).
    if fields.capacity == 0 { fields.reserveCapacity(16) }
    if let k = f.known { knownFields |= k.bit }
    fields.append(f)
    return true
  }
}

/// The byte-level BibTeX grammar: entries in `{}` or `()`, `@string`, `@preamble`,
/// `@comment`, `#` concatenation, macros, and recovery at the next `@` that starts a line.
struct BibTeXParser {
  /// The input, owned here; `b` reads it without bounds checks while `parse()` runs.
  let bytes: [UInt8]
  var b = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
  let source: String?
  var i = 0
  var line = 1
  var lineStart = 0
  var macros: [String: String] {
    // Any change of the macros makes every remembered lookup stale.
    didSet { lookups.generation &+= 1 }
  }
  /// Macro lookups remembered by the name's bytes (see ``MacroLookups``).
  var lookups = MacroLookups()
  let knownFields = KnownField.table
  var entries: [RawEntry] = []
  /// The room made for the fields of the next entry (see ``fields(type:close:open:start:)``).
  var fieldRoom = 16
  /// The strings of field names the mapping does not know, shared by the fields that have them.
  var otherFieldNames = NameStrings()
  var preambles: [String] = []
  var diagnostics: [Diagnostic] = []
  /// Where the top level stops: the end of the input, or the first entry of the next chunk
  /// when the input is parsed in chunks (see BibTeXChunks.swift).
  var limit = Int.max
  /// Set for a chunk parsed before the chunks ahead of it are done: see ``Speculation``.
  var speculation: Speculation?

  /// Limits, each reported as an error at the place it is passed.
  static let maxBraceDepth = 256
  static let maxValueBytes = 64 << 20

  static let monthMacros: [String: String] = [
    "jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May",
    "jun": "June", "jul": "July", "aug": "August", "sep": "September", "oct": "October",
    "nov": "November", "dec": "December",
  ]

  init(bytes: [UInt8], source: String?, macros: [String: String] = monthMacros) {
    self.bytes = bytes
    self.source = source
    self.macros = macros
  }

  struct Failure: Error {
    var message: String
    var line: Int
    var column: Int
    var offset: Int
  }

  // MARK: Positions

  func location(_ line: Int, _ column: Int, _ offset: Int) -> SourceLocation {
    SourceLocation(file: source, line: line, column: column, offset: offset)
  }

  var here: (Int, Int, Int) { (line, i - lineStart + 1, i) }

  mutating func advance() {
    if b[i] == ASCII.lf {
      line += 1
      lineStart = i + 1
    }
    i += 1
  }

  func fail(_ message: String) -> Failure {
    Failure(message: message, line: line, column: i - lineStart + 1, offset: i)
  }

  mutating func warn(_ code: DiagnosticCode, _ message: String, _ at: (Int, Int, Int)) {
    diagnostics.append(Diagnostic(.warning, code, message, at: location(at.0, at.1, at.2)))
  }

  /// Space, tab, line feed, carriage return and form feed, as bits of one word.
  static let spaceBits: UInt64 = 1 << 0x20 | 1 << 0x09 | 1 << 0x0A | 1 << 0x0D | 1 << 0x0C

  @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c <= 0x20 && (spaceBits >> UInt64(c)) & 1 != 0 }

  /// The bytes below 0x80 that end a name: white space and `" # % ' ( ) , =` (0x00–0x3F),
  /// and `{ }` (0x40–0x7F), as bits of two words.
  static let nameEndLow: UInt64 = spaceBits | 1 << 0x22 | 1 << 0x23 | 1 << 0x25 | 1 << 0x27 | 1 << 0x28 | 1 << 0x29 | 1 << 0x2C | 1 << 0x3D
  static let nameEndHigh: UInt64 = 1 << (0x7B - 64) | 1 << (0x7D - 64)

  /// Characters allowed in names of types, fields and macros.
  @inline(__always) static func isNameByte(_ c: UInt8) -> Bool {
    if c < 64 { return (nameEndLow >> UInt64(c)) & 1 == 0 }
    if c < 128 { return (nameEndHigh >> UInt64(c - 64)) & 1 == 0 }
    return true
  }

  mutating func skipSpace() {
    while i < b.count, Self.isSpace(b[i]) { advance() }
  }

  /// Skips white space and `%` comments running to the end of the line (between fields).
  mutating func skipSpaceAndComments() {
    while i < b.count {
      let c = b[i]
      if c == 0x20 {
        #if _endian(little)
          // A run of spaces (values aligned after `=`) up to eight at a time: to the first
          // byte of the word that is not one (its first byte is).
          if i + 8 <= b.count {
            let other = UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self) ^ (SWAR.ones &* 0x20)
            i += other == 0 ? 8 : other.trailingZeroBitCount >> 3
            continue
          }
        #endif
        i += 1
      } else if Self.isSpace(c) {
        advance()
      } else if c == UInt8(ascii: "%") {
        while i < b.count, b[i] != ASCII.lf { advance() }
      } else {
        return
      }
    }
  }

  mutating func name() -> String {
    let start = i
    while i < b.count, Self.isNameByte(b[i]) { advance() }
    return String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
  }

  /// A name in lower case (ASCII letters folded as they are read).
  mutating func lowerName() -> String {
    let start = i
    var hasUpper = false
    // A name holds no line feed, so the line does not change.
    while i < b.count, Self.isNameByte(b[i]) {
      if ASCII.isUpper(b[i]) { hasUpper = true }
      i += 1
    }
    let name = UnsafeBufferPointer(rebasing: b[start..<i])
    guard hasUpper else { return String(decoding: name, as: UTF8.self) }
    return String(unsafeUninitializedCapacity: name.count) { out in
      for (k, c) in name.enumerated() { out[k] = ASCII.lowered(c) }
      return name.count
    }
  }

  /// The macro name at `i` in lower case, and its expansion: `(lowerName(), macros[name])`,
  /// remembered for the name's bytes until the macros change, since a file uses a few
  /// macros (months, journals) over and over.
  mutating func macroLookup() -> (name: String, expansion: String?) {
    let start = i
    var h = NameTable.fnvBasis
    // A name holds no line feed, so the line does not change.
    while i < b.count, Self.isNameByte(b[i]) {
      h = (h ^ UInt64(ASCII.lowered(b[i]))) &* NameTable.fnvPrime
      i += 1
    }
    let name = UnsafeBufferPointer(rebasing: b[start..<i])
    if let found = lookups.find(h, name) { return found }
    i = start
    let key = lowerName()
    let expansion = macros[key]
    lookups.remember(h, key, expansion)
    return (key, expansion)
  }

  /// A field name in lower case, with its hash and what it is known as. The hash is of the
  /// lower-cased bytes, taken as they are read. A name the mapping asks for is not copied:
  /// its string is the table's.
  mutating func fieldName() -> (name: String, hash: UInt64, known: KnownField?) {
    let start = i
    var hasUpper = false
    var h = NameTable.fnvBasis
    while i < b.count, Self.isNameByte(b[i]) {
      var c = b[i]
      if ASCII.isUpper(c) {
        hasUpper = true
        c |= 0x20
      }
      h = (h ^ UInt64(c)) &* NameTable.fnvPrime
      i += 1
    }
    if !hasUpper {
      let bytes = UnsafeBufferPointer(rebasing: b[start..<i])
      if let k = knownFields.find(h, bytes) { return (knownFields.names[k], h, KnownField(rawValue: UInt8(k))) }
      return (otherFieldNames.name(h, bytes), h, nil)
    }
    // Lowered on the stack: a name the mapping asks for is still the table's string.
    let name = UnsafeBufferPointer(rebasing: b[start..<i])
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: name.count) { t in
      for k in name.indices { t[k] = ASCII.lowered(name[k]) }
      let lower = UnsafeBufferPointer(t)
      if let k = knownFields.find(h, lower) { return (knownFields.names[k], h, KnownField(rawValue: UInt8(k))) }
      return (otherFieldNames.name(h, lower), h, nil)
    }
  }

  /// Whether position `p` starts a line (after optional blanks) with `@letters{` or `@letters(`.
  func isEntryStart(_ p: Int) -> Bool {
    guard p < b.count, b[p] == UInt8(ascii: "@") else { return false }
    var k = p - 1
    while k >= 0, b[k] == 0x20 || b[k] == 0x09 { k -= 1 }
    guard k < 0 || b[k] == ASCII.lf || b[k] == ASCII.cr else { return false }
    var j = p + 1
    while j < b.count, b[j] == 0x20 || b[j] == 0x09 { j += 1 }
    let nameStart = j
    while j < b.count, Self.isNameByte(b[j]), b[j] != UInt8(ascii: "@") { j += 1 }
    guard j > nameStart, Sniffing.isASCIILetter(b[nameStart]) else { return false }
    while j < b.count, Self.isSpace(b[j]) { j += 1 }
    return j < b.count && (b[j] == UInt8(ascii: "{") || b[j] == UInt8(ascii: "("))
  }

  /// Moves to the next `@` that starts a line, for recovery after an error.
  mutating func resynchronize() {
    while i < b.count, !isEntryStart(i) { advance() }
  }

  // MARK: Top level

  mutating func parse() {
    let input = bytes
    input.withUnsafeBufferPointer { buffer in
      b = buffer
      parseAll()
      b = UnsafeBufferPointer(start: nil, count: 0)
    }
  }

  private mutating func parseAll() {
    let end = min(limit, b.count)
    while i < end {
      let c = b[i]
      if c == UInt8(ascii: "@") {
        let start = here
        do {
          try entry(start: start)
        } catch {
          diagnostics.append(
            Diagnostic(
              .error, "bibtex.syntax", error.message,
              at: location(error.line, error.column, error.offset)))
          if i < b.count, isEntryStart(i) { continue }
          if i < b.count { advance() }
          resynchronize()
        }
      } else if c == UInt8(ascii: "%") {
        while i < b.count, b[i] != ASCII.lf { advance() }
      } else {
        advance()
      }
    }
  }

  mutating func entry(start: (Int, Int, Int)) throws(Failure) {
    advance()  // @
    skipSpace()
    let typeName = name()
    let type = typeName.lowercased()
    guard !type.isEmpty else { throw fail("expected an entry type after '@'") }
    skipSpace()
    if type == "comment" {
      if i < b.count, b[i] == UInt8(ascii: "{") || b[i] == UInt8(ascii: "(") {
        _ = try delimited(open: b[i], entryLine: start.0)
      } else {
        while i < b.count, b[i] != ASCII.lf { advance() }
      }
      return
    }
    guard i < b.count, b[i] == UInt8(ascii: "{") || b[i] == UInt8(ascii: "(") else {
      throw fail("expected '{' or '(' after '@\(typeName)'")
    }
    let open = b[i]
    let close = open == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: ")")
    advance()
    skipSpaceAndComments()
    switch type {
    case "string":
      let at = here
      let macro = lowerName()
      guard !macro.isEmpty else { throw fail("expected a macro name in @string") }
      skipSpaceAndComments()
      guard i < b.count, b[i] == UInt8(ascii: "=") else { throw fail("expected '=' after '\(macro)'") }
      advance()
      let (value, _) = try value(entryLine: start.0, trim: false)
      if speculation != nil {
        let warningAt = location(at.0, at.1, at.2)
        speculation!.define(macro, value: value, warningAt: warningAt)
      } else if macros[macro] != nil, Self.monthMacros[macro] == nil {
        warn("bibtex.macro-redefined", "@string \(macro) redefined", at)
      }
      macros[macro] = value
      try closeEntry(close, open: open, start: start)
    case "preamble":
      let (value, _) = try value(entryLine: start.0, trim: false)
      speculation?.record(.preamble(preambles.count))
      preambles.append(value)
      try closeEntry(close, open: open, start: start)
    default:
      try fields(type: type, close: close, open: open, start: start)
    }
  }

  mutating func closeEntry(_ close: UInt8, open: UInt8, start: (Int, Int, Int)) throws(Failure) {
    skipSpaceAndComments()
    guard i < b.count else {
      throw Failure(
        message: "entry is not closed (it begins here)", line: start.0, column: start.1,
        offset: start.2)
    }
    let other = close == UInt8(ascii: "}") ? UInt8(ascii: ")") : UInt8(ascii: "}")
    if b[i] == close {
      advance()
    } else if b[i] == other {
      warn("bibtex.delimiter", "entry opened with '\(Character(Unicode.Scalar(open)))' is closed with '\(Character(Unicode.Scalar(other)))'", here)
      advance()
    } else {
      throw fail("expected '\(Character(Unicode.Scalar(close)))' to close the entry")
    }
  }

  mutating func fields(type: String, close: UInt8, open: UInt8, start: (Int, Int, Int)) throws(Failure) {
    // The key runs to a comma, white space or the closing delimiter.
    let keyStart = i
    while i < b.count, b[i] != ASCII.comma, !Self.isSpace(b[i]), b[i] != close,
      !(close == UInt8(ascii: ")") && b[i] == UInt8(ascii: "}"))
    {
      if b[i] == UInt8(ascii: "@"), isEntryStart(i) { break }
      advance()
    }
    let key = String(decoding: UnsafeBufferPointer(rebasing: b[keyStart..<i]), as: UTF8.self)
    skipSpaceAndComments()
    var entry = RawEntry(type: type, key: key, line: start.0, column: start.1, offset: start.2)
    let other = close == UInt8(ascii: "}") ? UInt8(ascii: ")") : UInt8(ascii: "}")
    guard i < b.count else {
      throw Failure(message: "entry '\(key)' is not closed (it begins here)", line: start.0, column: start.1, offset: start.2)
    }
    if b[i] == close || b[i] == other {
      try closeEntry(close, open: open, start: start)
      entries.append(entry)
      return
    }
    guard b[i] == ASCII.comma else {
      throw fail("expected ',' after the key '\(key)'")
    }
    advance()
    // Entries of a file tend to have as many fields as the one before: room for that many
    // and a quarter more, so the array is made once.
    entry.reserveFields(fieldRoom)
    while true {
      skipSpaceAndComments()
      guard i < b.count else {
        throw Failure(
          message: "entry '\(key)' is not closed (it begins here)", line: start.0,
          column: start.1, offset: start.2)
      }
      if b[i] == close || b[i] == other {
        try closeEntry(close, open: open, start: start)
        fieldRoom = Swift.max(8, entry.fields.count + entry.fields.count / 4)
        entries.append(entry)
        return
      }
      if b[i] == ASCII.comma {
        warn("bibtex.empty-field", "empty field slot (two commas) in '\(key)'", here)
        advance()
        continue
      }
      if isEntryStart(i) {
        throw Failure(
          message: "entry '\(key)' is not closed (it begins here)", line: start.0,
          column: start.1, offset: start.2)
      }
      let at = here
      let (fieldName, nameHash, known) = fieldName()
      guard !fieldName.isEmpty else {
        throw fail("expected a field name in '\(key)'")
      }
      skipSpaceAndComments()
      guard i < b.count, b[i] == UInt8(ascii: "=") else {
        throw fail("expected '=' after field '\(fieldName)' in '\(key)'")
      }
      advance()
      let (value, macro) = try value(entryLine: start.0, trim: true)
      let fieldIndex = entry.fields.count
      if !entry.append(RawField(name: fieldName, value: value, line: at.0, column: at.1, macro: macro, hash: nameHash, known: known)) {
        speculation?.record(.none)
        warn("bibtex.duplicate-field", "'\(key)': duplicate field '\(fieldName)'; the first is kept", at)
      } else {
        speculation?.record(.field(entry: entries.count, offset: start.2, field: fieldIndex))
      }
      skipSpaceAndComments()
      guard i < b.count else { continue }
      if b[i] == ASCII.comma {
        advance()
      } else if isEntryStart(i) {
        // A value that swallowed the entry's closing brace (`{a \{ b}`) ends here.
        throw Failure(
          message: "entry '\(key)' is not closed: unbalanced braces in field '\(fieldName)' (the entry begins here)",
          line: start.0, column: start.1, offset: start.2)
      } else if b[i] != close, b[i] != other {
        throw fail("expected ',' or the end of entry '\(key)' after field '\(fieldName)'")
      }
    }
  }

  // MARK: Values

  /// A value: parts joined by `#`. Returns the text and, for a lone macro, its name.
  mutating func value(entryLine: Int, trim: Bool) throws(Failure) -> (String, String?) {
    guard speculation != nil else { return try valueParts(entryLine: entryLine, trim: trim) }
    // A value that fails after using macros from outside the chunk left warnings that may
    // not hold: it is recorded, so the check re-reads it.
    speculation!.begin(Speculation.Place(i: i, line: line, lineStart: lineStart, entryLine: entryLine, trim: trim, firstDiagnostic: diagnostics.count))
    do {
      let v = try valueParts(entryLine: entryLine, trim: trim)
      speculation!.end(at: i, diagnostics: diagnostics.count)
      return v
    } catch {
      speculation!.end(at: i, diagnostics: diagnostics.count)
      speculation!.record(.failed)
      throw error
    }
  }

  mutating func valueParts(entryLine: Int, trim: Bool) throws(Failure) -> (String, String?) {
    // A value of one braced, quoted or numeric part is collapsed straight from the input;
    // parts are copied only when there are several, or a macro.
    var out: [UInt8] = []
    var only: Range<Int>?
    var lone: String?
    // The expansion of a macro that is the first part: copied only if more parts follow.
    var onlyExpansion: String?
    var parts = 0
    while true {
      skipSpaceAndComments()
      guard i < b.count else { throw fail("expected a value") }
      let c = b[i]
      parts += 1
      var range: Range<Int>?
      if c == UInt8(ascii: "{") || c == UInt8(ascii: "\"") {
        range = try delimited(open: c, entryLine: entryLine)
      } else if ASCII.isDigit(c) {
        let s = i
        while i < b.count, ASCII.isDigit(b[i]) { advance() }
        range = s..<i
      } else if Self.isNameByte(c) {
        let at = here
        let mStart = i
        let (key, expansion) = macroLookup()
        if speculation != nil { speculation!.use(key, expansion) }
        if let v = expansion {
          if parts == 1 {
            onlyExpansion = v
          } else {
            out.appendUTF8(v)
          }
        } else {
          let m = String(decoding: UnsafeBufferPointer(rebasing: b[mStart..<i]), as: UTF8.self)
          warn("bibtex.undefined-macro", "undefined macro '\(m)'; kept as text", at)
          out.append(contentsOf: UnsafeBufferPointer(rebasing: b[mStart..<i]))
        }
        lone = key
      } else {
        throw fail("expected a value, found '\(Character(Unicode.Scalar(c)))'")
      }
      if let range {
        if parts == 1 {
          only = range
        } else {
          out.append(contentsOf: UnsafeBufferPointer(rebasing: b[range]))
        }
      }
      skipSpaceAndComments()
      if i < b.count, b[i] == UInt8(ascii: "#") {
        advance()
        if let r = only {
          out.append(contentsOf: UnsafeBufferPointer(rebasing: b[r]))
          only = nil
        }
        if let v = onlyExpansion {
          out.appendUTF8(v)
          onlyExpansion = nil
        }
        continue
      }
      break
    }
    if let only {
      return (Self.collapse(Self.droppingGuard(UnsafeBufferPointer(rebasing: b[only])), trim: trim), nil)
    }
    if let v = onlyExpansion {
      // A macro's text was collapsed (untrimmed) and lost its guard when it was defined:
      // doing both again changes nothing but a space at either end, so the common case
      // shares the macro's string.
      let u = v.utf8
      if !trim || (u.first != 0x20 && u.last != 0x20) { return (v, lone) }
      out.appendUTF8(v)
    }
    return (out.withUnsafeBufferPointer { Self.collapse(Self.droppingGuard($0), trim: trim) }, parts == 1 ? lone : nil)
  }

  /// Whether `s` ends with a backslash that escapes nothing (an odd number of them).
  static func endsWithLoneBackslash(_ s: String) -> Bool {
    var s = s
    return s.withUTF8 { endsWithLoneBackslash($0) }
  }

  /// ``endsWithLoneBackslash(_:)`` of UTF-8 bytes, counted from the end.
  static func endsWithLoneBackslash(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    var k = b.count
    while k > 0, b[k - 1] == UInt8(ascii: "\\") { k -= 1 }
    return (b.count - k) % 2 == 1
  }

  /// The writer puts `{}` after a value's final lone backslash, so that it does not escape
  /// the closing brace for LaTeX; reading takes it off again.
  static func droppingGuard(_ v: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
    let n = v.count
    guard n >= 3, v[n - 1] == UInt8(ascii: "}"), v[n - 2] == UInt8(ascii: "{"), v[n - 3] == UInt8(ascii: "\\") else { return v }
    var k = n - 3
    while k > 0, v[k - 1] == UInt8(ascii: "\\") { k -= 1 }
    return (n - 2 - k) % 2 == 1 ? UnsafeBufferPointer(rebasing: v[0..<(n - 2)]) : v
  }

  /// The bytes that can end a delimited value or start a line: line feed, `"` and `)`
  /// (0x00–0x3F), `@`, `{` and `}` (0x40–0x7F), as bits of two words.
  static let delimiterLow: UInt64 = 1 << 0x0A | 1 << 0x22 | 1 << 0x29
  static let delimiterHigh: UInt64 = 1 << (0x40 - 64) | 1 << (0x7B - 64) | 1 << (0x7D - 64)

  @inline(__always) static func isDelimiterByte(_ c: UInt8) -> Bool {
    if c < 64 { return (delimiterLow >> UInt64(c)) & 1 != 0 }
    if c < 128 { return (delimiterHigh >> UInt64(c - 64)) & 1 != 0 }
    return false
  }

  /// A `{…}` or `"…"` part. Braces are counted as BibTeX counts them (a backslash does not
  /// escape a brace). An unbalanced value that runs into a line starting with `@type{` is an
  /// error reported at the line where the entry began.
  mutating func delimited(open: UInt8, entryLine: Int) throws(Failure) -> Range<Int> {
    let startLine = line
    advance()
    let s = i
    var depth = 0
    while i < b.count {
      // Eight bytes at a time while none of them can end the value or start a line.
      while i + 8 <= b.count {
        let w = UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self)
        if SWAR.has(w, UInt8(ascii: "{")) || SWAR.has(w, UInt8(ascii: "}")) || SWAR.has(w, UInt8(ascii: "\""))
          || SWAR.has(w, UInt8(ascii: "@")) || SWAR.has(w, UInt8(ascii: ")")) || SWAR.has(w, ASCII.lf)
        {
          break
        }
        i += 8
      }
      // Then byte by byte up to the next byte that can (the word holds one): the others
      // need no test of their own.
      while i < b.count, !Self.isDelimiterByte(b[i]) { i += 1 }
      guard i < b.count, i - s <= Self.maxValueBytes else { break }
      let c = b[i]
      if open == UInt8(ascii: "("), c == UInt8(ascii: ")"), depth == 0 {
        let v = s..<i
        advance()
        return v
      }
      if c == UInt8(ascii: "{") {
        depth += 1
        if depth > Self.maxBraceDepth {
          throw fail("braces nested deeper than \(Self.maxBraceDepth) levels")
        }
      } else if c == UInt8(ascii: "}") {
        if depth == 0 {
          if open == UInt8(ascii: "{") {
            let v = s..<i
            advance()
            return v
          }
          throw fail("unbalanced '}' in a quoted value")
        }
        depth -= 1
      } else if c == UInt8(ascii: "\""), depth == 0, open == UInt8(ascii: "\"") {
        let v = s..<i
        advance()
        return v
      } else if c == UInt8(ascii: "@"), isEntryStart(i) {
        throw Failure(
          message: "unbalanced braces: the value opened on line \(startLine) runs into the next entry",
          line: entryLine, column: 1, offset: s)
      }
      if i - s > Self.maxValueBytes {
        throw Failure(
          message: "a value longer than \(Self.maxValueBytes >> 20) MiB (it begins on line \(startLine))",
          line: startLine, column: 1, offset: s)
      }
      advance()
    }
    if i - s > Self.maxValueBytes {
      throw Failure(
        message: "a value longer than \(Self.maxValueBytes >> 20) MiB (it begins on line \(startLine))",
        line: startLine, column: 1, offset: s)
    }
    throw Failure(
      message: "unbalanced braces: the value opened on line \(startLine) is not closed",
      line: entryLine, column: 1, offset: s)
  }

  /// Runs of white space become one space; `trim` removes it at both ends.
  static func collapse(_ v: UnsafeBufferPointer<UInt8>, trim: Bool) -> String {
    // Most values have single spaces only: no copy needed.
    var simple = true
    var prevSpace = true
    var k = 0
    // Eight bytes at a time while none is a control character and no two spaces meet.
    SWAR.skipSingleSpacedWords(v, from: &k, afterSpace: &prevSpace, asciiOnly: false)
    for c in UnsafeBufferPointer(rebasing: v[k...]) {
      if c == 0x20 {
        if prevSpace {
          simple = false
          break
        }
        prevSpace = true
      } else if c < 0x20 {
        simple = false
        break
      } else {
        prevSpace = false
      }
    }
    if simple, !(trim && prevSpace && !v.isEmpty), !v.isEmpty || trim {
      return String(decoding: v, as: UTF8.self)
    }
    // Written on the stack, the result never longer than the value, and made a string in
    // one copy: text between runs of white space goes over whole, single spaces included.
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: v.count) { out in
      var n = 0
      var k = 0
      var space = false
      while k < v.count {
        if isSpace(v[k]) {
          space = true
          k += 1
          continue
        }
        if space, !(trim && n == 0) {
          out[n] = 0x20
          n += 1
        }
        space = false
        // The run: up to white space that is not one space between two other bytes.
        let s = k
        while true {
          var afterSpace = false
          SWAR.skipSingleSpacedWords(v, from: &k, afterSpace: &afterSpace, asciiOnly: false)
          // A space that ends a word passed over may begin a run of white space.
          if afterSpace { k -= 1 }
          let stop = min(k + 8, v.count)
          while k < stop {
            let c = v[k]
            if c == 0x20, k + 1 < v.count, !isSpace(v[k + 1]) {
              k += 1
            } else if isSpace(c) {
              break
            } else {
              k += 1
            }
          }
          if k < stop || k == v.count { break }
        }
        (out.baseAddress! + n).update(from: v.baseAddress! + s, count: k - s)
        n += k - s
      }
      if space, !trim {
        out[n] = 0x20
        n += 1
      }
      return String(decoding: UnsafeBufferPointer(start: out.baseAddress, count: n), as: UTF8.self)
    }
  }
}

/// Strings for names read over and over (a file's own field names: `bibdate`, `bibsource`),
/// remembered by the hash of their bytes, so that each field with the name shares one
/// string rather than having its own made.
struct NameStrings {
  static let slotCount = 64
  var hashes = [UInt64](repeating: 0, count: slotCount)
  var names = [String](repeating: "", count: slotCount)

  /// The string of the UTF-8 bytes `b`, whose FNV-1a hash is `hash`: the one remembered for
  /// them, or a new one, then remembered.
  mutating func name(_ hash: UInt64, _ b: UnsafeBufferPointer<UInt8>) -> String {
    let k = Int(hash & UInt64(Self.slotCount - 1))
    if hashes[k] == hash {
      // Bytes that are not UTF-8 were remembered repaired, and so never match: they get a
      // string of their own, repaired as before.
      var stored = names[k]
      let same = stored.withUTF8 { s in s.count == b.count && b.indices.allSatisfy { s[$0] == b[$0] } }
      if same { return stored }
    }
    let s = String(decoding: b, as: UTF8.self)
    hashes[k] = hash
    names[k] = s
    return s
  }
}

/// Macro lookups a parser remembers: slots chosen by the hash of the lower-cased name, each
/// holding the name in lower case and its expansion, valid while the parser's macros are
/// those of the generation it was made in.
struct MacroLookups {
  struct Slot {
    var hash: UInt64 = 0
    var generation = -1
    var name = ""
    var expansion: String?
  }

  static let slotCount = 64
  var slots = [Slot](repeating: Slot(), count: slotCount)
  var generation = 0

  /// The remembered lookup of the name whose bytes (in any case) are `name` and whose
  /// lower-cased bytes hash to `hash`.
  func find(_ hash: UInt64, _ name: UnsafeBufferPointer<UInt8>) -> (name: String, expansion: String?)? {
    let k = Int(hash & UInt64(Self.slotCount - 1))
    guard slots[k].generation == generation, slots[k].hash == hash else { return nil }
    // The name's bytes lowered against the lowered name remembered. (A name whose bytes are
    // not UTF-8 was remembered repaired, and is then looked up again: its lookup is by the
    // repaired string, so a name that matches that string has the same.)
    var stored = slots[k].name
    let same = stored.withUTF8 { s in s.count == name.count && name.indices.allSatisfy { ASCII.lowered(name[$0]) == s[$0] } }
    return same ? (slots[k].name, slots[k].expansion) : nil
  }

  mutating func remember(_ hash: UInt64, _ lowered: String, _ expansion: String?) {
    slots[Int(hash & UInt64(Self.slotCount - 1))] = Slot(hash: hash, generation: generation, name: lowered, expansion: expansion)
  }
}
