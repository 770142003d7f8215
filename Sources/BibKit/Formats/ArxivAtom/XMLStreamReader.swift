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
  fileprivate var namespaceBytes: [[UInt8]]
  fileprivate var nameBytes: [[UInt8]]

  init(namespaces: [String], names: [String]) {
    self.namespaces = namespaces
    self.names = names
    namespaceBytes = namespaces.map { Array($0.utf8) }
    nameBytes = names.map { Array($0.utf8) }
  }

  /// The index of the NUL-terminated string `p` in `list`, or -1.
  fileprivate static func index(of p: UnsafePointer<xmlChar>?, in list: [[UInt8]]) -> Int {
    guard let p else { return -1 }
    let n = strlen(UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self))
    for (i, word) in list.enumerated() where word.count == n {
      if word.withUnsafeBufferPointer({ memcmp($0.baseAddress!, p, n) == 0 }) { return i }
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
    let options = Int32(
      XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
        | XML_PARSE_NOCDATA.rawValue | XML_PARSE_BIG_LINES.rawValue)
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
        if xmlTextReaderHasAttributes(reader) == 1 {
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
