import ArgumentParser
import BibKit
import Foundation
import Testing

@testable import BibKitCLI

#if canImport(Glibc)
  import Glibc
#endif

/// A real HTTP server on 127.0.0.1 that replays recorded responses in order.
final class ReplayServer: @unchecked Sendable {
  let port: UInt16
  private let fd: Int32
  private var responses: [(Int, [UInt8])]
  private let lock = NSLock()
  private(set) var paths: [String] = []
  /// Signalled when the serving thread has stopped accepting.
  private let finished = DispatchSemaphore(value: 0)

  init(_ responses: [(Int, [UInt8])]) throws {
    self.responses = responses
    let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var yes: Int32 = 1
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) } }
    listen(s, 8)
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) } }
    fd = s
    port = UInt16(bigEndian: addr.sin_port)
    let thread = Thread { [self] in self.serve() }
    thread.start()
  }

  var url: String { "http://127.0.0.1:\(port)/api/query" }

  private func serve() {
    defer { finished.signal() }
    while true {
      let c = accept(fd, nil, nil)
      if c < 0 { return }
      var request: [UInt8] = []
      var buf = [UInt8](repeating: 0, count: 4096)
      while !request.suffix(4).elementsEqual([13, 10, 13, 10]) {
        let n = buf.withUnsafeMutableBytes { recv(c, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        request += buf[0..<n]
      }
      let line = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self)
      let path = line.split(separator: " ").dropFirst().first.map(String.init) ?? ""
      lock.lock()
      paths.append(path)
      let (status, body) = responses.isEmpty ? (500, Array("no more responses".utf8)) : responses.removeFirst()
      lock.unlock()
      let head = "HTTP/1.1 \(status) X\r\nContent-Type: application/atom+xml\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
      let out = Array(head.utf8) + body
      _ = out.withUnsafeBytes { send(c, $0.baseAddress, $0.count, 0) }
      close(c)
    }
  }

  /// Stops accepting, and closes the socket only once the serving thread is out of
  /// `accept`: closed earlier, its number could go to the next test's server while this
  /// thread still waits on it, and this server would answer that test's requests.
  func stop() {
    shutdown(fd, Int32(SHUT_RDWR))
    finished.wait()
    close(fd)
  }
}

/// A clock that records sleeps instead of sleeping.
final class FakePacer: Pacing {
  var time = 1000.0
  var sleeps: [Double] = []
  func now() -> Double { time }
  func sleep(seconds: Double) {
    sleeps.append(seconds)
    time += seconds
  }
}

@Suite(.serialized) struct ArxivClientTests {
  init() {}

  static func feed(_ ids: [String], total: Int? = nil) -> [UInt8] {
    let entries = ids.map { id in
      """
      <entry><id>http://arxiv.org/abs/\(id)v1</id><title>Paper \(id)</title><published>2023-01-02T00:00:00Z</published>
      <updated>2023-01-02T00:00:00Z</updated><summary>About \(id).</summary><author><name>Ann Smith</name></author>
      <arxiv:primary_category term="cs.LG"/><category term="cs.LG"/></entry>
      """
    }.joined()
    return Array("""
      <?xml version='1.0' encoding='UTF-8'?>
      <feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
      <opensearch:totalResults>\(total ?? ids.count)</opensearch:totalResults>\(entries)</feed>
      """.utf8)
  }

  static let errorFeed = Array("""
    <?xml version='1.0' encoding='UTF-8'?>
    <feed xmlns="http://www.w3.org/2005/Atom"><entry><id>https://arxiv.org/api/errors#incorrect_id_format_for_abc</id>
    <title>Error</title><summary>incorrect id format for abc</summary><author><name>arXiv api core</name></author></entry></feed>
    """.utf8)

  func client(_ server: ReplayServer, _ pacer: FakePacer) -> ArxivClient {
    ArxivClient(base: server.url, fetcher: CurlFetcher(), pacer: pacer)
  }

  @Test func pagesAreSpacedByThreeSeconds() throws {
    let server = try ReplayServer([(200, Self.feed(["2301.00001", "2301.00002"], total: 4)), (200, Self.feed(["2301.00003", "2301.00004"], total: 4))])
    defer { server.stop() }
    let pacer = FakePacer()
    let c = client(server, pacer)
    c.pageSize = 2
    let papers = try c.search("au:smith", limit: 10)
    #expect(papers.compactMap { $0.identifiers.arxiv?.id } == ["2301.00001", "2301.00002", "2301.00003", "2301.00004"])
    #expect(c.requests.count == 2)
    #expect(c.requests[1].at - c.requests[0].at >= 3)
    #expect(pacer.sleeps == [3])
    #expect(server.paths[0].contains("search_query=au:smith") && server.paths[0].contains("start=0") && server.paths[0].contains("max_results=2"))
    #expect(server.paths[1].contains("start=2"))
  }

  @Test func retriesOn429And503WithBackoff() throws {
    let server = try ReplayServer([(429, []), (503, []), (200, Self.feed(["2301.00001"]))])
    defer { server.stop() }
    let pacer = FakePacer()
    let c = client(server, pacer)
    let papers = try c.fetch(ids: ["2301.00001"])
    #expect(papers.count == 1)
    #expect(c.requests.count == 3)
    // Backoff of 3 s then 6 s; no extra spacing wait since the backoff already covers it.
    #expect(pacer.sleeps == [3, 6])
    #expect(zip(c.requests, c.requests.dropFirst()).allSatisfy { $1.at - $0.at >= 3 })
  }

  @Test func retriesAnUnexpectedlyEmptyPage() throws {
    let server = try ReplayServer([(200, Self.feed([], total: 1)), (200, Self.feed(["2301.00001"]))])
    defer { server.stop() }
    let c = client(server, FakePacer())
    #expect(try c.fetch(ids: ["2301.00001"]).count == 1)
    #expect(c.requests.count == 2)
  }

  @Test func errorFeedIsAnError() throws {
    let server = try ReplayServer([(400, Self.errorFeed)])
    defer { server.stop() }
    #expect(throws: ArxivClient.Failure.self) { try client(server, FakePacer()).fetch(ids: ["abc"]) }
  }

  @Test func givesUpAfterFourTries() throws {
    let server = try ReplayServer([(503, []), (503, []), (503, []), (503, [])])
    defer { server.stop() }
    let c = client(server, FakePacer())
    #expect(throws: ArxivClient.Failure.self) { try c.fetch(ids: ["2301.00001"]) }
    #expect(c.requests.count == 4)
  }

  @Test func commandWritesTheRecords() throws {
    let server = try ReplayServer([(200, Self.feed(["2301.00001", "2301.00002"]))])
    defer { server.stop() }
    let command = try ArxivCommand.parse(["--id", "2301.00001", "2301.00002", "--to", "bibtex", "--api-url", server.url])
    let io = BufferIO()
    #expect(command.run(io: io, fetcher: CurlFetcher(), pacer: FakePacer()) == 0)
    let out = String(decoding: io.stdout, as: UTF8.self)
    #expect(out.components(separatedBy: "  eprint = {").count - 1 == 2)
    #expect(server.paths.first?.contains("id_list=2301.00001,2301.00002") == true)
  }

  @Test func resolveSearchesByTitleAndCompletes() throws {
    let profile = "Someone\n\nLGJan 2, 2023\nPaper 2301.00007\n\nAnn Smith et al.\n\nAbstract.\n"
    let dir = try Paths.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("p.txt").path
    #expect(FileManager.default.createFile(atPath: path, contents: Data(profile.utf8)))
    let server = try ReplayServer([(200, Self.feed(["2301.00007"]))])
    defer { server.stop() }
    let command = try ArxivCommand.parse(["--resolve", path, "--to", "csl-json", "--api-url", server.url, "--as-of", "2026-11-28"])
    let io = BufferIO()
    #expect(command.run(io: io, fetcher: CurlFetcher(), pacer: FakePacer()) == 0)
    let out = String(decoding: io.stdout, as: UTF8.self)
    #expect(out.contains("\"number\": \"arXiv:2301.00007\""))
    #expect(server.paths.first?.contains("ti:paper%20AND%20ti:2301") == true || server.paths.first?.contains("ti:paper") == true)
    #expect(io.stderr.contains("bibkit: resolve: 1 matched, 0 ambiguous, 0 unmatched (1 arXiv records)"))
  }

  @Test func queryResultsStreamPageByPage() throws {
    let server = try ReplayServer([(200, Self.feed(["2301.00001", "2301.00002"], total: 3)), (200, Self.feed(["2301.00003"], total: 3))])
    defer { server.stop() }
    let command = try ArxivCommand.parse(["--query", "au:smith", "--to", "csl-json", "--api-url", server.url])
    let io = BufferIO()
    #expect(command.run(io: io, fetcher: CurlFetcher(), pacer: FakePacer()) == 0)
    let items = try JSONSerialization.jsonObject(with: Data(io.stdout)) as? [[String: Any]]
    #expect(items?.compactMap { $0["number"] as? String } == ["arXiv:2301.00001", "arXiv:2301.00002", "arXiv:2301.00003"])
    #expect(io.stderr.last == "bibkit: wrote 3 csl-json entries from 2 arXiv requests to standard output; 0 warnings")
  }

  @Test func failureMidStreamKeepsThePreviousOutputFile() throws {
    let dir = try Paths.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("refs.bib").path
    #expect(FileManager.default.createFile(atPath: out, contents: Data("previous\n".utf8)))
    let server = try ReplayServer([(200, Self.feed(["2301.00001"], total: 2)), (503, []), (503, []), (503, []), (503, [])])
    defer { server.stop() }
    let command = try ArxivCommand.parse(["--query", "au:smith", "--to", "bibtex", "-o", out, "--api-url", server.url])
    let io = BufferIO()
    #expect(command.run(io: io, fetcher: CurlFetcher(), pacer: FakePacer()) == 65)
    #expect(try String(contentsOfFile: out, encoding: .utf8) == "previous\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["refs.bib"])
  }

  @Test func unreachableServerIsAnIOError() throws {
    let command = try ArxivCommand.parse(["--id", "2301.00001", "--to", "ris", "--api-url", "http://127.0.0.1:9/api/query"])
    let io = BufferIO()
    #expect(command.run(io: io, fetcher: CurlFetcher(), pacer: FakePacer()) == 74)
    #expect(io.stderr.last?.hasPrefix("bibkit: error: cannot reach the arXiv API") == true)
  }
}

/// Request URLs are built as Foundation's URLComponents built them when the client used
/// URLSession: the same bytes for the queries arXiv gets.
@Suite struct QueryURLTests {
  static func foundation(_ base: String, _ items: [(name: String, value: String)]) -> String {
    var c = URLComponents(string: base)!
    c.queryItems = items.map { URLQueryItem(name: $0.name, value: $0.value) }
    return c.string!
  }

  @Test(arguments: [
    "au:smith", "ti:paper AND ti:2301", "2301.00001,2301.00002", "au:smith+AND+ti:x", "a&b=c", "50% #1",
    "Kydlíček", "q?x/y@z", "(ti:a OR ti:b) ANDNOT au:c", "tab\there", "quote\"s'<>[]{}|\\^`",
  ])
  func sameAsURLComponents(value: String) {
    let items = [(name: "search_query", value: value), (name: "start", value: "0"), (name: "max_results", value: "100")]
    for base in ["https://export.arxiv.org/api/query", "http://127.0.0.1:8080/api/query"] {
      #expect(queryURL(base, items) == Self.foundation(base, items))
    }
  }

  @Test func schemes() {
    #expect(hasURLScheme("https://export.arxiv.org/api/query"))
    #expect(hasURLScheme("http://127.0.0.1:9/api/query"))
    #expect(!hasURLScheme("export.arxiv.org/api/query"))
    #expect(!hasURLScheme("not a url"))
    #expect(!hasURLScheme("1http://x"))
  }
}
