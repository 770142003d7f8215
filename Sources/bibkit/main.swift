import ArgumentParser
import BibKitCLI

#if canImport(Glibc)
  import Glibc

  // Large buffers (the input, each batch's papers and output) come from the heap and stay
  // there once freed, instead of being mapped and unmapped each time: every fresh mapping
  // is faulted in and zeroed by the kernel again. On the 50 MB bench files this takes the
  // system time from 0.07–0.18 s to 0.04–0.08 s; peak memory is unchanged (Scripts/bench.sh).
  // The library leaves its host's allocator alone; this is the command's choice. `mallopt`
  // is looked up at run time because the Glibc module does not export <malloc.h>; the
  // parameters are glibc's M_TRIM_THRESHOLD (-1) and M_MMAP_THRESHOLD (-3).
  if let symbol = dlsym(nil, "mallopt") {
    let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
    _ = mallopt(-3, 256 << 20)
    _ = mallopt(-1, 256 << 20)
  }
#endif

BibKitCommand.runMain()
