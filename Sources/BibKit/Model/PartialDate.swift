/// A date known to the year, the month or the day, without time or time zone.
public struct PartialDate: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
  public var year: Int
  public var month: Int?
  public var day: Int?
  /// The source printed no year; it was chosen from a reference date (see `--as-of`).
  public var yearInferred: Bool
  /// The source marks the date as approximate (circa).
  public var approximate: Bool

  public init(
    year: Int, month: Int? = nil, day: Int? = nil, yearInferred: Bool = false,
    approximate: Bool = false
  ) {
    self.year = year
    self.month = month
    self.day = month == nil ? nil : day
    self.yearInferred = yearInferred
    self.approximate = approximate
  }

  /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
  /// ISO 8601 (`2023`, `2023-11`, `2023-11-27`); years below 1000 have four digits (`0986`).
  public var description: String {
    var s = String(year)
    if (0..<1000).contains(year) { s = String(repeating: "0", count: 4 - s.count) + s }
    if let month {
      s += "-" + Self.twoDigits(month)
      if let day { s += "-" + Self.twoDigits(day) }
    }
    return s
  }

  static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }

  public static func < (a: PartialDate, b: PartialDate) -> Bool {
    (a.year, a.month ?? 0, a.day ?? 0) < (b.year, b.month ?? 0, b.day ?? 0)
  }

  /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, checking that the day exists.
  public init?(iso text: String) {
    // `YYYY-MM-DD` of ASCII digits, as nearly every date comes, read at once.
    let u = text.utf8
    if u.count == 10 {
      var digits = 0
      var value = (0, 0, 0)
      for (i, c) in u.enumerated() {
        if i == 4 || i == 7 {
          guard c == UInt8(ascii: "-") else { digits = -1; break }
        } else if ASCII.isDigit(c) {
          digits += 1
          let d = Int(c &- 0x30)
          if i < 4 { value.0 = value.0 * 10 + d } else if i < 7 { value.1 = value.1 * 10 + d } else { value.2 = value.2 * 10 + d }
        }
      }
      if digits == 8 {
        let (y, m, d) = value
        guard (1...12).contains(m), (1...Self.daysIn(month: m, year: y)).contains(d) else { return nil }
        self.init(year: y, month: m, day: d)
        return
      }
    }
    guard let date = Self.isoParts(text) else { return nil }
    self = date
  }

  /// ``init(iso:)`` by its rule, part by part: what the shortcut for ten bytes must agree with.
  static func isoParts(_ text: String) -> PartialDate? {
    // Split on bytes: every part must be ASCII digits (or a sign) for `Int` to take it, so
    // byte counts are character counts wherever it matters.
    let parts = text.utf8.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false).map { Substring($0) }
    guard (1...3).contains(parts.count), parts[0].utf8.count == 4,
      let y = Int(parts[0])
    else { return nil }
    var m: Int?
    var d: Int?
    if parts.count >= 2 {
      guard parts[1].utf8.count == 2, let v = Int(parts[1]), (1...12).contains(v) else { return nil }
      m = v
    }
    if parts.count == 3, let m {
      guard parts[2].utf8.count == 2, let v = Int(parts[2]), (1...Self.daysIn(month: m, year: y)).contains(v)
      else { return nil }
      d = v
    }
    return PartialDate(year: y, month: m, day: d)
  }

  /// The number of days in a month of the proleptic Gregorian calendar.
  public static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return isLeap(year) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

  /// The latest year that puts `month`/`day` on or before `reference`, flagged as inferred.
  ///
  /// Used for dates printed without a year ("May 27"): with a reference of 2026-11-28 that
  /// is 2026; with 2026-05-01 it is 2025. February 29 goes back to a leap year.
  public static func inferringYear(month: Int, day: Int, onOrBefore reference: PartialDate)
    -> PartialDate?
  {
    guard (1...12).contains(month), (1...31).contains(day) else { return nil }
    var y = reference.year
    for _ in 0..<9 {
      if day <= daysIn(month: month, year: y) {
        let candidate = PartialDate(year: y, month: month, day: day)
        if !(reference < candidate) {
          return PartialDate(year: y, month: month, day: day, yearInferred: true)
        }
      }
      y -= 1
    }
    return nil
  }

  private enum CodingKeys: String, CodingKey { case year, month, day, yearInferred, approximate }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      year: try c.decode(Int.self, forKey: .year),
      month: try c.decodeIfPresent(Int.self, forKey: .month),
      day: try c.decodeIfPresent(Int.self, forKey: .day),
      yearInferred: try c.decodeIfPresent(Bool.self, forKey: .yearInferred) ?? false,
      approximate: try c.decodeIfPresent(Bool.self, forKey: .approximate) ?? false)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(year, forKey: .year)
    try c.encodeIfPresent(month, forKey: .month)
    try c.encodeIfPresent(day, forKey: .day)
    if yearInferred { try c.encode(true, forKey: .yearInferred) }
    if approximate { try c.encode(true, forKey: .approximate) }
  }
}
