public import ArgumentParser
import BibKit

/// `bibkit arxiv`: records from arXiv's API, by id, by query, or to complete a profile.
public struct ArxivCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "arxiv",
    abstract: "Fetch records from the arXiv API and write them in a format.",
    discussion: """
      Polite to arXiv: pages of at most 100, at least 3 s between requests, one request at a \
      time, a timeout, and retries with backoff on 429, 503 and unexpectedly empty pages. \
      --resolve searches arXiv by title for each profile paper without an arXiv id and \
      completes the matches as `convert --enrich` does.
      """)

  @Option(name: .customLong("id"), parsing: .upToNextOption, help: "arXiv ids to fetch.")
  public var ids: [String] = []

  @Option(help: "An arXiv API search query (search_query), e.g. 'au:jaggi AND cat:cs.LG'.")
  public var query: String?

  @Option(help: "A profile whose papers without an arXiv id are searched by title and completed.")
  public var resolve: String?

  @Option(help: "Output format: bibtex, biblatex, csl-json or ris.")
  public var to: String

  @Option(name: .shortAndLong, help: "Write to PATH instead of standard output.")
  public var output: String?

  @Option(name: .customLong("api-url"), help: "The arXiv API endpoint.")
  public var apiURL = "https://export.arxiv.org/api/query"

  @Option(help: "At most this many records for --query.")
  public var max = 100

  @Option(name: .customLong("as-of"), help: "Reference date (YYYY-MM-DD) for profile dates without a year.")
  public var asOf: String?

  @Flag(name: .shortAndLong, help: "Print only errors on standard error.")
  public var quiet = false

  public init() {}

  public func validate() throws {
    let modes = [!ids.isEmpty, query != nil, resolve != nil].filter { $0 }.count
    guard modes == 1 else { throw ValidationError("give exactly one of --id, --query or --resolve") }
    guard let f = FormatRegistry.standard.format(named: to), f.writer != nil else {
      throw ValidationError("bibkit cannot write '\(to)'; use bibtex, biblatex, csl-json or ris")
    }
    guard hasURLScheme(apiURL) else { throw ValidationError("--api-url is not a URL: \(apiURL)") }
    guard (1...10000).contains(max) else { throw ValidationError("--max takes 1 to 10000") }
  }

  public func run() throws {
    let status = run(io: ProcessIO(), fetcher: CurlFetcher(), pacer: SystemPacer())
    if status != 0 { throw ExitCode(status) }
  }

  /// --id and --query: each page is written as it arrives (to standard output, or to a
  /// temporary file renamed over -o at the end; a failure leaves a previous -o file as it was).
  func stream(client: ArxivClient, io: any ConsoleIO) -> Int32 {
    var options = WriteOptions()
    options.bibtexDialect = to.lowercased() == "biblatex" ? .biblatex : .bibtex
    guard let format = FormatRegistry.standard.format(named: to)?.id,
      var writer = StreamingWriter(format: format, options: options)
    else {
      io.writeStandardError("bibkit: error: bibkit cannot write '\(to)'")
      return ExitStatus.usage
    }
    var file: FileIO.AtomicFile?
    if let output, output != "-" {
      do { file = try FileIO.AtomicFile(path: output) } catch {
        if case .cannotCreate(let why) = error { io.writeStandardError("\(output): error: cannot create: \(why)") }
        return ExitStatus.cannotCreate
      }
    }
    var count = 0
    var warnings = 0
    do {
      func put(_ bytes: [UInt8]) throws {
        if let file { try file.append(bytes) } else { try io.writeStandardOutput(bytes) }
      }
      let onPage = { (papers: [Paper]) throws in
        let r = writer.write(papers)
        for d in r.diagnostics where !quiet { io.writeStandardError(d.description) }
        warnings += r.diagnostics.count
        count += papers.count
        for part in r.parts { try put(part) }
      }
      if let query {
        _ = try client.search(query, limit: max, onPage: onPage)
      } else {
        _ = try client.fetch(ids: ids, onPage: onPage)
      }
      let end = writer.finish()
      for d in end.diagnostics where !quiet { io.writeStandardError(d.description) }
      warnings += end.diagnostics.count
      for part in end.parts { try put(part) }
      try file?.commit()
    } catch let e as ArxivClient.Failure {
      file?.abort()
      io.writeStandardError("bibkit: error: \(e.message)")
      return e.message.hasPrefix("cannot reach") ? ExitStatus.ioError : ExitStatus.dataError
    } catch {
      file?.abort()
      io.writeStandardError("bibkit: error: cannot write: \(error)")
      return ExitStatus.ioError
    }
    if !quiet {
      io.writeStandardError(
        "bibkit: wrote \(count) \(format) entries from \(client.requests.count) arXiv request\(client.requests.count == 1 ? "" : "s") to \(output ?? "standard output"); \(warnings) warning\(warnings == 1 ? "" : "s")")
    }
    return ExitStatus.success
  }

  /// Runs against the given I/O, network and clock; returns the exit status.
  public func run(io: any ConsoleIO, fetcher: any HTTPFetching, pacer: any Pacing) -> Int32 {
    guard hasURLScheme(apiURL) else {
      io.writeStandardError("bibkit: error: --api-url is not a URL: \(apiURL)")
      return ExitStatus.usage
    }
    let client = ArxivClient(base: apiURL, fetcher: fetcher, pacer: pacer)
    if !quiet { client.log = { io.writeStandardError($0) } }
    let registry = FormatRegistry.standard
    var conversion = Conversion(
      inputs: [], from: nil, to: registry.format(named: to)?.id ?? FormatID(to), output: output,
      asOf: ConvertCommand.referenceDate(asOf))
    conversion.quiet = quiet
    conversion.writeOptions.bibtexDialect = to.lowercased() == "biblatex" ? .biblatex : .bibtex
    guard let path = resolve else {
      return stream(client: client, io: io)
    }
    do {
      let bytes: [UInt8]
      do { bytes = try FileIO.readFile(path: path) } catch {
        io.writeStandardError("\(path): error: cannot open: \(error.reason)")
        return ExitStatus.noInput
      }
      let profile = try ProfileReader().read(bytes, options: ReadOptions(source: path, asOf: conversion.asOf))
      var records: [Paper] = []
      for p in profile.papers where p.identifiers.arxiv?.id == nil {
        let q = ArxivClient.titleQuery(p.title?.plainText ?? "")
        if !q.isEmpty { records += try client.search(q, limit: 5) }
      }
      let (enriched, outcomes) = Enrichment.enrich(profile.papers, with: Deduplication.run(records).papers)
      if !quiet {
        let count = { (s: Enrichment.Outcome.Status) in outcomes.filter { $0.status == s }.count }
        io.writeStandardError("bibkit: resolve: \(count(.matched)) matched, \(count(.ambiguous)) ambiguous, \(count(.unmatched)) unmatched (\(records.count) arXiv records)")
        for o in outcomes { io.writeStandardError("  " + o.description) }
      }
      conversion.preloaded = (enriched, apiURL)
    } catch let e as ArxivClient.Failure {
      io.writeStandardError("bibkit: error: \(e.message)")
      return e.message.hasPrefix("cannot reach") ? ExitStatus.ioError : ExitStatus.dataError
    } catch {
      io.writeStandardError("bibkit: error: \(error)")
      return ExitStatus.dataError
    }
    return conversion.run(io: io)
  }
}
