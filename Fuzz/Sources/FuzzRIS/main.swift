import BibKit

#if canImport(Glibc)
  import Glibc
#endif

nonisolated(unsafe) let roundTrip = getenv("BIBKIT_FUZZ_ROUNDTRIP").map { String(cString: $0) != "0" } ?? true

/// libFuzzer entry point for the RIS reader. Property 1: reading never crashes or hangs
/// (libFuzzer's timeout catches hangs). Property 2: write(read(x)) reads back equal.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  guard let data else { return 0 }
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let reader = RISReader()
  let readOptions = ReadOptions(source: "fuzz", asOf: PartialDate(year: 2026, month: 11, day: 28))
  guard let first = try? reader.read(bytes, options: readOptions) else { return 0 }
  _ = first
  // Property 2: what the writer writes reads back as the same papers
  // (BIBKIT_FUZZ_ROUNDTRIP=0 checks property 1 alone).
  if roundTrip {
    let options = WriteOptions()
    let written = RISWriter().write(first.papers, options: options).bytes
    guard let second = try? reader.read(written, options: readOptions) else {
      fatalError("our own output does not read back")
    }
    if second.papers != first.papers {
      fatalError("write(read(x)) reads back different papers")
    }
  }
  return 0
}

/// libFuzzer's driver, called from our own main (SwiftPM executables need one).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
  _ argc: UnsafeMutablePointer<CInt>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
  _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runDriver(&argc, &argv) { data, size in fuzz(data, size) })
