@testable import BibKit

/// The reading of a name with no comma as it was made before ``Person/parsedWithoutComma(_:)``
/// read it on bytes: one string per word, parts joined again. Kept as the reference the
/// byte reading is held to.
func referenceParsedWithoutComma(_ name: String) -> Person {
  let toks = Person.tokens(name)
  guard toks.count > 1 else { return Person(family: toks.first, original: name) }
  let body = toks.dropLast()
  if let vonStart = body.firstIndex(where: Person.startsLowercase) {
    let vonEnd = body.lastIndex(where: Person.startsLowercase) ?? vonStart
    let given = toks[..<vonStart].joined(separator: " ")
    return Person(
      given: given.isEmpty ? nil : given,
      family: toks[(vonEnd + 1)...].joined(separator: " "),
      particle: toks[vonStart...vonEnd].joined(separator: " "),
      original: name)
  }
  return Person(given: body.joined(separator: " "), family: toks.last, original: name)
}
