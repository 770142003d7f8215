#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where a conversion reads and writes: the real process, or buffers in tests.
public protocol ConsoleIO: AnyObject {
  func readStandardInput() throws -> [UInt8]
  /// Writes bytes to standard output; throws on a write error (a full disk, a closed pipe).
  func writeStandardOutput(_ bytes: [UInt8]) throws
  func writeStandardError(_ line: String)
}

/// An I/O failure with the errno text.
struct IOFailure: Error, CustomStringConvertible {
  var message: String
  var description: String { message }
}

func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

/// The process's own standard streams.
public final class ProcessIO: ConsoleIO {
  public init() {}

  public func readStandardInput() throws -> [UInt8] { try FileIO.readAll(fd: 0) }

  public func writeStandardOutput(_ bytes: [UInt8]) throws { try FileIO.writeAll(fd: 1, bytes) }

  public func writeStandardError(_ line: String) {
    try? FileIO.writeAll(fd: 2, Array((line + "\n").utf8))
  }
}

enum FileIO {
  /// The C library's read(2).
  static func sysRead(_ fd: Int32, _ p: UnsafeMutableRawPointer?, _ n: Int) -> Int {
    #if canImport(Glibc)
      Glibc.read(fd, p, n)
    #else
      Darwin.read(fd, p, n)
    #endif
  }

  enum OpenError: Error {
    case cannotOpen(String)
    case isDirectory

    /// The reason, as printed after "cannot open: ".
    var reason: String {
      switch self {
      case .cannotOpen(let why): why
      case .isDirectory: "is a directory"
      }
    }
  }

  /// Reads a whole file. Missing, unreadable and directory paths are `cannotOpen`.
  static func readFile(path: String) throws(OpenError) -> [UInt8] {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw .cannotOpen(errnoText()) }
    defer { close(fd) }
    var st = stat()
    let known = fstat(fd, &st) == 0
    if known, (st.st_mode & S_IFMT) == S_IFDIR { throw .isDirectory }
    // A regular file's size is known: the buffer is made that big once, not grown.
    let size = known && (st.st_mode & S_IFMT) == S_IFREG ? Int(st.st_size) : 0
    do { return try readAll(fd: fd, sizeHint: size) } catch { throw .cannotOpen(error.message) }
  }

  static func readAll(fd: Int32, sizeHint: Int = 0) throws(IOFailure) -> [UInt8] {
    var out: [UInt8] = []
    if sizeHint > 0 {
      var failure: IOFailure?
      out = [UInt8](unsafeUninitializedCapacity: sizeHint) { buffer, count in
        while count < sizeHint {
          let n = sysRead(fd, buffer.baseAddress! + count, sizeHint - count)
          if n < 0 {
            if errno == EINTR { continue }
            failure = IOFailure(message: errnoText())
            return
          }
          if n == 0 { break }
          count += n
        }
      }
      if let failure { throw failure }
      // The file may have grown since: what follows is read below.
    }
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = chunk.withUnsafeMutableBytes { sysRead(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw IOFailure(message: errnoText())
      }
      if n == 0 { break }
      out.append(contentsOf: chunk[0..<n])
    }
    return out
  }

  static func writeAll(fd: Int32, _ bytes: [UInt8]) throws(IOFailure) {
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
      if n < 0 {
        if errno == EINTR { continue }
        throw IOFailure(message: errnoText())
      }
      offset += n
    }
  }

  enum ReplaceError: Error {
    /// The output cannot be created (exit 73).
    case cannotCreate(String)
    /// Writing failed half-way (exit 74); the previous file is untouched.
    case writeFailed(String)
  }

  /// Replaces `path` atomically: writes a temporary file in the same folder, flushes it,
  /// then renames it over `path`. On failure the temporary file is removed and any
  /// previous file at `path` stays as it was.
  static func replaceAtomically(path: String, with parts: [[UInt8]]) throws(ReplaceError) {
    let file = try AtomicFile(path: path)
    for part in parts { try file.append(part) }
    try file.commit()
  }

  /// An output written piece by piece into a temporary file beside `path`, then renamed over
  /// it; until ``commit()``, the previous file is untouched.
  final class AtomicFile {
    let path: String
    let tmp: String
    let fd: Int32

    init(path: String) throws(ReplaceError) {
      var st = stat()
      var mode: mode_t = 0o644
      if stat(path, &st) == 0 {
        if (st.st_mode & S_IFMT) != S_IFREG { throw .cannotCreate("not a regular file") }
        mode = st.st_mode & 0o777
      }
      let slash = path.lastIndex(of: "/")
      let dir = slash.map { String(path[..<$0]) } ?? "."
      let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
      self.path = path
      tmp = (dir.isEmpty ? "" : dir + "/") + ".\(base).bibkit-\(getpid()).tmp"
      Interruption.protect(tmp)
      fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, mode)
      guard fd >= 0 else {
        Interruption.protect(nil)
        throw .cannotCreate(errnoText())
      }
    }

    func append(_ bytes: [UInt8]) throws(ReplaceError) {
      do { try writeAll(fd: fd, bytes) } catch {
        abort()
        throw .writeFailed(error.message)
      }
    }

    func commit() throws(ReplaceError) {
      defer { Interruption.protect(nil) }
      if fsync(fd) != 0 {
        let e = errnoText()
        abort()
        throw .writeFailed(e)
      }
      close(fd)
      if rename(tmp, path) != 0 {
        let e = errnoText()
        unlink(tmp)
        throw .cannotCreate(e)
      }
    }

    func abort() {
      close(fd)
      unlink(tmp)
      Interruption.protect(nil)
    }
  }

  /// The size of a regular file, or 0 (not a regular file, or not there).
  static func size(path: String) -> Int {
    var st = stat()
    guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return 0 }
    return Int(st.st_size)
  }

  /// Whether two paths name the same existing file.
  static func sameFile(_ a: String, _ b: String) -> Bool {
    var sa = stat()
    var sb = stat()
    guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
  }

  /// Today's date in the local time zone.
  static func today() -> (year: Int, month: Int, day: Int) {
    var t = time(nil)
    var tmv = tm()
    localtime_r(&t, &tmv)
    return (Int(tmv.tm_year) + 1900, Int(tmv.tm_mon) + 1, Int(tmv.tm_mday))
  }
}

/// On SIGINT or SIGTERM, removes the temporary output file being written (if any) and exits
/// with 128 + the signal, so an interrupted run leaves the previous output untouched and no
/// temporary file behind. SIGXFSZ is ignored, so a file-size limit (a full disk in tests)
/// surfaces as a write error.
enum Interruption {
  /// The temporary file's path as a C string, for the signal handler.
  nonisolated(unsafe) static var pending: UnsafeMutablePointer<CChar>?

  static func install() {
    // A parent may have blocked these (some process launchers do); a run must be stoppable.
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    sigprocmask(SIG_UNBLOCK, &set, nil)
    signal(SIGXFSZ, SIG_IGN)
    for sig in [SIGINT, SIGTERM] {
      signal(sig) { received in
        if let p = Interruption.pending { unlink(p) }
        _exit(128 + received)
      }
    }
  }

  static func protect(_ path: String?) {
    let old = pending
    pending = path.map { strdup($0) }
    if let old { free(old) }
  }
}
