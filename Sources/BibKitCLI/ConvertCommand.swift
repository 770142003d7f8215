public import ArgumentParser
import BibKit

/// `bibkit convert`: reads inputs in order into one bibliography and writes it in one format.
public struct ConvertCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "convert",
    abstract: "Convert bibliographies from one format to another.",
    discussion: """
      Reads standard input when no INPUT (or '-') is given. Results go to standard output, or \
      to -o PATH, replaced atomically. Diagnostics and a summary go to standard error.
      Exit status: 0 success, 64 usage error, 65 invalid input, 66 input cannot be opened, \
      73 output cannot be created, 74 other I/O error.
      """)

  @Argument(help: "Input files; '-' or none reads standard input.")
  public var inputs: [String] = []

  @Option(help: "Output format: bibtex (classic BibTeX), biblatex, csl-json or ris.")
  public var to: String

  @Option(help: "Input format (default: by file extension, then by content).")
  public var from: String?

  @Option(name: .shortAndLong, help: "Write to PATH instead of standard output.")
  public var output: String?

  @Flag(help: "Stop at the first error in an input.")
  public var strict = false

  @Flag(name: .shortAndLong, help: "Print only errors on standard error.")
  public var quiet = false

  @Option(
    name: .customLong("as-of"),
    help: "Reference date (YYYY-MM-DD) for profile dates printed without a year; default today.")
  public var asOf: String?

  @Option(
    name: .customLong("arxiv-date"),
    help: "arXiv feeds: date papers by their first version (published, default) or this version (updated).")
  public var arxivDate = "published"

  @Option(name: .customLong("enrich"), help: "An arXiv Atom feed to complete the papers from (repeatable).")
  public var enrich: [String] = []

  @Flag(help: "Read the same paper arriving twice (two inputs, or twice in one) only once.")
  public var dedupe = false

  @Flag(help: "BibTeX: write non-ASCII letters as LaTeX escapes ({\\'e}).")
  public var ascii = false

  @Option(
    name: .customLong("ris-preprint-type"),
    help: "RIS: the TY of preprints, UNPB (default) or GEN (Zotero's).")
  public var risPreprintType = "UNPB"

  public init() {}

  public func validate() throws {
    guard let target = FormatRegistry.standard.format(named: to) else {
      throw ValidationError("unknown output format '\(to)'; `bibkit formats` lists them")
    }
    guard target.writer != nil else {
      throw ValidationError("bibkit cannot write \(target.displayName); use bibtex, csl-json or ris")
    }
    if let from, FormatRegistry.standard.format(named: from) == nil {
      throw ValidationError("unknown input format '\(from)'; `bibkit formats` lists them")
    }
    if let asOf, PartialDate(iso: asOf)?.day == nil {
      throw ValidationError("--as-of takes a date as YYYY-MM-DD, not '\(asOf)'")
    }
    guard ArxivDateChoice(rawValue: arxivDate) != nil else {
      throw ValidationError("--arxiv-date takes published or updated, not '\(arxivDate)'")
    }
    guard ["UNPB", "GEN"].contains(risPreprintType.uppercased()) else {
      throw ValidationError("--ris-preprint-type takes UNPB or GEN, not '\(risPreprintType)'")
    }
  }

  /// The conversion these arguments describe.
  public func conversion() -> Conversion {
    let registry = FormatRegistry.standard
    let reference = Self.referenceDate(asOf)
    var c = Conversion(
      inputs: inputs, from: from.flatMap { registry.format(named: $0)?.id },
      to: registry.format(named: to)?.id ?? FormatID(to), output: output, asOf: reference)
    c.strict = strict
    c.quiet = quiet
    c.arxivDate = ArxivDateChoice(rawValue: arxivDate) ?? .published
    c.enrichFeeds = enrich
    c.dedupe = dedupe
    c.writeOptions = WriteOptions(asciiOnly: ascii, risPreprintType: risPreprintType.uppercased())
    c.writeOptions.bibtexDialect = to.lowercased() == "biblatex" ? .biblatex : .bibtex
    return c
  }

  /// The `--as-of` date, or today.
  static func referenceDate(_ asOf: String?) -> PartialDate {
    if let asOf, let d = PartialDate(iso: asOf) { return d }
    let t = FileIO.today()
    return PartialDate(year: t.year, month: t.month, day: t.day)
  }

  public func run() throws {
    var c = conversion()
    c.keepUntilExit = true
    let status = c.run(io: ProcessIO())
    if status != 0 { throw ExitCode(status) }
  }
}
