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
  ///
  /// Markup that does not nest (`<i>a<b>b</i>c</b>`) or a literal `<` next to a tag can read
  /// in a way our writer cannot write back as such; the reading is then the one that reading
  /// our own output again gives back (found in at most a few rounds), so CSL-JSON → CSL-JSON
  /// is stable.
  static func parse(_ s: String) -> RichText {
    var t = parseOnce(s)
    guard s.containsByte(UInt8(ascii: "<")) else { return t }
    // Markup as our writer writes it reads back the same: no second reading needed.
    var written = CSLJSONWriter.html(t)
    if written == s { return t }
    for _ in 0..<4 {
      let again = parseOnce(written)
      if again == t { break }
      t = again
      written = CSLJSONWriter.html(t)
    }
    return t
  }

  static func parseOnce(_ s: String) -> RichText {
    guard s.containsByte(UInt8(ascii: "<")) else { return RichText.parsingInlineMath(s) }
    let runs = bytesReadAsCharacters(s) ? asciiRuns(s) : characterRuns(s)
    var out: [RichText.Run] = []
    for run in RichText.merged(runs) {
      for part in RichText.parsingInlineMath(run.text).runs {
        out.append(RichText.Run(part.text, part.styles.union(run.styles)))
      }
    }
    return RichText(runs: out)
  }

  /// Whether ``asciiRuns(_:)`` reads `s` as ``characterRuns(_:)`` does: every `<` and `>` is
  /// a character of its own. Then every tag is matched on the same text both ways, and the
  /// text between tags is split at the same places. An ASCII `<` or `>` joins another scalar
  /// only through a mark or joiner after it or a prepended mark before it (rules GB9, GB9a
  /// and GB9b of UAX #29, each about two neighbouring scalars), so where a neighbour is not
  /// ASCII, the three scalars are asked as a string of their own.
  static func bytesReadAsCharacters(_ s: String) -> Bool {
    var s = s
    return s.withUTF8 { ByteSearch.asciiMarksStandAlone($0) { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") } }
  }

  /// The styled runs of text with markup, read on its bytes: ``characterRuns(_:)``, for text
  /// where ``bytesReadAsCharacters(_:)`` holds (all ASCII text among it).
  static func asciiRuns(_ s: String) -> [RichText.Run] {
    var s = s
    return s.withUTF8 { b -> [RichText.Run] in
      var runs: [RichText.Run] = []
      var stack: [(close: String, style: RichText.Styles)] = []
      var text: [UInt8] = []
      func flush() {
        guard !text.isEmpty else { return }
        let styles = stack.reduce(into: RichText.Styles()) { $0.formUnion($1.style) }
        runs.append(RichText.Run(String(decoding: text, as: UTF8.self), styles))
        text.removeAll(keepingCapacity: true)
      }
      func starts(_ tag: String, at k: Int) -> Bool {
        var k = k
        for c in tag.utf8 {
          guard k < b.count, b[k] == c else { return false }
          k += 1
        }
        return true
      }
      var k = 0
      while k < b.count {
        guard b[k] == UInt8(ascii: "<") else {
          // The run up to the next `<`, in one copy.
          var j = k + 1
          while j < b.count, b[j] != UInt8(ascii: "<") { j += 1 }
          text.append(contentsOf: UnsafeBufferPointer(rebasing: b[k..<j]))
          k = j
          continue
        }
        if let top = stack.last, starts(top.close, at: k) {
          flush()
          stack.removeLast()
          k += top.close.utf8.count
        } else if let tag = tags.first(where: { starts($0.open, at: k) }) {
          flush()
          stack.append((tag.close, tag.style))
          k += tag.open.utf8.count
        } else if let j = stack.lastIndex(where: { starts($0.close, at: k) }) {
          // A closing tag for an element further out closes the ones inside it too.
          flush()
          let close = stack[j].close
          stack.removeSubrange(j...)
          k += close.utf8.count
        } else {
          text.append(b[k])
          k += 1
        }
      }
      flush()
      return runs
    }
  }

  /// The styled runs of text with markup, read character by character.
  static func characterRuns(_ s: String) -> [RichText.Run] {
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
      } else if let k = stack.lastIndex(where: { rest.hasPrefix($0.close) }) {
        // A closing tag for an element further out closes the ones inside it too.
        flush()
        let close = stack[k].close
        stack.removeSubrange(k...)
        rest = rest.dropFirst(close.count)
      } else {
        text += "<"
        rest = rest.dropFirst()
      }
    }
    text += rest
    flush()
    return runs
  }
}
