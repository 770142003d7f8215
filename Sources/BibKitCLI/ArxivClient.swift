public import BibKit

#if canImport(Glibc)
  import Glibc
#endif

/// Fetches a URL: the network in real use, anything in tests.
public protocol HTTPFetching: Sendable {
  func get(_ url: String, timeout: Double) throws -> (status: Int, body: [UInt8])
}

/// Time, for keeping requests apart; tests pass a clock that does not sleep.
public protocol Pacing: AnyObject {
  func now() -> Double
  func sleep(seconds: Double)
}

/// The real clock.
public final class SystemPacer: Pacing {
  public init() {}
  public func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_REALTIME, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
  }
  public func sleep(seconds: Double) {
    guard seconds > 0 else { return }
    var left = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
    var rest = timespec()
    while nanosleep(&left, &rest) == -1, errno == EINTR { left = rest }
  }
}

/// HTTP GET with libcurl, one request at a time.
///
/// libcurl is opened when the first request is made, not linked: a command that never
/// fetches does not load it, nor the TLS and other libraries it needs (Foundation's
/// URLSession, used before, made every run load them and about 17 MiB more).
public struct CurlFetcher: HTTPFetching {
  public init() {}

  public func get(_ url: String, timeout: Double) throws -> (status: Int, body: [UInt8]) {
    let curl = try Curl.library.get()
    guard let handle = curl.easyInit() else { throw ArxivClient.Failure(message: "libcurl cannot start a transfer") }
    defer { curl.easyCleanup(handle) }
    final class Sink {
      var body: [UInt8] = []
    }
    let sink = Sink()
    let write: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
      data, size, count, context in
      let n = size * count
      if let data, let context, n > 0 {
        Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue().body.append(
          contentsOf: UnsafeRawBufferPointer(start: data, count: n))
      }
      return n
    }
    // libcurl copies the strings it is given. Every option must take, or nothing is sent.
    var code: Int32 = 0
    withExtendedLifetime(sink) {
      let codes = [
        url.withCString { curl.setPointer(handle, Curl.url, $0) },
        "bibkit/0.1 (bibliography converter)".withCString { curl.setPointer(handle, Curl.userAgent, $0) },
        // Every encoding libcurl can decode (gzip for arXiv's feeds).
        "".withCString { curl.setPointer(handle, Curl.acceptEncoding, $0) },
        curl.setPointer(handle, Curl.writeFunction, unsafeBitCast(write, to: UnsafeRawPointer.self)),
        curl.setPointer(handle, Curl.writeData, UnsafeRawPointer(Unmanaged.passUnretained(sink).toOpaque())),
        curl.setLong(handle, Curl.followLocation, 1),
        curl.setLong(handle, Curl.noSignal, 1),
        curl.setLong(handle, Curl.timeoutMS, Int(timeout * 1000)),
      ]
      code = codes.first { $0 != 0 } ?? curl.perform(handle)
    }
    guard code == 0 else {
      throw ArxivClient.Failure(message: curl.strerror(code).map { String(cString: $0) } ?? "libcurl error \(code)")
    }
    var status = 0
    _ = curl.getLong(handle, Curl.responseCode, &status)
    return (status, sink.body)
  }
}

/// libcurl's easy interface, found at run time.
enum Curl {
  // Option and information numbers from curl.h.
  static let writeData: Int32 = 10001, url: Int32 = 10002, userAgent: Int32 = 10018, acceptEncoding: Int32 = 10102
  static let writeFunction: Int32 = 20011
  static let followLocation: Int32 = 52, noSignal: Int32 = 99, timeoutMS: Int32 = 155
  static let responseCode: Int32 = 0x200002

  /// The functions used. `curl_easy_setopt` and `curl_easy_getinfo` take a variable
  /// argument; they are called through prototypes with the one argument each call passes
  /// (a pointer or a long), which the x86-64 and ARM64 Linux calling conventions pass as
  /// they would a variable one.
  struct Library: @unchecked Sendable {
    var easyInit: @convention(c) () -> OpaquePointer?
    var setPointer: @convention(c) (OpaquePointer?, Int32, UnsafeRawPointer?) -> Int32
    var setLong: @convention(c) (OpaquePointer?, Int32, Int) -> Int32
    var getLong: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<Int>) -> Int32
    var perform: @convention(c) (OpaquePointer?) -> Int32
    var easyCleanup: @convention(c) (OpaquePointer?) -> Void
    var strerror: @convention(c) (Int32) -> UnsafePointer<CChar>?
  }

  static let library: Result<Library, ArxivClient.Failure> = {
    let names: [String] = ["libcurl.so.4", "libcurl.so", "libcurl-gnutls.so.4"]
    guard let handle = names.lazy.compactMap({ (name: String) in dlopen(name, RTLD_NOW) }).first else {
      return .failure(ArxivClient.Failure(message: "fetching from arXiv needs libcurl (libcurl.so.4), which is not installed"))
    }
    func symbol<T>(_ name: String, as: T.Type) -> T? { dlsym(handle, name).map { unsafeBitCast($0, to: T.self) } }
    guard let globalInit = symbol("curl_global_init", as: (@convention(c) (Int) -> Int32).self),
      let easyInit = symbol("curl_easy_init", as: (@convention(c) () -> OpaquePointer?).self),
      let setPointer = symbol("curl_easy_setopt", as: (@convention(c) (OpaquePointer?, Int32, UnsafeRawPointer?) -> Int32).self),
      let setLong = symbol("curl_easy_setopt", as: (@convention(c) (OpaquePointer?, Int32, Int) -> Int32).self),
      let getLong = symbol("curl_easy_getinfo", as: (@convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<Int>) -> Int32).self),
      let perform = symbol("curl_easy_perform", as: (@convention(c) (OpaquePointer?) -> Int32).self),
      let easyCleanup = symbol("curl_easy_cleanup", as: (@convention(c) (OpaquePointer?) -> Void).self),
      let strerror = symbol("curl_easy_strerror", as: (@convention(c) (Int32) -> UnsafePointer<CChar>?).self)
    else {
      return .failure(ArxivClient.Failure(message: "the libcurl found lacks the functions bibkit needs"))
    }
    // CURL_GLOBAL_DEFAULT: SSL and the platform's sockets.
    _ = globalInit(3)
    return .success(
      Library(
        easyInit: easyInit, setPointer: setPointer, setLong: setLong, getLong: getLong, perform: perform,
        easyCleanup: easyCleanup, strerror: strerror))
  }()
}

/// A URL with a query: `base` (without any query or fragment it has) and each name and value
/// percent-encoded as URL query components are, `+` and `:` and `,` left as they are.
func queryURL(_ base: String, _ items: [(name: String, value: String)]) -> String {
  func encoded(_ s: String) -> String {
    var out = ""
    for c in s.utf8 {
      if ASCIIQuery.allowed(c) {
        out.unicodeScalars.append(Unicode.Scalar(c))
      } else {
        out += "%" + String(decoding: [ASCIIQuery.hex[Int(c >> 4)], ASCIIQuery.hex[Int(c & 15)]], as: UTF8.self)
      }
    }
    return out
  }
  let head = base.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
    .split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
  return head + "?" + items.map { encoded($0.name) + "=" + encoded($0.value) }.joined(separator: "&")
}

enum ASCIIQuery {
  /// Upper-case hexadecimal digits, as percent-encoding writes them.
  static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

  static func isLetter(_ c: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
  }

  static func isLetterOrDigit(_ c: UInt8) -> Bool { isLetter(c) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) }

  /// Bytes a query name or value keeps as they are: letters, digits, `-._~` and
  /// `!$'()*+,;:@/?`; `&`, `=` and `#` would end the part, and everything else is encoded.
  static func allowed(_ c: UInt8) -> Bool {
    isLetterOrDigit(c) || "-._~!$'()*+,;:@/?".utf8.contains(c)
  }
}

/// Whether `s` begins with a URL scheme and its colon (`https:`), and has no space.
func hasURLScheme(_ s: String) -> Bool {
  let u = s.utf8
  guard let colon = u.firstIndex(of: UInt8(ascii: ":")), let first = u.first, ASCIIQuery.isLetter(first) else { return false }
  return u[..<colon].allSatisfy { ASCIIQuery.isLetterOrDigit($0) || "+-.".utf8.contains($0) } && !u.contains(UInt8(ascii: " "))
}

/// A polite client for arXiv's API: pages of at most 100, at least 3 s between requests, one
/// request at a time, a timeout, and retries with backoff on 429 and 503 and on a page that is
/// unexpectedly empty.
public final class ArxivClient {
  public struct Failure: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
  }

  let base: String
  let fetcher: any HTTPFetching
  let pacer: any Pacing
  public var spacing = 3.0
  public var timeout = 30.0
  public var maxTries = 4
  public var pageSize = 100
  /// Each request made, in order, with the time it was sent (for tests and the log).
  public private(set) var requests: [(url: String, at: Double)] = []
  var last: Double?
  /// Called with a line for standard error (retries, waits).
  public var log: (String) -> Void = { _ in }

  public init(base: String, fetcher: any HTTPFetching = CurlFetcher(), pacer: any Pacing = SystemPacer()) {
    self.base = base
    self.fetcher = fetcher
    self.pacer = pacer
  }

  func url(_ items: [(name: String, value: String)]) -> String { queryURL(base, items) }

  /// One page, with spacing and retries. `expectEntries`: an empty page is a failure to retry.
  func page(_ items: [(name: String, value: String)], expectEntries: Bool) throws -> ReadResult {
    let u = url(items)
    var delay = spacing
    for attempt in 1...maxTries {
      if let last {
        let wait = last + spacing - pacer.now()
        if wait > 0 { pacer.sleep(seconds: wait) }
      }
      last = pacer.now()
      requests.append((u, last!))
      let status: Int
      let body: [UInt8]
      do {
        (status, body) = try fetcher.get(u, timeout: timeout)
      } catch {
        throw Failure(message: "cannot reach the arXiv API at \(base): \(error)")
      }
      if status == 429 || status == 503 {
        guard attempt < maxTries else { throw Failure(message: "the arXiv API answered \(status) \(maxTries) times; giving up") }
        log("bibkit: arXiv answered \(status); retrying in \(Int(delay)) s")
        pacer.sleep(seconds: delay)
        delay *= 2
        continue
      }
      let result: ReadResult
      do {
        result = try ArxivAtomReader().read(body, options: ReadOptions(source: u, asOf: PartialDate(year: 2000)))
      } catch {
        throw Failure(message: error.description)
      }
      if let e = result.diagnostics.first(where: { $0.severity == .error }) {
        throw Failure(message: e.message)
      }
      guard status < 400 else { throw Failure(message: "the arXiv API answered HTTP \(status)") }
      if expectEntries, result.papers.isEmpty, (result.metadata?.declaredPaperCount ?? 1) != 0 || attempt == 1 {
        if attempt < maxTries {
          log("bibkit: arXiv sent an empty page; retrying in \(Int(delay)) s")
          pacer.sleep(seconds: delay)
          delay *= 2
          continue
        }
      }
      return result
    }
    throw Failure(message: "no answer from the arXiv API")
  }

  /// Records for arXiv ids, in pages of at most `pageSize`; `onPage` sees each page as it
  /// arrives.
  public func fetch(ids: [String], onPage: ([Paper]) throws -> Void = { _ in }) throws -> [Paper] {
    var papers: [Paper] = []
    var start = 0
    while start < ids.count {
      let chunk = Array(ids[start..<min(ids.count, start + pageSize)])
      let r = try page(
        [("id_list", chunk.joined(separator: ",")), ("start", "0"), ("max_results", String(chunk.count))],
        expectEntries: true)
      try onPage(r.papers)
      papers += r.papers
      start += chunk.count
    }
    return papers
  }

  /// Records for a search query, page by page, up to `limit`.
  public func search(_ query: String, limit: Int, onPage: ([Paper]) throws -> Void = { _ in }) throws -> [Paper] {
    var papers: [Paper] = []
    var start = 0
    var total = Int.max
    while start < min(total, limit) {
      let n = min(pageSize, limit - start)
      let r = try page(
        [("search_query", query), ("start", String(start)), ("max_results", String(n))],
        expectEntries: start > 0)
      total = r.metadata?.declaredPaperCount ?? 0
      try onPage(r.papers)
      papers += r.papers
      if r.papers.isEmpty { break }
      start += r.papers.count
    }
    return papers
  }

  /// A title search that survives arXiv's query parser: every word as `ti:word`, joined by
  /// AND (colons and hyphens in titles derail phrase queries).
  public static func titleQuery(_ title: String) -> String {
    Matcher.titleWords(title).filter { $0.count > 2 || $0.allSatisfy(\.isNumber) }.prefix(12)
      .map { "ti:\($0)" }.joined(separator: " AND ")
  }
}
