#if canImport(Glibc)
  import Glibc
#endif

/// Parsing a large BibTeX input on every core, with the result of a parse from start to end.
///
/// The input is cut before entries that start a line (`@type{`), near equal sizes. Each
/// chunk is parsed on its own core. A chunk after the first cannot know the macros that
/// earlier chunks define, so it starts from a guess: the macros of the `@string` entries
/// that a quick scan finds at line starts before it. It keeps a record, for every value
/// that used a macro it did not define itself, of what it took the macro to be
/// (``Speculation``). Then, in input order, each chunk is checked against the macros
/// the chunks before it really ended with: a value whose assumptions hold is right as it is;
/// any other is read again from its place in the input with the right macros, and its
/// warnings replace the ones it gave. `@string` redefinitions that only the whole input
/// shows are warned about in their place.
///
/// A cut that falls inside an entry (a line inside a value that looks like an entry start)
/// shows as a chunk that does not end exactly where the next one begins; the input is then
/// parsed again from start to end, as are inputs below the size threshold.
extension BibTeXParser {
  /// Inputs smaller than this are parsed in one piece.
  static let chunkThreshold = 1 << 20

  /// Parses `bytes` as ``parse()`` does, in up to `chunks` pieces at once. Without
  /// `guessing`, later chunks start from the predefined months alone (tests use this to
  /// make the check do all the work).
  static func parsed(
    bytes: [UInt8], source: String?, chunks: Int = ProcessInfo.activeCores, threshold: Int = chunkThreshold,
    guessing: Bool = true
  ) -> BibTeXParser {
    let starts = chunkStarts(bytes, chunks: min(chunks, 8), threshold: threshold)
    if starts.count > 1 {
      var state = State()
      let (joined, complete) = parseChunks(bytes, source: source, from: &state, starts: starts, limit: Int.max, guessing: guessing)
      if complete { return joined }
    }
    var whole = BibTeXParser(bytes: bytes, source: source)
    whole.parse()
    return whole
  }

  /// Where a parse from the start stands between entries, and what it knows there.
  struct State {
    var at = 0
    var line = 1
    var lineStart = 0
    var macros = BibTeXParser.monthMacros
  }

  /// Parses the chunks that begin at `starts` (the first at `state.at`) at once, the last
  /// one stopping at `limit`. The first chunk starts from `state`, so it parses as a parse
  /// from the start would; each later one starts from guessed macros and is checked, in
  /// order, against the macros really defined before it. Returns the chunks joined while each
  /// began where the one before it ended and checked out, and whether all did; `state` moves
  /// to where the joined parse stops.
  static func parseChunks(
    _ bytes: [UInt8], source: String?, from state: inout State, starts: [Int], limit: Int, guessing: Bool = true
  ) -> (parser: BibTeXParser, complete: Bool) {
    let known = state.macros
    let guesses =
      starts.count == 1 ? [known]
      : guessing ? likelyMacros(bytes, before: starts, known: known)
      : [known] + Array(repeating: monthMacros, count: starts.count - 1)
    // The line and line start at each chunk start, counted on from the first.
    var lines = [(state.line, state.lineStart)]
    bytes.withUnsafeBufferPointer { buffer in
      for k in 1..<starts.count {
        let (count, lastStart) = SWAR.lineFeeds(UnsafeBufferPointer(rebasing: buffer[starts[k - 1]..<starts[k]]))
        let (l, s) = lines[k - 1]
        lines.append((l + count, count == 0 ? s : starts[k - 1] + lastStart))
      }
    }
    let places = lines
    let parts = Parallel.chunks(starts.count, threshold: 2) { range -> [BibTeXParser] in
      range.map { k in
        var p = BibTeXParser(bytes: bytes, source: source, macros: guesses[k])
        (p.i, p.line, p.lineStart) = (starts[k], places[k].0, places[k].1)
        p.limit = k + 1 < starts.count ? starts[k + 1] : limit
        if k > 0 { p.speculation = Speculation() }
        p.parse()
        return p
      }
    }.flatMap { $0 }
    var result = parts[0]
    var macros = parts[0].macros
    var k = 1
    while k < parts.count, result.i == starts[k] {
      var part = parts[k]
      guard part.check(against: &macros) else { break }
      result.entries += part.entries
      result.preambles += part.preambles
      result.diagnostics += part.diagnostics
      (result.i, result.line, result.lineStart) = (part.i, part.line, part.lineStart)
      k += 1
    }
    result.macros = macros
    result.limit = limit
    state = State(at: result.i, line: result.line, lineStart: result.lineStart, macros: macros)
    return (result, k == parts.count)
  }

  /// Offsets where chunks of `from..<to` (the whole input by default) begin: `from`, then
  /// the first entry start at or after each equal cut.
  static func chunkStarts(_ bytes: [UInt8], from: Int = 0, to: Int? = nil, chunks: Int, threshold: Int = 0) -> [Int] {
    let end = to ?? bytes.count
    guard chunks > 1, end - from >= threshold else { return [from] }
    var starts = [from]
    bytes.withUnsafeBufferPointer { buffer in
      var probe = BibTeXParser(bytes: [], source: nil)
      probe.b = buffer
      for k in 1..<chunks {
        var p = max(from + k * (end - from) / chunks, starts[starts.count - 1] + 1)
        while p < end, !probe.isEntryStart(p) { p += 1 }
        if p < end { starts.append(p) }
      }
      probe.b = UnsafeBufferPointer(start: nil, count: 0)
    }
    return starts
  }

  /// For each chunk start, the macros defined by the `@string` entries that start a line
  /// before it, read in order; the first chunk, at `starts[0]`, gets `known`, the macros
  /// defined before it (at the start of the input, the predefined months).
  static func likelyMacros(
    _ bytes: [UInt8], before starts: [Int], known: [String: String] = monthMacros
  ) -> [[String: String]] {
    var guesses = [known]
    bytes.withUnsafeBufferPointer { buffer in
      var probe = BibTeXParser(bytes: [], source: nil, macros: known)
      probe.b = buffer
      var p = starts[0]
      for k in 1..<starts.count {
        while p < starts[k] {
          guard let at = memchr(buffer.baseAddress! + p, Int32(UInt8(ascii: "@")), starts[k] - p) else { break }
          let q = UnsafeRawPointer(at).assumingMemoryBound(to: UInt8.self) - buffer.baseAddress!
          p = q + 1
          guard probe.isEntryStart(q), probe.entryType(at: q) == "string" else { continue }
          probe.i = q
          try? probe.entry(start: probe.here)
          p = max(p, probe.i)
        }
        guesses.append(probe.macros)
      }
      probe.b = UnsafeBufferPointer(start: nil, count: 0)
    }
    return guesses
  }

  /// The entry type after the `@` at `p`, in lower case.
  func entryType(at p: Int) -> String {
    var j = p + 1
    while j < b.count, b[j] == 0x20 || b[j] == 0x09 { j += 1 }
    let start = j
    while j < b.count, Self.isNameByte(b[j]), j - start < 8 { j += 1 }
    return String(decoding: UnsafeBufferPointer(rebasing: b[start..<j]), as: UTF8.self).lowercased()
  }

  /// Corrects this speculative chunk for `macros`, the macros defined before it, which then
  /// become the macros defined at its end. False when a value read again differs in shape.
  mutating func check(against macros: inout [String: String]) -> Bool {
    guard let speculation else { return true }
    self.speculation = nil
    var current = macros
    let outside = macros
    // Diagnostics to replace (a range, by the warnings of the value read again) and to add
    // (a redefinition warning at an index), applied after the walk.
    var edits: [(range: Range<Int>, with: [Diagnostic])] = []
    var ok = true
    bytes.withUnsafeBufferPointer { buffer in
      for record in speculation.records {
        let holds = speculation.store[record.assumptions].allSatisfy { outside[$0.name] == $0.value }
        var value: (String, String?)?
        if !holds {
          var again = BibTeXParser(bytes: [], source: source, macros: current)
          again.b = buffer
          (again.i, again.line, again.lineStart) = (record.place.i, record.place.line, record.place.lineStart)
          do {
            value = try again.valueParts(entryLine: record.place.entryLine, trim: record.place.trim)
            if case .failed = record.target { ok = false }
          } catch {
            if case .failed = record.target {} else { ok = false }
          }
          if again.i != record.end { ok = false }
          again.b = UnsafeBufferPointer(start: nil, count: 0)
          edits.append((record.place.firstDiagnostic..<record.diagnosticsEnd, again.diagnostics))
        }
        switch record.target {
        case .field(let e, let offset, let f):
          if let value, entries.indices.contains(e), entries[e].offset == offset {
            entries[e].setValue(of: f, value.0, macro: value.1)
          }
        case .preamble(let n):
          if let value, preambles.indices.contains(n) { preambles[n] = value.0 }
        case .macro(let name, let wasLocal, let read):
          // A speculative chunk leaves every redefinition warning to this check.
          if wasLocal || outside[name] != nil, Self.monthMacros[name] == nil, let at = record.redefinitionAt {
            edits.append((at.index..<at.index, [Diagnostic(.warning, "bibtex.macro-redefined", "@string \(name) redefined", at: at.location)]))
          }
          current[name] = value?.0 ?? read
        case .none, .failed: break
        }
      }
    }
    guard ok else { return false }
    // Each chunk-local macro now has its value for the whole input.
    macros = current
    if !edits.isEmpty {
      // Edits come in input order, as the records do, and do not overlap.
      var out: [Diagnostic] = []
      var next = 0
      for edit in edits {
        out += diagnostics[next..<edit.range.lowerBound]
        out += edit.with
        next = edit.range.upperBound
      }
      out += diagnostics[next...]
      diagnostics = out
    }
    return true
  }
}

/// What a chunk parsed ahead of the chunks before it assumed about macros it did not define.
struct Speculation {
  /// A macro the chunk did not define, and the value it took for it (a predefined month, or
  /// none).
  struct Assumption: Equatable {
    var name: String
    var value: String?
  }

  /// Where a value began, enough to read it again.
  struct Place {
    var i: Int
    var line: Int
    var lineStart: Int
    var entryLine: Int
    var trim: Bool
    var firstDiagnostic: Int
  }

  enum Target {
    /// A field kept in the entry that will have index `entry` if it is closed.
    case field(entry: Int, offset: Int, field: Int)
    case preamble(Int)
    /// An `@string`; `wasLocal` when the chunk had defined the name before; `value` as read.
    case macro(String, wasLocal: Bool, value: String)
    /// A value whose text is dropped (a repeated field): only its warnings count.
    case none
    /// A value that failed: its warnings count, and it must fail again.
    case failed
  }

  struct Record {
    var target: Target
    var place: Place
    var end: Int
    var diagnosticsEnd: Int
    /// The value's assumptions: a range of ``store``.
    var assumptions: Range<Int>
    /// For an `@string`: the diagnostic index and location of a redefinition warning.
    var redefinitionAt: (index: Int, location: SourceLocation)?
  }

  var records: [Record] = []
  /// Every assumption of every record, in one array (values would otherwise allocate one each).
  var store: [Assumption] = []
  /// Macros this chunk defined, with the assumptions their values rest on.
  var local: [String: Range<Int>] = [:]
  /// The value being read: where it began and where its assumptions start in ``store``.
  var place = Place(i: 0, line: 1, lineStart: 0, entryLine: 1, trim: false, firstDiagnostic: 0)
  var first = 0
  var end = 0
  var diagnosticsEnd = 0

  mutating func begin(_ p: Place) {
    place = p
    first = store.count
  }

  mutating func end(at i: Int, diagnostics: Int) {
    end = i
    diagnosticsEnd = diagnostics
  }

  mutating func use(_ name: String, _ value: String?) {
    if let inherited = local[name] {
      store.append(contentsOf: store[inherited])
    } else {
      store.append(Assumption(name: name, value: value))
    }
  }

  /// Records the value just read, when it rests on an assumption.
  mutating func record(_ target: Target) {
    guard store.count > first else { return }
    records.append(Record(target: target, place: place, end: end, diagnosticsEnd: diagnosticsEnd, assumptions: first..<store.count))
  }

  /// Records an `@string` definition, always: later chunks need every definition in order,
  /// and its redefinition warning is decided by the check.
  mutating func define(_ name: String, value: String, warningAt: SourceLocation) {
    records.append(
      Record(
        target: .macro(name, wasLocal: local[name] != nil, value: value), place: place, end: end,
        diagnosticsEnd: diagnosticsEnd, assumptions: first..<store.count, redefinitionAt: (diagnosticsEnd, warningAt)))
    local[name] = first..<store.count
  }
}
