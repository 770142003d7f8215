#if canImport(Glibc)
  import Glibc
#endif

/// A byte-level reading of a narrow, common kind of XML document, for the pass over a large
/// feed that only finds what citation keys are made from (see ArxivAtomBatches.swift).
///
/// It hands a handler the events ``SAXPass`` would hand it for the same document, and
/// gives up (returns false, and the caller reads the document with libxml2) at anything
/// outside what it checks in full:
/// - an XML declaration of version 1.0 in UTF-8, then comments and white space; no byte-order
///   mark, document type declaration, processing instruction or CDATA section;
/// - ASCII element and attribute names, each prefix declared, no attribute twice, quoted
///   attribute values without `<`; namespaces declared only as the vocabulary spells them
///   (libxml2 checks other URIs), or the default one undeclared;
/// - character data of valid UTF-8 and XML characters, without `]]>`; references `&amp;
///   &lt; &gt; &quot; &apos;` and numeric ones to XML characters, no other entity;
/// - comments without `--` inside; nesting no deeper than 200 elements; tags that match;
/// - a handler that asks for no attributes of an element that has some; one that throws
///   makes it give up too.
///
/// Inside those bounds the document is well-formed, so libxml2 reads it to the end too, with
/// these events. `Tests/BibKitTests/XMLQuickScanTests.swift` and the arXiv fuzzer hold the
/// two readings to each other. The papers themselves are always read by libxml2.
enum XMLQuickScan {
  /// Reads `doc` into `handler`; false when it gave up (the handler is then part-way).
  static func run<Handler: XMLEventHandler>(
    _ doc: UnsafeBufferPointer<UInt8>, vocabulary: XMLVocabulary, into handler: inout Handler
  ) -> Bool {
    var s = State(b: doc, vocabulary: vocabulary)
    return s.document(&handler)
  }

  /// The deepest nesting read; libxml2's own limit is 256.
  static let maxDepth = 200

  struct Binding {
    /// The prefix (empty for the default namespace), as a range of the document.
    var prefix: Range<Int>
    /// The namespace's index in the vocabulary, -1 for one not listed or none.
    var namespace: Int
  }

  struct Open {
    var qname: Range<Int>
    var name: XMLName
    /// How many bindings the element declared (taken off at its end).
    var bindings: Int
  }

  struct State {
    let b: UnsafeBufferPointer<UInt8>
    let vocabulary: XMLVocabulary
    var i = 0
    var line = 1
    var open: [Open] = []
    var bindings: [Binding] = []
    /// A start tag's attributes: the name and the value, as ranges.
    var attributes: [(name: Range<Int>, value: Range<Int>)] = []
    /// Qualified names of elements already seen under the bindings in force (see
    /// ``elementName(_:local:)``).
    var named: [(key: UInt64, at: Range<Int>, name: XMLName)] = []

    init(b: UnsafeBufferPointer<UInt8>, vocabulary: XMLVocabulary) {
      self.b = b
      self.vocabulary = vocabulary
      open.reserveCapacity(8)
      bindings.reserveCapacity(8)
      attributes.reserveCapacity(8)
      named.reserveCapacity(16)
    }

    @inline(__always) func at(_ k: Int) -> UInt8 { k < b.count ? b[k] : 0 }

    @inline(__always) static func isSpace(_ c: UInt8) -> Bool {
      c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D
    }

    mutating func skipSpace() {
      while i < b.count, Self.isSpace(b[i]) {
        if b[i] == 0x0A { line += 1 }
        i += 1
      }
    }

    func starts(with literal: StaticString, at k: Int) -> Bool {
      let n = literal.utf8CodeUnitCount
      guard k + n <= b.count else { return false }
      let p = literal.utf8Start
      for j in 0..<n where b[k + j] != p[j] { return false }
      return true
    }

    func equal(_ x: Range<Int>, _ y: Range<Int>) -> Bool {
      x.count == y.count && memcmp(b.baseAddress! + x.lowerBound, b.baseAddress! + y.lowerBound, x.count) == 0
    }

    func equal(_ x: Range<Int>, _ literal: StaticString) -> Bool {
      x.count == literal.utf8CodeUnitCount && memcmp(b.baseAddress! + x.lowerBound, literal.utf8Start, x.count) == 0
    }

    // MARK: Document

    mutating func document<Handler: XMLEventHandler>(_ handler: inout Handler) -> Bool {
      guard b.count > 0, b.baseAddress != nil else { return false }
      if starts(with: "<?xml", at: 0) {
        guard declaration() else { return false }
      }
      // Before the root: white space and comments.
      while true {
        skipSpace()
        guard i < b.count, b[i] == UInt8(ascii: "<") else { return false }
        if starts(with: "<!--", at: i) {
          guard comment() else { return false }
          continue
        }
        break
      }
      guard i + 1 < b.count, isNameStart(b[i + 1]) else { return false }
      guard startTag(&handler) else { return false }
      guard content(&handler) else { return false }
      // After the root: white space and comments.
      while true {
        skipSpace()
        if i == b.count { return true }
        guard starts(with: "<!--", at: i), comment() else { return false }
      }
    }

    /// `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`, encoding and standalone
    /// optional; `i` moves past it.
    mutating func declaration() -> Bool {
      i = 5
      func attribute(_ name: StaticString) -> Range<Int>? {
        let save = i
        skipSpace()
        guard i > save, starts(with: name, at: i) else {
          i = save
          return nil
        }
        i += name.utf8CodeUnitCount
        skipSpace()
        guard at(i) == UInt8(ascii: "=") else { return nil }
        i += 1
        skipSpace()
        let q = at(i)
        guard q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") else { return nil }
        let start = i + 1
        var k = start
        while k < b.count, b[k] != q, b[k] != UInt8(ascii: "?"), b[k] != UInt8(ascii: ">") { k += 1 }
        guard k < b.count, b[k] == q else { return nil }
        i = k + 1
        return start..<k
      }
      guard let version = attribute("version"), equal(version, "1.0") else { return false }
      if let encoding = attribute("encoding") {
        guard encoding.count == 5 else { return false }
        let e = Array(UnsafeBufferPointer(rebasing: b[encoding])).map(ASCII.lowered)
        guard e == Array("utf-8".utf8) else { return false }
      }
      if let standalone = attribute("standalone") {
        guard equal(standalone, "yes") || equal(standalone, "no") else { return false }
      }
      skipSpace()
      guard starts(with: "?>", at: i) else { return false }
      i += 2
      return true
    }

    /// A comment at `i` (`<!--`), without `--` inside and of XML characters.
    mutating func comment() -> Bool {
      i += 4
      while i < b.count {
        let c = b[i]
        if c == UInt8(ascii: "-"), at(i + 1) == UInt8(ascii: "-") {
          guard at(i + 2) == UInt8(ascii: ">") else { return false }
          i += 3
          return true
        }
        guard character() else { return false }
      }
      return false
    }

    /// Moves over one XML character at `i` (counting a line feed); false for a byte or a
    /// sequence that is not one.
    @inline(__always) mutating func character() -> Bool {
      let c = b[i]
      if c >= 0x20 && c < 0x80 {
        i += 1
        return true
      }
      if c < 0x20 {
        guard c == 0x0A || c == 0x09 || c == 0x0D else { return false }
        if c == 0x0A { line += 1 }
        i += 1
        return true
      }
      return multiByte()
    }

    /// A UTF-8 sequence at `i` that encodes an XML character (not U+FFFE or U+FFFF).
    mutating func multiByte() -> Bool {
      guard let length = UTF8Sequence.length(b, at: i) else { return false }
      // U+FFFE and U+FFFF are not XML characters.
      if b[i] == 0xEF, b[i + 1] == 0xBF, b[i + 2] >= 0xBE { return false }
      i += length
      return true
    }

    // MARK: Names and tags

    @inline(__always) func isNameStart(_ c: UInt8) -> Bool {
      ASCII.isLower(c) || ASCII.isUpper(c) || c == UInt8(ascii: "_")
    }

    @inline(__always) func isNameByte(_ c: UInt8) -> Bool {
      isNameStart(c) || ASCII.isDigit(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
    }

    /// A qualified name at `i`: its range and where its local part starts (the range's
    /// start when it has no prefix).
    mutating func qualifiedName() -> (Range<Int>, local: Int)? {
      let start = i
      guard i < b.count, isNameStart(b[i]) else { return nil }
      i += 1
      while i < b.count, isNameByte(b[i]) { i += 1 }
      var local = start
      if at(i) == UInt8(ascii: ":") {
        i += 1
        local = i
        guard i < b.count, isNameStart(b[i]) else { return nil }
        i += 1
        while i < b.count, isNameByte(b[i]) { i += 1 }
      }
      return (start..<i, local)
    }

    /// The namespace bound to the prefix `prefix` (empty: the default), innermost first;
    /// nil when none is bound (for the default: no namespace, -1).
    func namespace(of prefix: Range<Int>) -> Int? {
      for binding in bindings.reversed() where equal(binding.prefix, prefix) { return binding.namespace }
      return prefix.isEmpty ? -1 : nil
    }

    /// A start tag at `i` (`<` and a name start), its event, and its end event when empty.
    mutating func startTag<Handler: XMLEventHandler>(_ handler: inout Handler) -> Bool {
      i += 1
      guard let (qname, local) = qualifiedName() else { return false }
      if !attributes.isEmpty { attributes.removeAll(keepingCapacity: true) }
      var empty = false
      while true {
        let before = i
        skipSpace()
        guard i < b.count else { return false }
        if b[i] == UInt8(ascii: ">") {
          i += 1
          break
        }
        if b[i] == UInt8(ascii: "/") {
          guard at(i + 1) == UInt8(ascii: ">") else { return false }
          i += 2
          empty = true
          break
        }
        // An attribute, after white space.
        guard i > before, let (name, _) = qualifiedName() else { return false }
        skipSpace()
        guard at(i) == UInt8(ascii: "=") else { return false }
        i += 1
        skipSpace()
        let q = at(i)
        guard q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") else { return false }
        i += 1
        let start = i
        while i < b.count, b[i] != q {
          let c = b[i]
          if c == UInt8(ascii: "<") { return false }
          if c == UInt8(ascii: "&") {
            guard reference() != nil else { return false }
          } else {
            guard character() else { return false }
          }
        }
        guard i < b.count else { return false }
        for a in attributes where equal(a.name, name) { return false }
        attributes.append((name, start..<i))
        i += 1
      }
      // Namespace declarations first: they hold for the element's own name and attributes.
      var declared = 0
      for a in attributes {
        let name = a.name
        if equal(name, "xmlns") {
          let ns = namespaceIndex(a.value)
          guard ns >= 0 || a.value.isEmpty else { return false }
          bindings.append(Binding(prefix: name.lowerBound..<name.lowerBound, namespace: ns))
          declared += 1
        } else if name.count > 6, starts(with: "xmlns:", at: name.lowerBound) {
          let prefix = (name.lowerBound + 6)..<name.upperBound
          let ns = namespaceIndex(a.value)
          guard ns >= 0, !equal(prefix, "xml"), !equal(prefix, "xmlns") else { return false }
          bindings.append(Binding(prefix: prefix, namespace: ns))
          declared += 1
        }
      }
      // Every other prefix must be bound, and no two attributes may share a local name
      // under prefixes (they could name one attribute twice).
      var prefixedLocals: [Range<Int>] = []
      for a in attributes {
        let name = a.name
        guard let colon = (name.lowerBound..<name.upperBound).first(where: { b[$0] == UInt8(ascii: ":") }) else { continue }
        let prefix = name.lowerBound..<colon
        if equal(prefix, "xmlns") { continue }
        guard equal(prefix, "xml") || namespace(of: prefix) != nil else { return false }
        let localName = (colon + 1)..<name.upperBound
        for other in prefixedLocals where equal(other, localName) { return false }
        prefixedLocals.append(localName)
      }
      if declared > 0 { named.removeAll(keepingCapacity: true) }
      guard let element = elementName(qname, local: local) else { return false }
      guard open.count < XMLQuickScan.maxDepth else { return false }
      // Attributes are not made here: a handler that asks for some gets the libxml2 reading.
      let hasAttributes = attributes.count > declared
      if hasAttributes, handler.wantsAttributes(of: element) { return false }
      do throws(XMLFailure) {
        try handler.handle(.start(element, attributes: []), line: line)
        if empty {
          try handler.handle(.end(element), line: line)
          if declared > 0 {
            bindings.removeLast(declared)
            named.removeAll(keepingCapacity: true)
          }
        } else {
          open.append(Open(qname: qname, name: element, bindings: declared))
        }
      } catch {
        return false
      }
      return true
    }

    /// What the qualified name `qname` names under the bindings in force, nil for a prefix
    /// not bound (or one that may not name an element). Remembered until the bindings change:
    /// a feed names a dozen kinds of element over and over.
    mutating func elementName(_ qname: Range<Int>, local: Int) -> XMLName? {
      // The first seven bytes and the length.
      var key = UInt64(qname.count) << 56
      for k in 0..<Swift.min(7, qname.count) { key |= UInt64(b[qname.lowerBound + k]) << (8 * UInt64(k)) }
      for n in named where n.key == key && (qname.count <= 7 || equal(n.at, qname)) { return n.name }
      let prefix = qname.lowerBound..<(local == qname.lowerBound ? qname.lowerBound : local - 1)
      guard !equal(prefix, "xml"), !equal(prefix, "xmlns"), let ns = namespace(of: prefix) else { return nil }
      let name = XMLName(namespace: ns, name: XMLVocabulary.index(of: UnsafeBufferPointer(rebasing: b[local..<qname.upperBound]), in: vocabulary.nameBytes))
      if named.count < 64 { named.append((key, qname, name)) }
      return name
    }

    func namespaceIndex(_ uri: Range<Int>) -> Int {
      XMLVocabulary.index(of: UnsafeBufferPointer(rebasing: b[uri]), in: vocabulary.namespaceBytes)
    }

    // MARK: Content

    /// The root's content up to and with its end tag.
    mutating func content<Handler: XMLEventHandler>(_ handler: inout Handler) -> Bool {
      // Bytes that end a run of character data: `< & >`, control bytes and bytes past ASCII
      // (checked one by one), found eight at a time.
      let lt = SWAR.ones &* UInt64(UInt8(ascii: "<"))
      let amp = SWAR.ones &* UInt64(UInt8(ascii: "&"))
      let gt = SWAR.ones &* UInt64(UInt8(ascii: ">"))
      let controls = SWAR.ones &* 0xE0
      var run = i
      while !open.isEmpty {
        while i + 8 <= b.count {
          let w = UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self)
          let stops = SWAR.zeroBytes(w ^ lt) | SWAR.zeroBytes(w ^ amp) | SWAR.zeroBytes(w ^ gt)
            | SWAR.zeroBytes(w & controls) | (w & SWAR.highs)
          if stops != 0 {
            i += SWAR.firstMarked(stops)
            break
          }
          i += 8
        }
        guard i < b.count else { return false }
        let c = b[i]
        if c == UInt8(ascii: "<") {
          guard text(from: run, &handler) else { return false }
          let next = at(i + 1)
          if next == UInt8(ascii: "/") {
            guard endTag(&handler) else { return false }
          } else if next == UInt8(ascii: "!") {
            guard starts(with: "<!--", at: i), comment() else { return false }
          } else {
            guard startTag(&handler) else { return false }
          }
          run = i
        } else if c == UInt8(ascii: "&") {
          guard text(from: run, &handler) else { return false }
          guard let scalar = reference() else { return false }
          do throws(XMLFailure) {
            try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4) { (out) throws(XMLFailure) in
              var n = 0
              for u in UTF8.encode(scalar)! {
                out[n] = u
                n += 1
              }
              try handler.handle(.text(UnsafeBufferPointer(rebasing: out[0..<n])), line: line)
            }
          } catch {
            return false
          }
          run = i
        } else if c == UInt8(ascii: ">") {
          // `]]>` may not stand in character data.
          if i >= run + 2, b[i - 1] == UInt8(ascii: "]"), b[i - 2] == UInt8(ascii: "]") { return false }
          i += 1
        } else {
          guard character() else { return false }
        }
      }
      return true
    }

    /// The character data from `run` to `i`, as an event.
    func text<Handler: XMLEventHandler>(from run: Int, _ handler: inout Handler) -> Bool {
      guard i > run else { return true }
      do throws(XMLFailure) {
        try handler.handle(.text(UnsafeBufferPointer(rebasing: b[run..<i])), line: line)
      } catch {
        return false
      }
      return true
    }

    /// An end tag at `i` (`</`): it must close the innermost open element.
    mutating func endTag<Handler: XMLEventHandler>(_ handler: inout Handler) -> Bool {
      i += 2
      guard let top = open.last, let (qname, _) = qualifiedName(), equal(qname, top.qname) else { return false }
      skipSpace()
      guard at(i) == UInt8(ascii: ">") else { return false }
      i += 1
      open.removeLast()
      do throws(XMLFailure) {
        try handler.handle(.end(top.name), line: line)
      } catch {
        return false
      }
      if top.bindings > 0 {
        bindings.removeLast(top.bindings)
        named.removeAll(keepingCapacity: true)
      }
      return true
    }

    /// A reference at `i` (`&`): the character it stands for, `i` moved past it; nil for an entity other than the five predefined, or a numeric
    /// reference to a code point that is not an XML character.
    mutating func reference() -> Unicode.Scalar? {
      var k = i + 1
      let scalar: Unicode.Scalar
      if at(k) == UInt8(ascii: "#") {
        k += 1
        var value: UInt32 = 0
        var digits = 0
        if at(k) == UInt8(ascii: "x") {
          k += 1
          while k < b.count, let d = ASCII.hexValue(b[k]) {
            value = value &* 16 &+ d
            digits += 1
            guard digits <= 6 else { return nil }
            k += 1
          }
        } else {
          while k < b.count, ASCII.isDigit(b[k]) {
            value = value &* 10 &+ UInt32(b[k] - 0x30)
            digits += 1
            guard digits <= 7 else { return nil }
            k += 1
          }
        }
        guard digits > 0, at(k) == UInt8(ascii: ";"), let u = Unicode.Scalar(value), Self.isXMLCharacter(value) else {
          return nil
        }
        scalar = u
        k += 1
      } else {
        let nameStart = k
        while k < b.count, ASCII.isLower(b[k]) { k += 1 }
        guard at(k) == UInt8(ascii: ";") else { return nil }
        let name = nameStart..<k
        if equal(name, "amp") {
          scalar = "&"
        } else if equal(name, "lt") {
          scalar = "<"
        } else if equal(name, "gt") {
          scalar = ">"
        } else if equal(name, "quot") {
          scalar = "\""
        } else if equal(name, "apos") {
          scalar = "'"
        } else {
          return nil
        }
        k += 1
      }
      i = k
      return scalar
    }

    static func isXMLCharacter(_ v: UInt32) -> Bool {
      v == 0x09 || v == 0x0A || v == 0x0D || (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v)
        || (0x10000...0x10FFFF).contains(v)
    }
  }
}
