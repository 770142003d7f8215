public import BibKit

#if canImport(Glibc)
  import Glibc
#endif

/// What one fuzz target reads and, where the format has one, writes.
public struct FuzzTarget: Sendable {
  public var reader: any BibliographyReader
  public var writer: (any BibliographyWriter)?
  public var writeOptions: WriteOptions
  /// A further property of the input, checked on every run (reading in chunks or batches
  /// agrees with reading in one piece; for arXiv feeds also the byte-level keys-only reading
  /// with libxml2's).
  public var check: (@Sendable ([UInt8]) -> Bool)?
  /// The keys the writer writes for the papers, where it may write others than theirs (a
  /// BibTeX key BibTeX cannot read): the round trip expects those.
  public var writtenKeys: (@Sendable ([Paper]) -> [String])?

  public init(
    reader: any BibliographyReader, writer: (any BibliographyWriter)? = nil, writeOptions: WriteOptions = WriteOptions(),
    check: (@Sendable ([UInt8]) -> Bool)? = nil, writtenKeys: (@Sendable ([Paper]) -> [String])? = nil
  ) {
    self.reader = reader
    self.writer = writer
    self.writeOptions = writeOptions
    self.check = check
    self.writtenKeys = writtenKeys
  }
}

nonisolated(unsafe) var current: FuzzTarget?
nonisolated(unsafe) let roundTrip = getenv("BIBKIT_FUZZ_ROUNDTRIP").map { String(cString: $0) != "0" } ?? true
/// The chunk property follows the round trip unless BIBKIT_FUZZ_CHUNKS says otherwise.
nonisolated(unsafe) let chunks = getenv("BIBKIT_FUZZ_CHUNKS").map { String(cString: $0) != "0" } ?? roundTrip

/// libFuzzer's entry point. Property 1: reading never crashes or hangs (libFuzzer's timeout
/// catches hangs). Property 2, for formats with a writer: write(read(x)) reads back equal
/// Property 3, where the target has a check: that check (reading in chunks agrees with
/// reading in one piece, and the like). BIBKIT_FUZZ_ROUNDTRIP=0 checks property 1 alone; BIBKIT_FUZZ_CHUNKS=0 or 1 turns
/// property 3 off or on whatever the round trip is set to.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  guard let data, let target = current else { return 0 }
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  if chunks, let check = target.check, !check(bytes) { fatalError("the target's check failed: two readings of the input differ") }
  let options = ReadOptions(source: "fuzz", asOf: PartialDate(year: 2026, month: 11, day: 28))
  guard let first = try? target.reader.read(bytes, options: options) else { return 0 }
  if roundTrip, let writer = target.writer {
    let written = writer.write(first.papers, options: target.writeOptions).bytes
    guard let second = try? target.reader.read(written, options: options) else {
      fatalError("our own output does not read back")
    }
    var expected = first.papers
    if let keys = target.writtenKeys?(expected) {
      for i in expected.indices { expected[i].citationKey = keys[i] }
    }
    if second.papers != expected { fatalError("write(read(x)) reads back different papers") }
  }
  return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
  _ argc: UnsafeMutablePointer<CInt>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
  _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// Runs libFuzzer's driver on `target` with the process's arguments.
public func runFuzzer(_ target: FuzzTarget) -> Never {
  current = target
  var argc = CommandLine.argc
  var argv = CommandLine.unsafeArgv
  exit(runDriver(&argc, &argv) { data, size in fuzzOne(data, size) })
}
