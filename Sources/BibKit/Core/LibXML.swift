internal import CLibXML2

/// Facts about the libxml2 library BibKit is linked against.
///
/// This is the only file that imports `CLibXML2`; the arXiv Atom reader will join it here.
public enum LibXML {
  /// The version of libxml2 in use, e.g. `2.9.14`, as the library reports it at run time.
  public static var version: String {
    xmlCheckVersion(20900)
    return String(cString: clibxml2_dotted_version())
  }
}
