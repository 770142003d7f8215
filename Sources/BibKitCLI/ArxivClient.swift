public import BibKit
public import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// Fetches a URL: the network in real use, anything in tests.
public protocol HTTPFetching: Sendable {
  func get(_ url: URL, timeout: Double) throws -> (status: Int, body: [UInt8])
}

/// Time, for keeping requests apart; tests pass a clock that does not sleep.
public protocol Pacing: AnyObject {
  func now() -> Double
  func sleep(seconds: Double)
}

/// The real clock.
public final class SystemPacer: Pacing {
  public init() {}
  public func now() -> Double { Date().timeIntervalSince1970 }
  public func sleep(seconds: Double) {
    if seconds > 0 { Thread.sleep(forTimeInterval: seconds) }
  }
}

/// HTTP GET with URLSession, one request at a time.
public struct URLSessionFetcher: HTTPFetching {
  public init() {}

  public func get(_ url: URL, timeout: Double) throws -> (status: Int, body: [UInt8]) {
    final class Box: @unchecked Sendable {
      var result: Result<(Int, [UInt8]), any Error> = .failure(URLError(.unknown))
    }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    var request = URLRequest(url: url, timeoutInterval: timeout)
    request.setValue("bibkit/0.1 (bibliography converter)", forHTTPHeaderField: "User-Agent")
    let session = URLSession(configuration: .ephemeral)
    let task = session.dataTask(with: request) { data, response, error in
      if let error {
        box.result = .failure(error)
      } else {
        box.result = .success(((response as? HTTPURLResponse)?.statusCode ?? 0, Array(data ?? Data())))
      }
      done.signal()
    }
    task.resume()
    done.wait()
    session.finishTasksAndInvalidate()
    let (status, body) = try box.result.get()
    return (status, body)
  }
}

/// A polite client for arXiv's API: pages of at most 100, at least 3 s between requests, one
/// request at a time, a timeout, and retries with backoff on 429 and 503 and on a page that is
/// unexpectedly empty.
public final class ArxivClient {
  public struct Failure: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
  }

  let base: URL
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

  public init(base: URL, fetcher: any HTTPFetching = URLSessionFetcher(), pacer: any Pacing = SystemPacer()) {
    self.base = base
    self.fetcher = fetcher
    self.pacer = pacer
  }

  func url(_ items: [URLQueryItem]) -> URL {
    var c = URLComponents(url: base, resolvingAgainstBaseURL: false)!
    c.queryItems = items
    return c.url!
  }

  /// One page, with spacing and retries. `expectEntries`: an empty page is a failure to retry.
  func page(_ items: [URLQueryItem], expectEntries: Bool) throws -> ReadResult {
    let u = url(items)
    var delay = spacing
    for attempt in 1...maxTries {
      if let last {
        let wait = last + spacing - pacer.now()
        if wait > 0 { pacer.sleep(seconds: wait) }
      }
      last = pacer.now()
      requests.append((u.absoluteString, last!))
      let status: Int
      let body: [UInt8]
      do {
        (status, body) = try fetcher.get(u, timeout: timeout)
      } catch {
        throw Failure(message: "cannot reach the arXiv API at \(base.absoluteString): \(error.localizedDescription)")
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
        result = try ArxivAtomReader().read(body, options: ReadOptions(source: u.absoluteString, asOf: PartialDate(year: 2000)))
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
        [URLQueryItem(name: "id_list", value: chunk.joined(separator: ",")),
         URLQueryItem(name: "start", value: "0"), URLQueryItem(name: "max_results", value: String(chunk.count))],
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
        [URLQueryItem(name: "search_query", value: query), URLQueryItem(name: "start", value: String(start)),
         URLQueryItem(name: "max_results", value: String(n))],
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
