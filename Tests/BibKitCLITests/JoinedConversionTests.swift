import ArgumentParser
import BibKit
import Foundation
import Testing

@testable import BibKitCLI

/// Several large inputs are read twice, a batch at a time (``JoinedInputs``): the run must
/// look exactly like one that reads every input whole and joins them: the same output, the
/// same messages in the same order (keys an earlier input has, inputs without papers), the
/// same generated keys, the same exit status, and no output when an input fails.
@Suite struct JoinedConversionTests {
  typealias Run = BatchedConversionTests.Run

  /// RIS records: some without an ID, some whose ID a BibTeX entry has in another case
  /// (`A7` for `a7`), IDs repeated within the file, and papers alike in author and year so
  /// that their generated keys collide with each other and with the CSL-JSON items'.
  static let ris: String = (0..<40).map { i -> String in
    var r = "TY  - JOUR\r\n"
    switch i % 5 {
    case 0: break
    case 1: r += "ID  - A\(6 * (i / 5) + 1)\r\n"
    case 2: r += "ID  - r\(i % 3)\r\n"
    default: r += "ID  - ris\(i)\r\n"
    }
    r += "AU  - Doe, Jane\r\nTI  - Deep \(i % 2 == 0 ? "learning" : "nets")\r\nPY  - 200\(i % 3)\r\nER  - \r\n"
    return r
  }.joined()

  /// CSL-JSON items: keys the BibTeX and RIS inputs have (`k4`, `K10`, `r0`), one repeated
  /// within the file, and items without a key alike to the RIS records without an ID.
  static let csl: String = {
    let items = (0..<30).map { i -> String in
      let id: String
      switch i % 6 {
      case 0: id = ""
      case 1: id = "\"id\": \"\(i % 2 == 0 ? "k4" : "K10")\", "
      case 2: id = "\"id\": \"r0\", "
      case 3: id = "\"id\": \"twice\", "
      default: id = "\"id\": \"csl\(i)\", "
      }
      return "{\(id)\"type\": \"article-journal\", \"title\": \"Deep \(i % 2 == 0 ? "learning" : "nets")\", \"author\": [{\"family\": \"Doe\", \"given\": \"Jane\"}], \"issued\": {\"date-parts\": [[200\(i % 3)]]}}"
    }
    return "[\n" + items.joined(separator: ",\n") + "\n]\n"
  }()

  /// Writes the inputs into a new folder: the BibTeX input of ``BatchedConversionTests``,
  /// the RIS and CSL-JSON above, and a BibTeX file with no entries.
  static func inputs() throws -> (URL, [String]) {
    let (dir, bib) = try BatchedConversionTests.inputFile()
    var files = [bib]
    for (name, text) in [("refs.ris", ris), ("refs.json", csl), ("none.bib", "@comment{nothing here}\n")] {
      let f = dir.appendingPathComponent(name)
      try Data(text.utf8).write(to: f)
      files.append(f.path)
    }
    return (dir, files)
  }

  /// Runs `bibkit convert FILES ARGS` (or `check`), with standard input `stdin`, reading the
  /// inputs whole and joining them, or read twice in batches of a few hundred bytes.
  static func run(
    _ files: [String], _ args: [String], stdin: String = "", check: Bool = false, joined: Bool, batched: Bool = true
  ) throws -> Run {
    var conversion = try ConvertCommand.parse(files + args + ["--as-of", "2026-11-28"]).conversion()
    conversion.checkOnly = check
    let counter = BatchedConversionTests.Counter()
    if joined {
      conversion.joinedThreshold = 0
      conversion.registry = BatchedConversionTests.registry(counter)
    } else {
      conversion.joinedThreshold = .max
    }
    let io = BufferIO(stdin: Array(stdin.utf8))
    let status = conversion.run(io: io)
    // The joined run read the large inputs in batches, and read them twice.
    if joined, batched, !check, status == 0 { #expect(counter.batches > 6, "the run was batched") }
    return Run(status: status, stdout: io.stdout, stderr: io.stderr)
  }

  static func both(
    _ files: [String], _ args: [String], stdin: String = "", check: Bool = false, batched: Bool = true
  ) throws -> (whole: Run, joined: Run) {
    (
      try run(files, args, stdin: stdin, check: check, joined: false),
      try run(files, args, stdin: stdin, check: check, joined: true, batched: batched)
    )
  }

  @Test(arguments: ["bibtex", "csl-json", "ris"])
  func sameRunAsJoiningWholeReads(to: String) throws {
    let (dir, files) = try Self.inputs()
    defer { try? FileManager.default.removeItem(at: dir) }
    // Standard input between the files: the RIS records once more, every key now repeated.
    let (whole, joined) = try Self.both([files[0], files[1], "-", files[2], files[3]], ["--to", to], stdin: Self.ris)
    #expect(whole.status == 0)
    #expect(whole.stdout.count > 5000)
    #expect(whole.stderr.contains { $0.hasSuffix("refs.ris: warning: repeated key 'A7' (first in \(files[0])); this paper gets a generated key") })
    #expect(whole.stderr.contains { $0 == "<stdin>: warning: repeated key 'ris3' (first in \(files[1])); this paper gets a generated key" })
    #expect(whole.stderr.contains { $0.hasSuffix("refs.json: warning: repeated key 'K10' (first in \(files[0])); this paper gets a generated key") })
    #expect(whole.stderr.contains { $0 == "\(files[3]): note: no papers in this input" })
    #expect(whole.stderr.last?.hasPrefix("bibkit: read 154 papers (bibtex+csl-json+ris) from 5 inputs") == true)
    #expect(joined == whole)
  }

  /// arXiv feeds come without keys from a whole read, so two copies of a feed share no key:
  /// every paper gets a key made for the whole, with no warning. The profile is read whole.
  @Test(arguments: ["bibtex", "csl-json"])
  func feedsAndProfilesJoined(to: String) throws {
    let (dir, files) = try Self.inputs()
    defer { try? FileManager.default.removeItem(at: dir) }
    let feed = Paths.root.appendingPathComponent("seeds/martin-jaggi-arxiv.xml").path
    let (whole, joined) = try Self.both([feed, files[1], feed, Paths.seed], ["--to", to])
    #expect(whole.status == 0)
    #expect(!whole.stderr.contains { $0.contains("arxiv.xml: warning: repeated key") })
    // The feed's six papers twice: each base key twice, so each key with a suffix.
    let text = String(decoding: whole.stdout, as: UTF8.self)
    #expect(text.contains("vogels2019powersgda") && text.contains("vogels2019powersgdb"))
    #expect(joined == whole)
  }

  /// `--strict` stops at the first error, in the first pass, before anything is written;
  /// without errors it converts as the lenient run does.
  @Test func sameStrictRun() throws {
    let (dir, files) = try Self.inputs()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (whole, joined) = try Self.both([files[1], files[0], files[2]], ["--to", "ris", "--strict"], batched: false)
    #expect(whole.status == 65)
    #expect(whole.stdout.isEmpty)
    #expect(whole.stderr.last?.contains("big.bib:") == true)
    #expect(joined == whole)
    let feed = Paths.root.appendingPathComponent("seeds/martin-jaggi-arxiv.xml").path
    let (wholeFine, joinedFine) = try Self.both([feed, feed], ["--to", "csl-json", "--strict"], batched: false)
    #expect(wholeFine.status == 0)
    #expect(wholeFine.stdout.count > 1000)
    #expect(joinedFine == wholeFine)
  }

  @Test func sameCheck() throws {
    let (dir, files) = try Self.inputs()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (whole, joined) = try Self.both(files, ["--to", "bibtex"], check: true)
    #expect(whole.status == 65)
    // The BibTeX input's 20; 5 IDs and 12 keys repeated within the RIS and the CSL-JSON;
    // 8 RIS IDs the BibTeX has, and 2 CSL-JSON keys (K10, r0) an earlier input has.
    #expect(whole.stderr.last == "114 entries, 10 errors, 47 warnings")
    #expect(joined == whole)
  }

  /// An input that yields nothing but errors stops the run before anything is written,
  /// after the messages of the inputs before it; the inputs after it are not read.
  @Test(arguments: [false, true])
  func inputWithOnlyErrorsWritesNothing(toFile: Bool) throws {
    let (dir, files) = try Self.inputs()
    defer { try? FileManager.default.removeItem(at: dir) }
    let broken = dir.appendingPathComponent("broken.bib")
    try Data((0..<20).map { "@misc{b\($0) title = {no comma}}\n" }.joined().utf8).write(to: broken)
    let out = dir.appendingPathComponent("out.json").path
    #expect(FileManager.default.createFile(atPath: out, contents: Data("old\n".utf8)))
    let args = ["--to", "csl-json"] + (toFile ? ["-o", out] : [])
    let (whole, joined) = try Self.both([files[0], files[1], broken.path, files[2]], args)
    #expect(whole.status == 65)
    #expect(whole.stdout.isEmpty)
    #expect(whole.stderr.last?.hasPrefix(broken.path + ":20:") == true)
    #expect(!whole.stderr.contains { $0.contains("refs.json") })
    #expect(joined == whole)
    #expect(try String(contentsOfFile: out, encoding: .utf8) == "old\n")
  }

  /// The keys made for papers without one are those of the whole, in either run: each is
  /// the one `CitationKeys.assign` gives over every paper of every input, once.
  @Test func generatedKeysAreTheWholeBibliographys() throws {
    let (dir, files) = try Self.inputs()
    defer { try? FileManager.default.removeItem(at: dir) }
    let joined = try Self.run(Array(files[1...2]), ["--to", "csl-json"], joined: true)
    #expect(joined.status == 0)
    let items = try #require(try JSONSerialization.jsonObject(with: Data(joined.stdout)) as? [[String: Any]])
    let keys = items.compactMap { $0["id"] as? String }
    #expect(keys.count == 70)
    #expect(Set(keys.map { $0.lowercased() }).count == 70)
    // 8 RIS records and 5 items without a key, 5 records and 12 items whose key is repeated
    // within the file, and the item with r0, which the RIS has: 31 papers by Jane Doe get
    // keys made from doe, the year and "deep".
    #expect(keys.filter { $0.hasPrefix("doe200") }.count == 31)
  }

  static let corpora = Paths.root.appendingPathComponent("../shared/corpora").standardizedFileURL
  static var corporaAvailable: Bool { FileManager.default.fileExists(atPath: corpora.appendingPathComponent("ris").path) }

  /// Real files joined: groups of two to four files of the corpora (BibTeX, RIS, CSL-JSON,
  /// arXiv feeds, under 300 KB), chosen by a seeded generator, each converted to one of the
  /// three formats both ways. Skipped when the corpora are absent.
  @Test(.enabled(if: corporaAvailable))
  func corpusFilesJoined() throws {
    var files: [String] = []
    for (folder, ext) in [("bibtex", "bib"), ("ris", "ris"), ("csl-json", "json"), ("arxiv", "xml")] {
      let root = Self.corpora.appendingPathComponent(folder)
      let found = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
      files += found.filter { $0.hasSuffix("." + ext) }.sorted().map { root.appendingPathComponent($0).path }
        .filter { (1..<300_000).contains(FileIO.size(path: $0)) }
    }
    try #require(files.count > 100)
    var state: UInt64 = 0x101E
    func next(_ n: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(n))
    }
    var (succeeded, repeated) = (0, 0)
    for round in 0..<60 {
      let group = (0..<(2 + next(3))).map { _ in files[next(files.count)] }
      let to = ["bibtex", "csl-json", "ris"][round % 3]
      // Small files give few batches each.
      let (whole, joined) = try Self.both(group, ["--to", to], batched: false)
      #expect(joined == whole, "\(group) --to \(to)")
      if whole.status == 0 { succeeded += 1 }
      if whole.stderr.contains(where: { $0.contains("repeated key") }) { repeated += 1 }
    }
    // Most groups convert, and some share keys across their files.
    #expect(succeeded > 40)
    #expect(repeated > 0)
  }
}
