public import ArgumentParser
import BibKit

/// `bibkit formats`: the table of formats, what each can do, and the libxml2 in use.
public struct FormatsCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "formats", abstract: "List the formats BibKit reads and writes.")

  @Flag(help: "Print which facts of a paper survive each conversion (a Markdown table).")
  public var fields = false

  public init() {}

  public func run() throws {
    print(fields ? Capabilities.markdownTable() : Self.table(FormatRegistry.standard))
  }

  static func table(_ registry: FormatRegistry) -> String {
    func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
    var lines = [pad("id", 10) + pad("aliases", 18) + pad("read", 6) + pad("write", 7) + "extensions"]
    for f in registry.formats {
      lines.append(
        pad(f.id.rawValue, 10) + pad(f.aliases.joined(separator: ","), 18)
          + pad(f.reader == nil ? "-" : "yes", 6) + pad(f.writer == nil ? "-" : "yes", 7)
          + (f.extensions.isEmpty ? "-" : f.extensions.map { "." + $0 }.joined(separator: " ")))
    }
    lines.append("")
    lines.append("libxml2 \(LibXML.version)")
    return lines.joined(separator: "\n")
  }
}
