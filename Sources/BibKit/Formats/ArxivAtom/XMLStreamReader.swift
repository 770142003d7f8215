#if canImport(Glibc)
  import Glibc
#endif
internal import CLibXML2

/// Facts about the libxml2 library BibKit is linked against.
public enum LibXML {
  /// The version of libxml2 in use, e.g. `2.9.14`.
  public static var version: String {
    xmlCheckVersion(20900)
    return String(cString: clibxml2_dotted_version())
  }
}

/// The words a caller of ``XMLStreamReader`` knows: namespace URIs and local names. Events
/// name an element by its index in these lists (or `-1` for one not listed), so the caller
/// matches integers and the reader makes no string for a name.
struct XMLVocabulary {
  var namespaces: [String]
  var names: [String]
  private(set) var namespaceBytes: [[UInt8]]
  private(set) var nameBytes: [[UInt8]]

  init(namespaces: [String], names: [String]) {
    self.namespaces = namespaces
    self.names = names
    namespaceBytes = namespaces.map { Array($0.utf8) }
    nameBytes = names.map { Array($0.utf8) }
  }

  /// The index of the NUL-terminated string `p` in `list`, or -1.
  fileprivate static func index(of p: UnsafePointer<xmlChar>?, in list: [[UInt8]]) -> Int {
    guard let p else { return -1 }
    return index(of: UnsafeBufferPointer(start: p, count: strlen(UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self))), in: list)
  }

  /// The index of the bytes `b` in `list`, or -1.
  static func index(of b: UnsafeBufferPointer<UInt8>, in list: [[UInt8]]) -> Int {
    for (i, word) in list.enumerated() where word.count == b.count {
      if b.isEmpty || word.withUnsafeBufferPointer({ memcmp($0.baseAddress!, b.baseAddress!, b.count) == 0 }) { return i }
    }
    return -1
  }
}

/// An element as events name it: indices into the ``XMLVocabulary``, `-1` when not listed.
struct XMLName: Equatable {
  var namespace: Int
  var name: Int
}

/// One event of a streamed XML document: namespace URIs and local names, never prefixes.
enum XMLEvent {
  /// An element starts; its attributes (local name and value, namespace declarations left
  /// out) come in document order.
  case start(XMLName, attributes: [(name: String, value: String)])
  case end(XMLName)
  /// Character data, valid only during the call that receives it.
  case text(UnsafeBufferPointer<UInt8>)
}

/// What receives a parse's events: a value the parse holds `inout`, so that its state is
/// not captured by a closure (whose captured variables are checked for exclusive access on
/// every use).
protocol XMLEventHandler {
  mutating func handle(_ event: XMLEvent, line: Int) throws(XMLFailure)
  /// Whether the start of `element`, the next event, should carry its attributes: when
  /// not, it comes with none, and no string is made for them.
  func wantsAttributes(of element: XMLName) -> Bool
}

extension XMLEventHandler {
  func wantsAttributes(of element: XMLName) -> Bool { true }
}

/// An XML document that could not be read, with libxml2's line and column.
struct XMLFailure: Error {
  var message: String
  var line: Int
  var column: Int
}

/// A streaming XML reader on libxml2's `xmlTextReader`. This is the only file that imports
/// libxml2.
///
/// Safety: the document is parsed from memory with `XML_PARSE_NONET`, never with `NOENT`,
/// `DTDLOAD`, `DTDATTR`, `DTDVALID`, `XINCLUDE` or `HUGE`. A document type declaration or
/// an entity reference is refused before any of its text reaches the caller, so external
/// entities (XXE) and entity expansion (billion laughs) cannot happen. libxml2's own limits
/// stay on (nesting deeper than 256 elements is an error).
enum XMLStreamReader {
  private static let initialize: Void = { xmlInitParser() }()

  static func parse<Handler: XMLEventHandler>(
    _ bytes: [UInt8], url: String, vocabulary: XMLVocabulary, into events: inout Handler
  ) throws(XMLFailure) {
    _ = initialize
    // A document the SAX pass reads to the end gives the events the text reader would: it
    // is read once, without the reader's tree. Any other goes to the text reader from the
    // start, which reports the error as it always has.
    let fresh = events
    if SAXPass.run(bytes, vocabulary: vocabulary, into: &events) { return }
    events = fresh
    try readWithTextReader(bytes, url: url, vocabulary: vocabulary, into: &events)
  }

  /// The options of both passes.
  fileprivate static let options = Int32(
    XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
      | XML_PARSE_NOCDATA.rawValue | XML_PARSE_BIG_LINES.rawValue)

  /// The reference reading, on libxml2's `xmlTextReader`.
  static func readWithTextReader<Handler: XMLEventHandler>(
    _ bytes: [UInt8], url: String, vocabulary: XMLVocabulary, into events: inout Handler
  ) throws(XMLFailure) {
    _ = initialize
    // libxml2's messages go to this handler, never to standard error: set for this thread
    // (libxml2 keeps it per thread) while the reader is made and runs, and on the reader.
    // The first error is kept, for parses that stop without reporting failure.
    let errors = FirstError()
    let box = Unmanaged.passRetained(errors)
    defer { box.release() }
    let handler: xmlStructuredErrorFunc = { context, error in
      guard let context, let error, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
      let first = Unmanaged<FirstError>.fromOpaque(context).takeUnretainedValue()
      guard first.failure == nil else { return }
      let message = error.pointee.message.map { String(cString: $0).trimmingSpaces() } ?? "malformed XML"
      first.failure = XMLFailure(message: message, line: max(1, Int(error.pointee.line)), column: max(1, Int(error.pointee.int2)))
    }
    xmlSetStructuredErrorFunc(box.toOpaque(), handler)
    defer { xmlSetStructuredErrorFunc(nil, nil) }
    let result: Result<Void, XMLFailure> = bytes.withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) { chars in
        guard
          let reader = xmlReaderForMemory(
            chars.baseAddress, Int32(chars.count), url, nil, options)
        else {
          return .failure(errors.failure ?? XMLFailure(message: "cannot start the XML reader", line: 1, column: 1))
        }
        defer { xmlFreeTextReader(reader) }
        xmlResetLastError()
        xmlTextReaderSetStructuredErrorHandler(reader, handler, box.toOpaque())
        do throws(XMLFailure) {
          try loop(reader, bytes: chars, vocabulary: vocabulary, into: &events)
          if let failure = errors.failure { return .failure(failure) }
          return .success(())
        } catch {
          return .failure(errors.failure ?? error)
        }
      }
    }
    try result.get()
  }

  /// The first error libxml2 reported during one parse.
  private final class FirstError {
    var failure: XMLFailure?
  }

  private static func string(_ p: UnsafePointer<xmlChar>?) -> String {
    guard let p else { return "" }
    return String(cString: p)
  }

  private static func failure(_ reader: OpaquePointer, _ message: String) -> XMLFailure {
    XMLFailure(
      message: message, line: Int(xmlTextReaderGetParserLineNumber(reader)),
      column: max(1, Int(xmlTextReaderGetParserColumnNumber(reader))))
  }

  /// Line and column (1-based, in bytes) of the first occurrence of `needle`.
  private static func position(of needle: String, in b: UnsafeBufferPointer<CChar>) -> (Int, Int)? {
    let n = Array(needle.utf8).map { CChar(bitPattern: $0) }
    guard b.count >= n.count else { return nil }
    var line = 1
    var lineStart = 0
    for i in 0...(b.count - n.count) {
      if b[i] == 0x0A {
        line += 1
        lineStart = i + 1
      }
      if b[i] == n[0], Array(b[i..<(i + n.count)]) == n { return (line, i - lineStart + 1) }
    }
    return nil
  }

  private static func loop<Handler: XMLEventHandler>(
    _ reader: OpaquePointer, bytes: UnsafeBufferPointer<CChar>, vocabulary: XMLVocabulary,
    into handler: inout Handler
  ) throws(XMLFailure) {
    func elementName() -> XMLName {
      XMLName(
        namespace: XMLVocabulary.index(of: xmlTextReaderConstNamespaceUri(reader), in: vocabulary.namespaceBytes),
        name: XMLVocabulary.index(of: xmlTextReaderConstLocalName(reader), in: vocabulary.nameBytes))
    }
    while true {
      let status = xmlTextReaderRead(reader)
      if status == 0 { return }
      if status < 0 {
        var message = "malformed XML"
        if let err = xmlGetLastError(), let m = err.pointee.message {
          message = String(cString: m).trimmingSpaces()
          throw XMLFailure(
            message: message, line: Int(err.pointee.line), column: max(1, Int(err.pointee.int2)))
        }
        throw failure(reader, message)
      }
      let line = Int(xmlTextReaderGetParserLineNumber(reader))
      switch Int32(xmlTextReaderNodeType(reader)) {
      case Int32(XML_READER_TYPE_ELEMENT.rawValue):
        // An element's own line (the line of its start tag), not the parser's position,
        // which runs ahead by what libxml2 has buffered.
        let node = xmlGetLineNo(xmlTextReaderCurrentNode(reader))
        let line = node > 0 ? Int(node) : line
        let name = elementName()
        let empty = xmlTextReaderIsEmptyElement(reader) == 1
        var attributes: [(name: String, value: String)] = []
        if handler.wantsAttributes(of: name), xmlTextReaderHasAttributes(reader) == 1 {
          while xmlTextReaderMoveToNextAttribute(reader) == 1 {
            if xmlTextReaderIsNamespaceDecl(reader) == 1 { continue }
            attributes.append(
              (string(xmlTextReaderConstLocalName(reader)), string(xmlTextReaderConstValue(reader))))
          }
          xmlTextReaderMoveToElement(reader)
        }
        try handler.handle(.start(name, attributes: attributes), line: line)
        if empty { try handler.handle(.end(name), line: line) }
      case Int32(XML_READER_TYPE_END_ELEMENT.rawValue):
        try handler.handle(.end(elementName()), line: line)
      case Int32(XML_READER_TYPE_TEXT.rawValue), Int32(XML_READER_TYPE_CDATA.rawValue),
        Int32(XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue):
        guard let value = xmlTextReaderConstValue(reader) else { continue }
        try handler.handle(
          .text(UnsafeBufferPointer(start: value, count: strlen(UnsafeRawPointer(value).assumingMemoryBound(to: CChar.self)))),
          line: line)
      case Int32(XML_READER_TYPE_DOCUMENT_TYPE.rawValue):
        let message = "a document type declaration (DOCTYPE) is not allowed"
        if let (line, column) = position(of: "<!DOCTYPE", in: bytes) {
          throw XMLFailure(message: message, line: line, column: column)
        }
        throw failure(reader, message)
      case Int32(XML_READER_TYPE_ENTITY_REFERENCE.rawValue):
        throw failure(
          reader, "entity reference '&\(string(xmlTextReaderConstLocalName(reader)));' is not allowed")
      default:
        continue
      }
    }
  }
}

/// A reading of a whole document through libxml2's SAX2 callbacks that hands a handler the
/// events ``XMLStreamReader/readWithTextReader(_:url:vocabulary:into:)`` would, for a
/// document both read to the end. It builds no tree: libxml2's share of converting a 2 MB
/// feed falls from about 100 M instructions to 37 M.
///
/// The events are the text reader's: an element's start (with its own line: the parser's
/// line once its start tag is read, as libxml2 notes it on the node) and its end; and
/// between them the same text, though cut into other pieces (as libxml2 hands it over).
/// Attribute values come as the tree has them: the SAX2 callback carries an `&` of the
/// document as `&#38;`, which is turned back. Lines of other events are the parser's.
///
/// The pass gives up (and the caller reads with the text reader) at any error or warning
/// at error level, at a document type declaration or an entity reference (refused before
/// anything of them is read further), and when the handler throws.
enum SAXPass {
  /// Reads `bytes` into `events`; false when the pass gave up.
  static func run<Handler: XMLEventHandler>(
    _ bytes: [UInt8], vocabulary: XMLVocabulary, into events: inout Handler
  ) -> Bool {
    guard bytes.count < Int(Int32.max) else { return false }
    let driver = Driver(handler: events, vocabulary: vocabulary)
    let h = handlers
    let box = Unmanaged.passUnretained(driver as DriverBase)
    // Messages raised away from the parser (an encoding that cannot be converted) go to the
    // thread's handler: this one while the pass runs, so that none reaches standard error.
    xmlSetStructuredErrorFunc(box.toOpaque(), h.serror)
    defer { xmlSetStructuredErrorFunc(nil, nil) }
    let done: Bool = bytes.withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) { chars in
        guard let ctxt = xmlCreateMemoryParserCtxt(chars.baseAddress, Int32(chars.count)) else { return false }
        defer {
          if let doc = ctxt.pointee.myDoc { xmlFreeDoc(doc) }
          xmlFreeParserCtxt(ctxt)
        }
        _ = xmlCtxtUseOptions(ctxt, XMLStreamReader.options)
        ctxt.pointee.sax.pointee = h
        ctxt.pointee.userData = box.toOpaque()
        driver.ctxt = ctxt
        let status = withExtendedLifetime(driver) { xmlParseDocument(ctxt) }
        driver.ctxt = nil
        return status == 0 && ctxt.pointee.wellFormed != 0 && !driver.gaveUp
      }
    }
    guard done else { return false }
    events = driver.handler
    return true
  }

  /// The callbacks: every one not set is left to libxml2's defaults of no callback.
  private static var handlers: xmlSAXHandler {
    var h = xmlSAXHandler()
    h.initialized = UInt32(XML_SAX2_MAGIC)
    h.startElementNs = { ctx, localname, _, uri, _, _, count, _, attributes in
      DriverBase.from(ctx).start(localname, uri, Int(count), attributes)
    }
    h.endElementNs = { ctx, localname, _, uri in DriverBase.from(ctx).end(localname, uri) }
    h.characters = { ctx, ch, len in DriverBase.from(ctx).characters(ch, Int(len)) }
    // Blanks come through `characters` too (libxml2 then never calls them ignorable).
    h.ignorableWhitespace = h.characters
    h.internalSubset = { ctx, _, _, _ in DriverBase.from(ctx).giveUp() }
    h.reference = { ctx, _ in DriverBase.from(ctx).giveUp() }
    // An error only marks the pass: libxml2 stops the parse itself at a fatal one, and
    // stopping it from inside its error path (a failed encoding conversion) is not safe.
    h.serror = { ctx, error in
      guard let error, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
      DriverBase.from(ctx).gaveUp = true
    }
    return h
  }

  /// The state the callbacks share; the handler's type is known only to the subclass.
  ///
  /// The callbacks run one at a time on the thread of the parse and never call each other,
  /// so the properties skip the run-time exclusivity checks (about 30 M instructions of a
  /// 2 MB feed's conversion when they were on).
  class DriverBase {
    @exclusivity(unchecked) var ctxt: xmlParserCtxtPtr?
    @exclusivity(unchecked) var gaveUp = false
    let vocabulary: XMLVocabulary
    /// Names already looked up, by the address libxml2 gives them: its names and namespace
    /// URIs are interned in the parser's dictionary, so one address is one string for the
    /// whole parse. Names and URIs apart: the same string can be both.
    @exclusivity(unchecked) var knownNames: [(string: UnsafePointer<xmlChar>, index: Int)] = []
    @exclusivity(unchecked) var knownNamespaces: [(string: UnsafePointer<xmlChar>, index: Int)] = []

    init(vocabulary: XMLVocabulary) {
      self.vocabulary = vocabulary
      knownNames.reserveCapacity(32)
      knownNamespaces.reserveCapacity(8)
    }

    static func from(_ ctx: UnsafeMutableRawPointer?) -> DriverBase {
      Unmanaged<DriverBase>.fromOpaque(ctx!).takeUnretainedValue()
    }

    func emit(_ event: XMLEvent, line: Int) {}

    func wantsAttributes(of element: XMLName) -> Bool { true }

    func giveUp() {
      gaveUp = true
      if let ctxt { xmlStopParser(ctxt) }
    }

    var line: Int {
      guard let input = ctxt?.pointee.input else { return 1 }
      return Int(input.pointee.line)
    }

    /// Text is handed on as libxml2 gives it.
    func characters(_ ch: UnsafePointer<xmlChar>?, _ len: Int) {
      guard let ch, len > 0, !gaveUp else { return }
      emit(.text(UnsafeBufferPointer(start: ch, count: len)), line: line)
    }

    static func index(
      of p: UnsafePointer<xmlChar>?, in list: [[UInt8]], known: inout [(string: UnsafePointer<xmlChar>, index: Int)]
    ) -> Int {
      guard let p else { return -1 }
      for k in known where k.string == p { return k.index }
      let index = XMLVocabulary.index(of: p, in: list)
      known.append((p, index))
      return index
    }

    func name(_ localname: UnsafePointer<xmlChar>?, _ uri: UnsafePointer<xmlChar>?) -> XMLName {
      XMLName(
        namespace: Self.index(of: uri, in: vocabulary.namespaceBytes, known: &knownNamespaces),
        name: Self.index(of: localname, in: vocabulary.nameBytes, known: &knownNames))
    }

    func start(
      _ localname: UnsafePointer<xmlChar>?, _ uri: UnsafePointer<xmlChar>?, _ count: Int,
      _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    ) {
      guard !gaveUp else { return }
      let element = name(localname, uri)
      var list: [(name: String, value: String)] = []
      if count > 0, let attributes, wantsAttributes(of: element) {
        list.reserveCapacity(count)
        for k in 0..<count {
          let a = attributes + 5 * k
          guard let local = a[0], let start = a[3], let end = a[4] else { continue }
          list.append((String(cString: local), Self.attributeValue(UnsafeBufferPointer(start: start, count: end - start))))
        }
      }
      emit(.start(element, attributes: list), line: line)
    }

    func end(_ localname: UnsafePointer<xmlChar>?, _ uri: UnsafePointer<xmlChar>?) {
      guard !gaveUp else { return }
      emit(.end(name(localname, uri)), line: line)
    }

    /// An attribute's value as the tree holds it: `&#38;` (how the SAX2 callback carries an
    /// `&` when entities are not replaced) becomes `&` again.
    static func attributeValue(_ v: UnsafeBufferPointer<UInt8>) -> String {
      guard v.contains(UInt8(ascii: "&")) else { return String(decoding: v, as: UTF8.self) }
      var out: [UInt8] = []
      out.reserveCapacity(v.count)
      let amp = Array("&#38;".utf8)
      var i = 0
      while i < v.count {
        if v[i] == UInt8(ascii: "&"), i + amp.count <= v.count, v[i..<(i + amp.count)].elementsEqual(amp) {
          out.append(UInt8(ascii: "&"))
          i += amp.count
        } else {
          out.append(v[i])
          i += 1
        }
      }
      return String(decoding: out, as: UTF8.self)
    }
  }

  final class Driver<Handler: XMLEventHandler>: DriverBase {
    @exclusivity(unchecked) var handler: Handler

    init(handler: Handler, vocabulary: XMLVocabulary) {
      self.handler = handler
      super.init(vocabulary: vocabulary)
    }

    override func wantsAttributes(of element: XMLName) -> Bool { handler.wantsAttributes(of: element) }

    override func emit(_ event: XMLEvent, line: Int) {
      do throws(XMLFailure) {
        try handler.handle(event, line: line)
      } catch {
        giveUp()
      }
    }
  }
}
