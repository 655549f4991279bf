import Foundation
import Testing
@testable import MusterPositionFormats

struct CivilTimeTests {
    /// Expected values computed independently (Python's calendar.timegm).
    @Test(arguments: [
        (1970, 1, 1, 0), (1969, 12, 31, -86_400), (2000, 3, 1, 951_868_800), (2024, 2, 29, 1_709_164_800),
        (2100, 3, 1, 4_107_542_400), (1600, 2, 29, -11_670_998_400), (1999, 1, 1, 915_148_800),
    ])
    func countsDaysAcrossLeapRules(year: Int, month: Int, day: Int, seconds: Int) {
        #expect(CivilTime.daysSinceEpoch(year: year, month: month, day: day) * 86_400 == seconds)
    }

    @Test func agreesWithFoundationCalendarForEveryDayOfTwoCenturies() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        var components = DateComponents(year: 1900, month: 1, day: 1)
        var day = try #require(calendar.date(from: components))
        let end = try #require(calendar.date(from: DateComponents(year: 2100, month: 1, day: 1)))
        while day < end {
            components = calendar.dateComponents([.year, .month, .day], from: day)
            let days = CivilTime.daysSinceEpoch(year: components.year ?? 0, month: components.month ?? 0, day: components.day ?? 0)
            guard Double(days * 86_400) == day.timeIntervalSince1970 else {
                Issue.record("mismatch on \(components)")
                return
            }
            day = day.addingTimeInterval(86_400)
        }
    }

    @Test func validatesDates() {
        #expect(CivilTime.isValidDate(year: 2024, month: 2, day: 29))
        #expect(!CivilTime.isValidDate(year: 2023, month: 2, day: 29))
        #expect(!CivilTime.isValidDate(year: 1900, month: 2, day: 29))
        #expect(CivilTime.isValidDate(year: 2000, month: 2, day: 29))
        #expect(!CivilTime.isValidDate(year: 2024, month: 4, day: 31))
        #expect(!CivilTime.isValidDate(year: 2024, month: 13, day: 1))
        #expect(!CivilTime.isValidDate(year: 2024, month: 0, day: 1))
        #expect(!CivilTime.isValidDate(year: 2024, month: 1, day: 0))
    }

    @Test(arguments: [
        ("2023-11-14T22:13:20", 1_700_000_000.0, nil as Int?),
        ("2023-11-14 22:13:20.125", 1_700_000_000.125, nil),
        ("2023-11-14T22:13:20Z", 1_700_000_000, 0),
        ("2023-11-14T22:13:20+08:00", 1_700_000_000, 28_800),
        ("2023-11-14T22:13:20-0330", 1_700_000_000, -12_600),
        ("2023-11-14T22:13:20+05", 1_700_000_000, 18_000),
    ])
    func readsDateTimeText(text: String, wallClock: Double, offset: Int?) throws {
        let parsed = try #require(ISODateTimeText(Array(text.utf8)[...]))
        #expect(parsed.wallClockSeconds == wallClock)
        #expect(parsed.utcOffset == offset)
    }

    @Test(arguments: [
        "2023-11-14", "2023-11-14T22:13", "2023/11/14 22:13:20", "2023-11-14T22:13:20.", "2023-11-14T22:13:60",
        "2023-11-14T24:00:00", "2023-11-31T00:00:00", "2023-11-14T22:13:20+8", "2023-11-14T22:13:20+08:0",
        "2023-11-14T22:13:20 ", "2023-11-14T22:13:20GMT", "+2023-11-14T22:13:20", "2023-1a-14T22:13:20",
    ])
    func rejectsOtherText(text: String) {
        #expect(ISODateTimeText(Array(text.utf8)[...]) == nil, "\(text)")
    }
}
