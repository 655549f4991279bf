/// Calendar arithmetic on the proleptic Gregorian calendar, done with integers.
///
/// The tracker parses tens of thousands of timestamps per second; DateFormatter and Calendar are
/// orders of magnitude slower and depend on process-wide locale and time-zone state.
enum CivilTime {
    static let secondsPerDay = 86_400

    /// Days from 1970-01-01 to the given date (negative before it). Shifts the year to start in
    /// March so the leap day is the last day of the year, then counts whole 400-year eras.
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let marchBasedYear = month <= 2 ? year - 1 : year
        let era = (marchBasedYear >= 0 ? marchBasedYear : marchBasedYear - 399) / 400
        let yearOfEra = marchBasedYear - era * 400                                  // 0...399
        let monthFromMarch = month > 2 ? month - 3 : month + 9                      // 0...11
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1                    // 0...365
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear // 0...146096
        return era * 146_097 + dayOfEra - 719_468                                   // 719468: 0000-03-01 → 1970-01-01
    }

    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func isValidDate(year: Int, month: Int, day: Int) -> Bool {
        (1...12).contains(month) && day >= 1 && day <= daysInMonth(year: year, month: month)
    }

    /// Seconds since 1970-01-01T00:00:00 for a date and time read as UTC.
    static func secondsSinceEpoch(year: Int, month: Int, day: Int, secondOfDay: Double) -> Double {
        Double(daysSinceEpoch(year: year, month: month, day: day) * secondsPerDay) + secondOfDay
    }
}
