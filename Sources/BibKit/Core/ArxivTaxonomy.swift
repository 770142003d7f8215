/// arXiv's subject classes with two-letter codes, from arXiv's taxonomy.
///
/// A profile prints only the two letters ("LG", "OC"). Several codes exist in more than one
/// archive (`DS` is cs.DS and math.DS), so ``category(forCode:)`` resolves them by a fixed
/// preference: cs, math, stat, eess, econ, q-bio, q-fin, nlin, astro-ph (profiles of this
/// shape come from computer-science listings). The result is then made canonical by arXiv's
/// aliases (cs.NA → math.NA, cs.SY → eess.SY, math.IT → cs.IT, math.MP → math-ph,
/// stat.TH → math.ST, q-fin.EC → econ.GN).
public enum ArxivTaxonomy {
  /// Archives in order of preference, each with its two-letter subject classes.
  public static let archives: [(archive: String, codes: [String])] = [
    (
      "cs",
      [
        "AI", "AR", "CC", "CE", "CG", "CL", "CR", "CV", "CY", "DB", "DC", "DL", "DM", "DS", "ET",
        "FL", "GL", "GR", "GT", "HC", "IR", "IT", "LG", "LO", "MA", "MM", "MS", "NA", "NE", "NI",
        "OH", "OS", "PF", "PL", "RO", "SC", "SD", "SE", "SI", "SY",
      ]
    ),
    (
      "math",
      [
        "AC", "AG", "AP", "AT", "CA", "CO", "CT", "CV", "DG", "DS", "FA", "GM", "GN", "GR", "GT",
        "HO", "IT", "KT", "LO", "MG", "MP", "NA", "NT", "OA", "OC", "PR", "QA", "RA", "RT", "SG",
        "SP", "ST",
      ]
    ),
    ("stat", ["AP", "CO", "ME", "ML", "OT", "TH"]),
    ("eess", ["AS", "IV", "SP", "SY"]),
    ("econ", ["EM", "GN", "TH"]),
    ("q-bio", ["BM", "CB", "GN", "MN", "NC", "OT", "PE", "QM", "SC", "TO"]),
    ("q-fin", ["CP", "EC", "GN", "MF", "PM", "PR", "RM", "ST", "TR"]),
    ("nlin", ["AO", "CD", "CG", "PS", "SI"]),
    ("astro-ph", ["CO", "EP", "GA", "HE", "IM", "SR"]),
  ]

  /// Categories that arXiv lists under two names, mapped to the canonical one.
  public static let aliases: [String: String] = [
    "cs.NA": "math.NA", "cs.SY": "eess.SY", "math.IT": "cs.IT", "math.MP": "math-ph",
    "stat.TH": "math.ST", "q-fin.EC": "econ.GN",
  ]

  /// The canonical arXiv category for a two-letter code, or `nil` for an unknown code.
  public static func category(forCode code: String) -> String? {
    let c = code.uppercased()
    for (archive, codes) in archives where codes.contains(c) {
      let category = archive + "." + c
      return aliases[category] ?? category
    }
    return nil
  }

  /// Every archive that has a subject class with this code (`DS` → cs.DS, math.DS).
  public static func candidates(forCode code: String) -> [String] {
    let c = code.uppercased()
    return archives.filter { $0.codes.contains(c) }.map { $0.archive + "." + c }
  }
}
