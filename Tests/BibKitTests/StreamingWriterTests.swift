import Foundation
import Testing

@testable import BibKit

@Suite struct StreamingWriterTests {
  /// Page by page gives the same bytes as all at once, with keys unique across pages.
  @Test(arguments: [FormatID.bibtex, .cslJSON, .ris])
  func pagesGiveTheSameBytesAsOneWrite(format: FormatID) throws {
    let papers = try Fixtures.readProfile("seeds/martin-jaggi-profile.txt").papers
    let whole = FormatRegistry.standard.format(format)!.writer!.write(papers, options: WriteOptions()).bytes
    var s = try #require(StreamingWriter(format: format, options: WriteOptions()))
    var out: [UInt8] = []
    for page in [Array(papers[0..<7]), [], Array(papers[7..<30]), Array(papers[30...])] {
      out += s.write(page).bytes
    }
    out += s.finish().bytes
    #expect(out == whole)
  }

  @Test func emptyCSLJSONIsAnEmptyArray() {
    var s = StreamingWriter(format: .cslJSON, options: WriteOptions())!
    #expect(s.write([]).bytes.isEmpty)
    #expect(s.finish().bytes == Array("[]\n".utf8))
  }
}
