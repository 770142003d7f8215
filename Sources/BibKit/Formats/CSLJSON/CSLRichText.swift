/// CSL's HTML-like markup in string fields, read into rich text (the writer's inverse).
///
/// `<i>`, `<b>`, `<sup>`, `<sub>`, `<span class="nocase">`, `<sc>` and
/// `<span style="font-variant:small-caps;">` become styles; any other tag is text, as
/// citeproc treats it. `$…$` pairs become math runs.
enum CSLRichText {
  static let tags: [(open: String, close: String, style: RichText.Styles)] = [
    ("<i>", "</i>", .italic), ("<b>", "</b>", .bold), ("<sup>", "</sup>", .superscript),
    ("<sub>", "</sub>", .subscript), ("<span class=\"nocase\">", "</span>", .noCase),
    ("<sc>", "</sc>", .smallCaps),
    ("<span style=\"font-variant:small-caps;\">", "</span>", .smallCaps),
    ("<span style=\"font-variant: small-caps;\">", "</span>", .smallCaps),
  ]

  /// Tags are read first; `$…$` pairs are then found in each stretch of equally styled text,
  /// so the result does not depend on where redundant tags split the text, and what the
  /// writer emits reads back to the same runs.
  static func parse(_ s: String) -> RichText {
    guard s.utf8.contains(UInt8(ascii: "<")) else { return RichText.parsingInlineMath(s) }
    var runs: [RichText.Run] = []
    var stack: [(close: String, style: RichText.Styles)] = []
    var text = ""
    var rest = Substring(s)
    func flush() {
      guard !text.isEmpty else { return }
      let styles = stack.reduce(into: RichText.Styles()) { $0.formUnion($1.style) }
      runs.append(RichText.Run(text, styles))
      text = ""
    }
    while let lt = rest.firstIndex(of: "<") {
      text += rest[..<lt]
      rest = rest[lt...]
      if let top = stack.last, rest.hasPrefix(top.close) {
        flush()
        stack.removeLast()
        rest = rest.dropFirst(top.close.count)
      } else if let tag = tags.first(where: { rest.hasPrefix($0.open) }) {
        flush()
        stack.append((tag.close, tag.style))
        rest = rest.dropFirst(tag.open.count)
      } else {
        text += "<"
        rest = rest.dropFirst()
      }
    }
    text += rest
    flush()
    var out: [RichText.Run] = []
    for run in RichText.merged(runs) {
      for part in RichText.parsingInlineMath(run.text).runs {
        out.append(RichText.Run(part.text, part.styles.union(run.styles)))
      }
    }
    return RichText(runs: out)
  }
}
