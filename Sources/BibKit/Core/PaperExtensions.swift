/// Facts of a paper that BibTeX, CSL-JSON and RIS have no standard place for.
///
/// Each writer puts these name/value pairs in its own slot, so nothing is dropped: BibTeX as
/// extra fields (`code = {…}`), CSL-JSON in the item's `custom` object, RIS as `N1` lines
/// `name: value`. The names are fixed and documented in README.md.
public struct ExtensionField: Hashable, Sendable {
  public var name: String
  public var value: String
}

extension Paper {
  /// The extension fields for a writer of `target`, in a fixed order.
  ///
  /// - Parameter carriesTruncation: the target marks a truncated author list itself
  ///   (BibTeX's `and others`), so `authors-truncated` is left out.
  public func extensionFields(for target: FormatID, carriesTruncation: Bool)
    -> [ExtensionField]
  {
    var out: [ExtensionField] = []
    forEachExtensionField(for: target, carriesTruncation: carriesTruncation) { prefix, name, value in
      out.append(.init(name: prefix.map { $0 + "-" + name } ?? name, value: value))
    }
    return out
  }

  /// Calls `body` with each of ``extensionFields(for:carriesTruncation:)`` in order, without
  /// building the list: an extra field of another format comes as its source (`prefix`) and
  /// its name, which the field's name joins with a `-`; BibKit's own names come with no prefix.
  func forEachExtensionField(
    for target: FormatID, carriesTruncation: Bool,
    _ body: (_ prefix: String?, _ name: String, _ value: String) -> Void
  ) {
    if authorsTruncated, !carriesTruncation { body(nil, "authors-truncated", "true") }
    if issued?.yearInferred == true { body(nil, "year-inferred", "true") }
    if issued?.approximate == true, target != .cslJSON { body(nil, "date-approximate", "true") }
    if let d = firstVersionDate { body(nil, "first-version-date", d.description) }
    if let d = currentVersionDate { body(nil, "current-version-date", d.description) }
    if let v = identifiers.arxiv?.version { body(nil, "arxiv-version", String(v)) }
    if !codeLinks.isEmpty { body(nil, "code", codeLinks.joined(separator: " ")) }
    if hasCode { body(nil, "code-badge", "true") }
    if !relatedLinks.isEmpty { body(nil, "links", relatedLinks.joined(separator: " ")) }
    for field in extraFields where field.source != target.rawValue {
      body(field.source, field.name, field.value)
    }
  }

  /// Warnings for facts no writer can carry: per-author affiliations, from a paper's people.
  /// Writers pass the lists: calling a method on a paper in an array copies the whole paper
  /// first.
  static func uncarriedAffiliations(
    _ authors: [Person], _ editors: [Person], _ translators: [Person], key: String, format: String
  ) -> Diagnostic? {
    func affiliated(_ people: [Person]) -> Bool { people.contains { !$0.affiliations.isEmpty } }
    guard affiliated(authors) || affiliated(editors) || affiliated(translators) else { return nil }
    return Diagnostic(
      .warning, "write.dropped",
      "\(key): \(format) has no place for author affiliations; they were not written")
  }
}

extension ExtraField {
  /// The formats whose extra fields a writer names `<format>-<name>` in another format,
  /// with their prefixes' bytes.
  private static let prefixedSources: [(source: String, prefix: [UInt8])] =
    [FormatID.bibtex, .arxiv, .profile, .ris, .cslJSON].map { ($0.rawValue, Array(($0.rawValue + "-").utf8)) }

  /// Whether `b` begins with a format's prefix (`bibtex-`, `csl-json-`, …), its own reader's
  /// included.
  static func hasFormatPrefix(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    prefixedSources.indices.contains { b.hasPrefix(prefixedSources[$0].prefix) }
  }

  /// A field name `<format>-<name>` that a writer gave another format's extra field (see
  /// ``Paper/forEachExtensionField(for:carriesTruncation:_:)``), as read by `reader`: the
  /// format and the name, for any format but the reader's own.
  static func foreignName(_ b: UnsafeBufferPointer<UInt8>, readBy reader: FormatID) -> (source: String, name: String)? {
    foreignPrefix(b, readBy: reader).map { ($0.source, String(decoding: UnsafeBufferPointer(rebasing: b[$0.length...]), as: UTF8.self)) }
  }

  /// ``foreignName(_:readBy:)``'s format, and the length of the prefix before the name.
  static func foreignPrefix(_ b: UnsafeBufferPointer<UInt8>, readBy reader: FormatID) -> (source: String, length: Int)? {
    guard let first = b.first else { return nil }
    // By index, first bytes first: most names have no prefix, and a loop over the pairs
    // would copy each one.
    for k in prefixedSources.indices where prefixFirstBytes[k] == first {
      let prefix = prefixedSources[k].prefix
      guard b.hasPrefix(prefix), prefixedSources[k].source != reader.rawValue else { continue }
      return (prefixedSources[k].source, prefix.count)
    }
    return nil
  }

  private static let prefixFirstBytes = prefixedSources.map { $0.prefix[0] }
}
