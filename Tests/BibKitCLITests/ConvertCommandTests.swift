import ArgumentParser
import BibKit
import Foundation
import Testing

@testable import BibKitCLI

/// Buffers in place of the process's standard streams.
final class BufferIO: ConsoleIO {
  var stdin: [UInt8]
  var stdout: [UInt8] = []
  var stderr: [String] = []
  var failWrites = false

  init(stdin: [UInt8] = []) { self.stdin = stdin }

  func readStandardInput() throws -> [UInt8] { stdin }
  func writeStandardOutput(_ bytes: [UInt8]) throws {
    if failWrites { throw IOFailure(message: "No space left on device") }
    stdout += bytes
  }
  func writeStandardError(_ line: String) { stderr.append(line) }
}

enum Paths {
  static let root: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url
  }()
  static let seed = root.appendingPathComponent("seeds/martin-jaggi-profile.txt").path
  static let small = root.appendingPathComponent("Fixtures/profile/small.txt").path

  /// A fresh folder under the system's temporary folder (`bibkit-test-*`).
  static func tempDir() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bibkit-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
  }
}

@Suite struct ConvertCommandTests {
  /// Parses the arguments as the real command does, then runs against buffers.
  func run(_ args: [String], stdin: [UInt8] = []) throws -> (Int32, BufferIO) {
    let command = try ConvertCommand.parse(args + ["--as-of", "2026-11-28"])
    let io = BufferIO(stdin: stdin)
    return (command.conversion().run(io: io), io)
  }

  @Test func seedToEachFormat() throws {
    for (format, marker) in [("bibtex", "@misc{"), ("csl-json", "\"citation-key\""), ("ris", "TY  - ")] {
      let (status, io) = try run([Paths.seed, "--to", format])
      #expect(status == 0)
      #expect(String(decoding: io.stdout, as: UTF8.self).components(separatedBy: marker).count - 1 == 50)
      #expect(io.stderr.last?.hasPrefix("bibkit: read 50 papers (profile) from 1 input, wrote 50") == true)
      #expect(io.stderr.contains { $0.hasSuffix(":10:1: note: 50 of 158 papers listed") })
    }
  }

  @Test func standardInputToStandardOutput() throws {
    let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Paths.small)))
    let (status, io) = try run(["--to", "ris", "--quiet"], stdin: bytes)
    #expect(status == 0)
    let expected = try Data(contentsOf: Paths.root.appendingPathComponent("Fixtures/profile/small.out.ris"))
    #expect(io.stdout == Array(expected))
    #expect(io.stderr.isEmpty)
  }

  @Test func severalInputsKeepEveryEntryByDefault() throws {
    let (status, io) = try run([Paths.small, Paths.seed, "--to", "bibtex"])
    #expect(status == 0)
    let out = String(decoding: io.stdout, as: UTF8.self)
    #expect(out.components(separatedBy: "\n@misc{").count == 53)
    #expect(out.contains("@misc{vogels2019powersgda,") && out.contains("@misc{vogels2019powersgdb,"))
  }

  @Test func severalInputsAreReadInOrderAndTheSamePaperOnce() throws {
    let (status, io) = try run([Paths.small, Paths.seed, "--to", "bibtex", "--dedupe"])
    #expect(status == 0)
    let out = String(decoding: io.stdout, as: UTF8.self)
    // 3 + 50 papers, PowerSGD in both: 52 entries, PowerSGD once, with the first key.
    #expect(out.components(separatedBy: "\n@misc{").count == 52)
    #expect(out.hasPrefix("@misc{vogels2019powersgd,"))
    #expect(out.components(separatedBy: "vogels2019powersgd").count == 2)
    #expect(io.stderr.contains { $0.contains("note: 'vogels2019powersgd' is the same paper as") || $0.contains("is the same paper as") })
  }

  /// Joined inputs never share a key: a key an earlier input has is replaced by a
  /// generated one, with a warning, and keys generated for papers without one avoid the
  /// keys of every input (bibtex reports a repeated entry, biber skips it).
  @Test func severalInputsShareNoKey() throws {
    let dir = try Paths.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let bib = dir.appendingPathComponent("a.bib")
    let ris = dir.appendingPathComponent("b.ris")
    try "@article{k1, title={A}, year=2001}\n@article{doe2001deep, title={Other}, author={Roe, R}, year=2001}\n"
      .write(to: bib, atomically: true, encoding: .utf8)
    try "TY  - JOUR\nID  - K1\nTI  - B\nER  - \nTY  - JOUR\nTI  - Deep nets\nAU  - Doe, Jane\nPY  - 2001\nER  - \n"
      .write(to: ris, atomically: true, encoding: .utf8)
    let (status, io) = try run([bib.path, ris.path, "--to", "bibtex"])
    #expect(status == 0)
    let entries = String(decoding: io.stdout, as: UTF8.self).components(separatedBy: "\n\n")
    let keys = entries.compactMap { $0.split(separator: "{", maxSplits: 1).dropFirst().first?.split(separator: ",").first.map(String.init) }
    #expect(keys.count == 4)
    #expect(Set(keys.map { $0.lowercased() }).count == 4)
    // The first input keeps its keys; the second's papers get others.
    #expect(entries.contains { $0.hasPrefix("@article{k1,") && $0.contains("title = {A}") })
    #expect(entries.contains { $0.hasPrefix("@article{doe2001deep,") && $0.contains("title = {Other}") })
    #expect(!entries.contains { $0.contains("title = {B}") && $0.hasPrefix("@article{K1,") })
    #expect(!entries.contains { $0.contains("title = {Deep nets}") && $0.hasPrefix("@article{doe2001deep,") })
    #expect(io.stderr.contains("\(ris.path): warning: repeated key 'K1' (first in \(bib.path)); this paper gets a generated key"))
    // A key no input gave (the RIS paper without an ID) is not reported as repeated.
    #expect(io.stderr.filter { $0.contains("repeated key") }.count == 1)
    // One input alone keeps its key.
    let (_, alone) = try run([ris.path, "--to", "bibtex"])
    #expect(String(decoding: alone.stdout, as: UTF8.self).hasPrefix("@article{K1,"))
  }

  @Test func enrichFromAFeed() throws {
    let feed = Paths.root.appendingPathComponent("seeds/martin-jaggi-arxiv.xml").path
    let (status, io) = try run([Paths.seed, "--enrich", feed, "--to", "bibtex"])
    #expect(status == 0)
    let out = String(decoding: io.stdout, as: UTF8.self)
    #expect(out.components(separatedBy: "\n@misc{").count == 50)
    #expect(out.components(separatedBy: "  eprint = {").count - 1 == 6)
    let meditron = try #require(out.components(separatedBy: "\n\n").first { $0.contains("@misc{chen2023meditron,") })
    #expect(meditron.contains("Bosselut, Antoine},"))  // the 20th author ends the list
    #expect(!meditron.contains("and others"))
    #expect(io.stderr.contains("bibkit: enrich: 6 matched, 0 ambiguous, 44 unmatched (6 arXiv records)"))
    #expect(io.stderr.filter { $0.hasPrefix("  unmatched: ") }.count == 44)
  }

  @Test func emptyFile() throws {
    let dir = try Paths.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("empty.txt").path
    #expect(FileManager.default.createFile(atPath: path, contents: Data("\n  \n".utf8)))
    let (status, io) = try run([path, "--to", "bibtex"])
    #expect(status == 65)
    #expect(io.stderr == ["\(path):1:1: error: empty input"])
    #expect(io.stdout.isEmpty)
  }

  @Test func binaryFile() throws {
    let dir = try Paths.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("data.bin").path
    #expect(FileManager.default.createFile(atPath: path, contents: Data([0x7F, 0x45, 0x4C, 0x46, 0, 1, 2, 0xFF])))
    let (status, io) = try run([path, "--to", "ris"])
    #expect(status == 65)
    #expect(io.stderr == ["\(path):1:1: error: binary data, not a bibliography"])
  }

  @Test func fileInNoKnownFormat() throws {
    let dir = try Paths.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("notes.txt").path
    #expect(FileManager.default.createFile(atPath: path, contents: Data("Shopping list\nmilk\n".utf8)))
    let (status, io) = try run([path, "--to", "bibtex"])
    #expect(status == 65)
    #expect(io.stderr == ["\(path):1:1: error: cannot tell the format of this input; name it with --from"])
  }

  @Test func profileWithNoBlocks() throws {
    let (status, io) = try run(["--from", "profile", "--to", "bibtex"], stdin: Array("Shopping list\nmilk\n".utf8))
    #expect(status == 65)
    #expect(io.stderr.first == "<stdin>:1:1: error: no paper blocks found (expected lines like 'LGMay 31, 2019')")
  }

  @Test func missingFile() throws {
    let (status, io) = try run(["/nonexistent/refs.txt", "--to", "bibtex"])
    #expect(status == 66)
    #expect(io.stderr == ["/nonexistent/refs.txt: error: cannot open: No such file or directory"])
  }

  @Test func directoryAsInput() throws {
    let dir = try Paths.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (status, io) = try run([dir.path, "--to", "bibtex"])
    #expect(status == 66)
    #expect(io.stderr == ["\(dir.path): error: cannot open: is a directory"])
  }

  @Test func outputThatCannotBeCreated() throws {
    let (status, io) = try run([Paths.small, "--to", "bibtex", "-o", "/nonexistent/dir/out.bib"])
    #expect(status == 73)
    #expect(io.stderr.last == "/nonexistent/dir/out.bib: error: cannot create: No such file or directory")
  }

  @Test func outputIsReplacedAtomicallyAndKeptOnFailure() throws {
    let dir = try Paths.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("refs.bib").path
    #expect(FileManager.default.createFile(atPath: out, contents: Data("old content\n".utf8)))
    // A failing run (missing input) leaves the previous file as it was.
    let (bad, _) = try run(["/nonexistent.txt", "--to", "bibtex", "-o", out])
    #expect(bad == 66)
    #expect(try String(contentsOfFile: out, encoding: .utf8) == "old content\n")
    let (empty, _) = try run(["--from", "profile", "--to", "bibtex", "-o", out], stdin: [])
    #expect(empty == 65)
    #expect(try String(contentsOfFile: out, encoding: .utf8) == "old content\n")
    // A good run replaces it, and leaves no temporary file behind.
    let (good, io) = try run([Paths.small, "--to", "bibtex", "-o", out])
    #expect(good == 0)
    #expect(io.stdout.isEmpty)
    let expected = try String(contentsOf: Paths.root.appendingPathComponent("Fixtures/profile/small.out.bib"), encoding: .utf8)
    #expect(try String(contentsOfFile: out, encoding: .utf8) == expected)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["refs.bib"])
  }

  @Test func outputNamingAnInputIsRefused() throws {
    let dir = try Paths.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let input = dir.appendingPathComponent("p.txt").path
    try FileManager.default.copyItem(atPath: Paths.small, toPath: input)
    let before = try Data(contentsOf: URL(fileURLWithPath: input))
    let (status, io) = try run([input, "--to", "bibtex", "-o", input])
    #expect(status == 64)
    #expect(io.stderr == ["\(input): error: the output would overwrite the input '\(input)'"])
    #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before)
  }

  @Test func outputThatIsADirectoryIsRefused() throws {
    let dir = try Paths.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (status, io) = try run([Paths.small, "--to", "bibtex", "-o", dir.path])
    #expect(status == 73)
    #expect(io.stderr.last == "\(dir.path): error: cannot create: not a regular file")
  }

  @Test func writeErrorOnStandardOutput() throws {
    let command = try ConvertCommand.parse([Paths.small, "--to", "bibtex"])
    let io = BufferIO()
    io.failWrites = true
    #expect(command.conversion().run(io: io) == 74)
    #expect(io.stderr.last == "<stdout>: error: cannot write: No space left on device")
  }

  @Test func quietKeepsOnlyErrors() throws {
    let (status, io) = try run([Paths.seed, "--to", "bibtex", "--quiet"])
    #expect(status == 0)
    #expect(io.stderr.isEmpty)
  }

  @Test func readingAFormatWithoutAReaderIsAUsageError() throws {
    // A registry with a format BibKit can write but not read.
    var c = try ConvertCommand.parse(["--from", "ris", "--to", "bibtex"]).conversion()
    c.registry = FormatRegistry(FormatRegistry.standard.formats.map { f in
      var f = f
      if f.id == .ris { f.reader = nil }
      return f
    })
    let io = BufferIO(stdin: Array("TY  - JOUR\nER  - \n".utf8))
    #expect(c.run(io: io) == 64)
    #expect(io.stderr.first?.contains("reading RIS is not supported yet") == true)
  }

  @Test(arguments: [
    ["--to", "yaml"], ["--to", "profile"], ["--to", "bibtex", "--from", "word"],
    ["--to", "bibtex", "--as-of", "2026-13-01"], ["--to", "ris", "--ris-preprint-type", "JOUR"],
  ])
  func badArgumentsAreUsageErrors(args: [String]) {
    #expect(throws: (any Error).self) { try ConvertCommand.parse(args) }
    do {
      _ = try ConvertCommand.parse(args)
    } catch {
      #expect(ConvertCommand.exitCode(for: error).rawValue == 64)
    }
  }

  @Test func aliasesAndCaseAreAccepted() throws {
    let (status, io) = try run([Paths.small, "--to", "JSON", "--from", "Profile", "-q"])
    #expect(status == 0)
    #expect(io.stdout.first == UInt8(ascii: "["))
  }
}

/// Runs the built `bibkit` binary: the real exit codes and streams.
@Suite struct BinaryTests {
  static var binary: URL {
    Bundle.main.bundleURL.appendingPathComponent("bibkit")
  }

  func exec(_ args: [String], stdinPath: String? = nil) throws -> (Int32, String, String) {
    let p = Process()
    p.executableURL = Self.binary
    p.arguments = args
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    if let stdinPath { p.standardInput = FileHandle(forReadingAtPath: stdinPath) }
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
  }

  @Test func exitCodesAndCleanStandardOutput() throws {
    let (ok, out, err) = try exec(["convert", "--to", "bibtex", "--as-of", "2026-11-28"], stdinPath: Paths.seed)
    #expect(ok == 0)
    #expect(out.hasPrefix("@misc{chen2023meditron,\n"))
    #expect(err.contains("bibkit: read 50 papers"))
    let (usage, usageOut, _) = try exec(["convert", "--to", "yaml"])
    #expect(usage == 64)
    #expect(usageOut.isEmpty)
    let (missing, _, missingErr) = try exec(["convert", "/nonexistent.txt", "--to", "ris"])
    #expect(missing == 66)
    #expect(missingErr == "/nonexistent.txt: error: cannot open: No such file or directory\n")
  }

  @Test func formatsListsEveryFormatAndLibxml2() throws {
    let (status, out, _) = try exec(["formats"])
    #expect(status == 0)
    for id in ["profile", "bibtex", "arxiv", "csl-json", "ris"] { #expect(out.contains("\n" + id + " ")) }
    #expect(out.contains("libxml2 2."))
  }
}

@Suite struct CheckCommandTests {
  func check(_ args: [String], stdin: [UInt8] = []) throws -> (Int32, BufferIO) {
    let command = try CheckCommand.parse(args)
    let io = BufferIO(stdin: stdin)
    return (command.check(io: io), io)
  }

  @Test func cleanInputPrintsOnlyTheCount() throws {
    let (status, io) = try check(["--from", "bibtex"], stdin: Array("@misc{a, title={T}}\n@misc{b, title={U}}\n".utf8))
    #expect(status == 0)
    #expect(io.stdout.isEmpty)
    #expect(io.stderr == ["2 entries, 0 errors, 0 warnings"])
  }

  @Test func errorsAreListedAndExitIs65() throws {
    let text = "@misc{a, title={T}, title={again}}\n@misc{b title={U}}\n@misc{c, title={V}}\n"
    let (status, io) = try check(["--from", "bibtex"], stdin: Array(text.utf8))
    #expect(status == 65)
    #expect(io.stdout.isEmpty)
    #expect(io.stderr == [
      "<stdin>:1:21: warning: 'a': duplicate field 'title'; the first is kept",
      "<stdin>:2:9: error: expected ',' after the key 'b'",
      "2 entries, 1 error, 1 warning",
    ])
  }
}

/// Nothing is lost when a run fails or is interrupted: the built binary, with real signals,
/// a real full device and a file-size limit.
@Suite(.serialized) struct FailureSafetyTests {
  static var binary: URL { Bundle.main.bundleURL.appendingPathComponent("bibkit") }

  @Test func standardOutputOnAFullDevice() throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", "\"$0\" convert \"$1\" --to bibtex > /dev/full", Self.binary.path, Paths.small]
    let err = Pipe()
    p.standardError = err
    try p.run()
    let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    #expect(p.terminationStatus == 74)
    #expect(e.contains("<stdout>: error: cannot write: No space left on device"))
  }

  @Test func fullDiskKeepsThePreviousFile() throws {
    let dir = try Paths.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("refs.bib").path
    #expect(FileManager.default.createFile(atPath: out, contents: Data("previous\n".utf8)))
    // A 1 KiB file-size limit: the seed's BibTeX does not fit.
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", "ulimit -f 1; exec \"$0\" convert \"$1\" --to bibtex -o \"$2\"", Self.binary.path, Paths.seed, out]
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    #expect(p.terminationStatus == 74)
    #expect(try String(contentsOfFile: out, encoding: .utf8) == "previous\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["refs.bib"])
  }

  @Test(arguments: [SIGTERM, SIGINT])
  func interruptedRunKeepsThePreviousFile(signal: Int32) throws {
    let dir = try Paths.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("refs.bib").path
    #expect(FileManager.default.createFile(atPath: out, contents: Data("previous\n".utf8)))
    let p = Process()
    p.executableURL = Self.binary
    p.arguments = ["convert", "-", "--from", "profile", "--to", "bibtex", "-o", out]
    let input = Pipe()
    p.standardInput = input
    p.standardError = FileHandle.nullDevice
    try p.run()
    // Half the input, then the signal while bibkit waits for the rest.
    input.fileHandleForWriting.write(try Data(contentsOf: URL(fileURLWithPath: Paths.seed)).prefix(2000))
    Thread.sleep(forTimeInterval: 0.3)
    kill(p.processIdentifier, signal)
    p.waitUntilExit()
    #expect(p.terminationStatus == 128 + signal || p.terminationReason == .uncaughtSignal)
    #expect(try String(contentsOfFile: out, encoding: .utf8) == "previous\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["refs.bib"])
  }

  @Test func outputThatIsADeviceIsRefused() throws {
    let command = try ConvertCommand.parse([Paths.small, "--to", "bibtex", "-o", "/dev/null"])
    let io = BufferIO()
    #expect(command.conversion().run(io: io) == 73)
    #expect(io.stderr.last == "/dev/null: error: cannot create: not a regular file")
  }
}
