import BibKit

#if canImport(Glibc)
  import Glibc
#endif

/// libFuzzer entry point for the Profile reader. Property 1: reading never crashes or hangs
/// (libFuzzer's timeout catches hangs).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  guard let data else { return 0 }
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let reader = ProfileReader()
  let readOptions = ReadOptions(source: "fuzz", asOf: PartialDate(year: 2026, month: 11, day: 28))
  guard let first = try? reader.read(bytes, options: readOptions) else { return 0 }
  _ = first
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
