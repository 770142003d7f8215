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
    if authorsTruncated, !carriesTruncation {
      out.append(.init(name: "authors-truncated", value: "true"))
    }
    if issued?.yearInferred == true { out.append(.init(name: "year-inferred", value: "true")) }
    if issued?.approximate == true, target != .cslJSON {
      out.append(.init(name: "date-approximate", value: "true"))
    }
    if let d = firstVersionDate { out.append(.init(name: "first-version-date", value: d.description)) }
    if let d = currentVersionDate {
      out.append(.init(name: "current-version-date", value: d.description))
    }
    if let v = identifiers.arxiv?.version {
      out.append(.init(name: "arxiv-version", value: String(v)))
    }
    if !codeLinks.isEmpty { out.append(.init(name: "code", value: codeLinks.joined(separator: " "))) }
    if hasCode { out.append(.init(name: "code-badge", value: "true")) }
    if !relatedLinks.isEmpty {
      out.append(.init(name: "links", value: relatedLinks.joined(separator: " ")))
    }
    for field in extraFields where field.source != target.rawValue {
      out.append(.init(name: field.source + "-" + field.name, value: field.value))
    }
    return out
  }

  /// Warnings for facts no writer can carry: per-author affiliations.
  func uncarriedAffiliations(key: String, format: String) -> Diagnostic? {
    func affiliated(_ people: [Person]) -> Bool { people.contains { !$0.affiliations.isEmpty } }
    guard affiliated(authors) || affiliated(editors) || affiliated(translators) else { return nil }
    return Diagnostic(
      .warning, "write.dropped",
      "\(key): \(format) has no place for author affiliations; they were not written")
  }
}
