public import ArgumentParser
import BibKit

/// `bibkit check`: reads inputs and prints only the diagnostics, one per line, then a count.
public struct CheckCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Read bibliographies and report problems; write nothing.",
    discussion: "Exit status: 0 when there are no errors, 65 when there are, 66 when an input cannot be opened.")

  @Argument(help: "Input files; '-' or none reads standard input.")
  public var inputs: [String] = []

  @Option(help: "Input format (default: by file extension, then by content).")
  public var from: String?

  @Option(
    name: .customLong("as-of"),
    help: "Reference date (YYYY-MM-DD) for profile dates printed without a year; default today.")
  public var asOf: String?

  public init() {}

  public func validate() throws {
    if let from, FormatRegistry.standard.format(named: from) == nil {
      throw ValidationError("unknown input format '\(from)'; `bibkit formats` lists them")
    }
    if let asOf, PartialDate(iso: asOf)?.day == nil {
      throw ValidationError("--as-of takes a date as YYYY-MM-DD, not '\(asOf)'")
    }
  }

  public func run() throws {
    let status = check(io: ProcessIO(), keepUntilExit: true)
    if status != 0 { throw ExitCode(status) }
  }

  /// Runs the check against `io` and returns the exit status.
  public func check(io: any ConsoleIO, keepUntilExit: Bool = false) -> Int32 {
    var conversion = Conversion(
      inputs: inputs, from: from.flatMap { FormatRegistry.standard.format(named: $0)?.id },
      to: .bibtex, output: nil, asOf: ConvertCommand.referenceDate(asOf))
    conversion.checkOnly = true
    conversion.keepUntilExit = keepUntilExit
    return conversion.run(io: io)
  }
}
