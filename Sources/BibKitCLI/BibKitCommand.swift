public import ArgumentParser

/// The `bibkit` command: converts bibliographies between formats.
public struct BibKitCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "bibkit",
    abstract: "Convert bibliographies: profile text, BibTeX, arXiv Atom, CSL-JSON, RIS.",
    version: "0.1.0",
    subcommands: [ConvertCommand.self, CheckCommand.self, ArxivCommand.self, FormatsCommand.self]
  )

  public init() {}

  /// Runs the command line; the signal handling of ``Interruption`` is installed first.
  public static func runMain() {
    Interruption.install()
    main()
  }
}

/// Exit statuses, from BSD's sysexits (DESIGN.md, "Command-line contract").
public enum ExitStatus {
  public static let success: Int32 = 0
  public static let usage: Int32 = 64
  public static let dataError: Int32 = 65
  public static let noInput: Int32 = 66
  public static let cannotCreate: Int32 = 73
  public static let ioError: Int32 = 74
}
