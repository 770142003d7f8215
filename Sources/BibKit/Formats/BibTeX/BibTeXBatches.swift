#if canImport(Glibc)
  import Glibc
#endif

/// Reading a large BibTeX input a batch at a time, so that converting it holds one batch of
/// entries and papers at once rather than all of them.
///
/// A batch is one chunk per core, parsed by ``BibTeXParser/parseChunks(_:source:from:starts:limit:guessing:)``
/// as a whole input's chunks are: its first chunk starts where the batch before it stopped,
/// with the macros defined by then; a later chunk that fails its check, or that a value of
/// the chunk before it ran into, is left for the next batch.
///
/// Repeated keys are found across batches (the first entry wins, as in ``BibTeXReader``).
/// `crossref` and `xdata` parents can come anywhere after their children: a byte scan tells
/// which keys are named, and a second parse running ahead of the batches keeps those entries
/// (its batches are reused while they stay close). When the scan cannot tell, the input is
/// parsed whole and mapped a batch at a time. Strict reads, which stop at the first error,
/// are read whole. The first batch runs past the last `@preamble`, so a BibTeX writer knows
/// every preamble before it writes an entry.
extension BibTeXReader {
  public func batches(_ input: [UInt8], options: ReadOptions) -> (any PaperBatches)? {
    Batches(input, options: options, threshold: batchThreshold, chunkBytes: batchChunkBytes)
  }

  struct Batches: PaperBatches {
    let bytes: [UInt8]
    let options: ReadOptions
    var source: String? { options.source }
    /// Input bytes per chunk, and chunks per batch.
    let chunkBytes: Int
    let cores: Int
    /// Where the last `@preamble` starts, or -1.
    let lastPreamble: Int
    /// Where the next batch starts.
    var main = BibTeXParser.State()
    /// Keys seen (lower case), with the line of their first entry.
    var firstLine: [String: Int] = [:]
    var preambles: [String] = []
    var papersRead = 0
    /// The diagnostics of the read, by kind, in the order ``BibTeXReader/read(_:options:)``
    /// gives the kinds.
    var encoding: [Diagnostic] = []
    var parsing: [Diagnostic] = []
    var repeated: [Diagnostic] = []
    var inheriting: [Diagnostic] = []
    var mapping: [Diagnostic] = []
    var ending: [Diagnostic] = []
    var done = false

    /// The keys (lower case) that `crossref` and `xdata` fields name, when a scan of the
    /// input can tell them; nil when it cannot (see ``references(_:)``).
    let referenced: Set<String>?
    /// Entries that others name, found by a second parse running ahead of the batches: the
    /// first entry of each key, before inheritance, as ``BibTeXReader`` looks parents up.
    var parents: [String: RawEntry] = [:]
    var ahead = BibTeXParser.State()
    /// Batches the parse running ahead has done, kept for the batches to use instead of
    /// parsing again while they cover no more than ``aheadBytes`` past ``main``: parents
    /// usually follow their children closely (BibTeX wants them after).
    var queue: [(start: Int, parser: BibTeXParser, end: BibTeXParser.State)] = []
    let aheadBytes: Int
    /// Keys whose parents, and their parents in turn, are in ``parents`` or do not exist.
    var settled: Set<String> = []
    /// When the references cannot be told: every entry, parsed and resolved at the first
    /// batch, and mapped a batch at a time.
    var parsed: ParsedEntries?

    /// Nil when the input is to be read whole: smaller than `threshold`, or a strict read.
    init?(
      _ input: [UInt8], options: ReadOptions, threshold: Int, chunkBytes: Int,
      cores: Int = ProcessInfo.activeCores, aheadBytes: Int = 8 << 20
    ) {
      guard !options.strict, input.count >= threshold else { return nil }
      bytes = Windows1252.decodedInput(input, code: "bibtex.encoding", source: options.source, into: &encoding)
      // The keys as the parser will read them: from the input as UTF-8.
      referenced = Self.references(bytes)
      self.options = options
      self.chunkBytes = max(chunkBytes, 1)
      self.cores = max(1, min(cores, 8))
      self.aheadBytes = aheadBytes
      lastPreamble = Self.lastPreamble(bytes)
      // Room for the keys of a file of typical entries (about 800 bytes each), so the table
      // is not rebuilt as it grows.
      firstLine.reserveCapacity(bytes.count / 800)
    }

    var metadata: SourceMetadata? {
      var m = SourceMetadata()
      m.preambles = preambles
      return m
    }

    var diagnostics: [Diagnostic] { encoding + parsing + repeated + inheriting + mapping + ending }

    mutating func next() -> [Paper]? {
      guard !done else { return nil }
      guard main.at < bytes.count else {
        done = true
        if papersRead == 0, !bytes.isEmpty, !diagnostics.contains(where: { $0.severity == .error }),
          preambles.isEmpty, !Sniffing.looksLikeBibTeX(bytes)
        {
          ending.append(
            Diagnostic(
              .error, "bibtex.no-entries", "no BibTeX entries found",
              at: SourceLocation(file: source, line: 1, column: 1)))
        }
        return nil
      }
      guard let referenced else { return nextParsed() }
      var parser: BibTeXParser
      if let first = queue.first, first.start == main.at {
        queue.removeFirst()
        (parser, main) = (first.parser, first.end)
      } else {
        queue = []
        parser = parseBatch(from: &main, through: lastPreamble)
        harvest(parser.entries)
      }
      // The first batch takes in every preamble (a chunk that failed its check can end a
      // batch early).
      while main.at <= lastPreamble, main.at < bytes.count {
        let more = parseBatch(from: &main, through: lastPreamble)
        harvest(more.entries)
        parser.entries += more.entries
        parser.preambles += more.preambles
        parser.diagnostics += more.diagnostics
      }
      if ahead.at < main.at { ahead = main }
      parsing += parser.diagnostics
      preambles += parser.preambles
      var entries: [RawEntry] = []
      entries.reserveCapacity(parser.entries.count)
      var inherits: [Int] = []
      for e in parser.entries where BibTeXReader.isFirst(e, firstLine: &firstLine, source: source, diagnostics: &repeated) {
        if !referenced.isEmpty, e.index(of: .crossref) != nil || e.index(of: .xdata) != nil {
          inherits.append(entries.count)
        }
        entries.append(e)
      }
      // The kept entries are copies: dropping the parser's now leaves them the only ones,
      // so each is freed where it is mapped, on every core, not here with the parser.
      parser.entries = []
      for k in inherits {
        settle(Inheritance.named(by: entries[k]))
        entries[k] = Inheritance.resolve(entries[k], byKey: parents, source: source, diagnostics: &inheriting)
      }
      let buffer = UnsafeMutableBufferPointer<RawEntry>.allocate(capacity: entries.count)
      _ = buffer.initialize(fromContentsOf: entries)
      entries = []
      let papers = BibTeXReader.mapConsuming(buffer, source: source, diagnostics: &mapping)
      papersRead += papers.count
      return papers
    }

    /// Parses the next batch from `state` (at least through offset `through`), one chunk
    /// per core, and moves `state` past it. A chunk that fails its check, or that a value of
    /// the chunk before it ran into, is left for the next batch.
    func parseBatch(from state: inout BibTeXParser.State, through: Int) -> BibTeXParser {
      var end = max(state.at + chunkBytes * cores, through + 1)
      // A short remainder joins this batch.
      let last = end + chunkBytes >= bytes.count
      if last { end = bytes.count }
      let starts = BibTeXParser.chunkStarts(bytes, from: state.at, to: end, chunks: cores)
      return BibTeXParser.parseChunks(bytes, source: source, from: &state, starts: starts, limit: last ? Int.max : end).parser
    }

    /// Reads ahead until every key in `keys`, and every key their entries name in turn, is
    /// in ``parents`` or the input ends.
    mutating func settle(_ keys: [String]) {
      var pending = keys
      while let k = pending.popLast() {
        guard !settled.contains(k) else { continue }
        while parents[k] == nil, ahead.at < bytes.count {
          let start = ahead.at
          let parser = parseBatch(from: &ahead, through: -1)
          harvest(parser.entries)
          if start == (queue.last?.end.at ?? main.at), ahead.at - main.at <= aheadBytes {
            queue.append((start: start, parser: parser, end: ahead))
          }
        }
        settled.insert(k)
        if let parent = parents[k] { pending += Inheritance.named(by: parent) }
      }
    }

    /// Keeps the entries that others name, the first of each key. Every part of the input
    /// is harvested in order, by whichever parse reaches it first.
    mutating func harvest(_ entries: [RawEntry]) {
      guard let referenced, !referenced.isEmpty else { return }
      for e in entries {
        let key = e.key.lowercased()
        if referenced.contains(key), parents[key] == nil { parents[key] = e }
      }
    }

    /// The next batch when the references cannot be told: the whole input is parsed, and
    /// inheritance resolved, as ``BibTeXReader/read(_:options:)`` does, at the first call;
    /// each call then maps the entries of the next few megabytes.
    mutating func nextParsed() -> [Paper]? {
      if parsed == nil {
        // Not strict, so nothing throws.
        guard let (buffer, found) = try? BibTeXReader.entries(bytes, options: options, diagnostics: &parsing) else {
          main.at = bytes.count
          return []
        }
        parsed = ParsedEntries(buffer)
        preambles = found
      }
      let entries = parsed!
      guard entries.next < entries.buffer.count else {
        main.at = bytes.count
        return next()
      }
      let from = entries.next
      let limit = entries.buffer[from].offset + chunkBytes * cores
      var to = from + 1
      while to < entries.buffer.count, entries.buffer[to].offset < limit { to += 1 }
      entries.next = to
      let papers = BibTeXReader.mapMoving(
        UnsafeMutableBufferPointer(rebasing: entries.buffer[from..<to]), source: source, diagnostics: &mapping)
      papersRead += papers.count
      return papers
    }

    /// The keys that `crossref` and `xdata` fields name, in lower case, found without
    /// parsing: at every `=` whose name before it is `crossref` or `xdata` (in any case),
    /// the braced or quoted value after it. Nil when some such value is not a plain literal
    /// (a macro, a concatenation, nested braces, a comment) or a `%` comment may stand
    /// between a name and its `=`: then only a parse can tell. A superset is harmless (it
    /// only keeps more entries as parents).
    static func references(_ input: [UInt8]) -> Set<String>? {
      let names = [Array("crossref".utf8), Array("xdata".utf8)]
      return input.withUnsafeBufferPointer { b -> Set<String>? in
        guard let base = b.baseAddress else { return [] }
        var keys = Set<String>()
        var p = 0
        while p < b.count {
          guard let at = memchr(base + p, Int32(UInt8(ascii: "=")), b.count - p) else { break }
          let q = UnsafeRawPointer(at).assumingMemoryBound(to: UInt8.self) - base
          p = q + 1
          var j = q - 1
          var crossedLine = false
          while j >= 0, BibTeXParser.isSpace(b[j]) {
            if b[j] == ASCII.lf { crossedLine = true }
            j -= 1
          }
          guard j >= 0 else { continue }
          if crossedLine {
            var s = j
            while s >= 0, b[s] != ASCII.lf {
              if b[s] == UInt8(ascii: "%") { return nil }
              s -= 1
            }
          }
          // Most names end otherwise than crossref and xdata do: one test.
          let end = b[j] | 0x20
          guard end == UInt8(ascii: "f") || end == UInt8(ascii: "a") else { continue }
          var named: [UInt8]?
          for name in names where j + 1 >= name.count {
            let from = j + 1 - name.count
            var same = from == 0 || !BibTeXParser.isNameByte(b[from - 1])
            for (n, c) in name.enumerated() where same && b[from + n] | 0x20 != c { same = false }
            if same { named = name }
          }
          guard let named else { continue }
          // The value: `{…}` without braces inside, or `"…"` without braces, then `,` or
          // the entry's end.
          var v = q + 1
          while v < b.count, BibTeXParser.isSpace(b[v]) { v += 1 }
          guard v < b.count, b[v] == UInt8(ascii: "{") || b[v] == UInt8(ascii: "\"") else { return nil }
          let close = b[v] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "\"")
          var e = v + 1
          while e < b.count, b[e] != close {
            if b[e] == UInt8(ascii: "{") || b[e] == UInt8(ascii: "}") { return nil }
            e += 1
          }
          guard e < b.count else { return nil }
          var after = e + 1
          while after < b.count, BibTeXParser.isSpace(b[after]) { after += 1 }
          guard after == b.count || b[after] == ASCII.comma || b[after] == UInt8(ascii: "}")
            || b[after] == UInt8(ascii: ")")
          else { return nil }
          let value = String(decoding: UnsafeBufferPointer(rebasing: b[(v + 1)..<e]), as: UTF8.self)
          if named.count == 5 {
            for k in value.split(separator: ",") { keys.insert(Inheritance.parentKey(k)) }
          } else {
            keys.insert(Inheritance.parentKey(value))
          }
          p = e + 1
        }
        return keys
      }
    }

    /// The offset of the last `@` followed by the type `preamble`, or -1.
    static func lastPreamble(_ bytes: [UInt8]) -> Int {
      bytes.withUnsafeBufferPointer { buffer -> Int in
        guard let base = buffer.baseAddress else { return -1 }
        var probe = BibTeXParser(bytes: [], source: nil)
        probe.b = buffer
        defer { probe.b = UnsafeBufferPointer(start: nil, count: 0) }
        var found = -1
        var p = 0
        while p < buffer.count {
          guard let at = memchr(base + p, Int32(UInt8(ascii: "@")), buffer.count - p) else { break }
          let q = UnsafeRawPointer(at).assumingMemoryBound(to: UInt8.self) - base
          p = q + 1
          if probe.entryType(at: q) == "preamble" { found = q }
        }
        return found
      }
    }
  }
}

/// Entries waiting to be mapped: those before `next` have been moved out.
final class ParsedEntries {
  let buffer: UnsafeMutableBufferPointer<RawEntry>
  var next = 0

  init(_ buffer: UnsafeMutableBufferPointer<RawEntry>) { self.buffer = buffer }

  deinit {
    if next < buffer.count { UnsafeMutableBufferPointer(rebasing: buffer[next...]).deinitialize() }
    buffer.deallocate()
  }
}
