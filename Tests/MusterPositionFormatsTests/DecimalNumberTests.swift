import MusterTestSupport
import Testing
@testable import MusterPositionFormats

struct DecimalNumberTests {
    func parse(_ text: String, allowExponent: Bool = true) -> Double? {
        DecimalNumber.parse(Array(text.utf8)[...], allowExponent: allowExponent)
    }

    @Test(arguments: [
        ("0", 0.0), ("-0", -0.0), ("+1", 1), ("39.9042", 39.9042), ("-74.006", -74.006),
        (".5", 0.5), ("5.", 5), ("007.250", 7.25), ("1e3", 1000), ("1.164074E2", 116.4074),
        ("2.5e-3", 0.0025), ("0.000000000000000000000001", 1e-24),
        ("1700000000123", 1_700_000_000_123), ("123456789012345678901234567890", 1.2345678901234568e29),
        ("0.1000000000000000055511151231257827", 0.1), ("1e-400", 0),
    ])
    func parsesPlainDecimals(text: String, expected: Double) {
        #expect(parse(text) == expected, "\(text)")
    }

    /// Every value the fast path handles must equal the standard library's correctly rounded result.
    @Test func agreesWithTheStandardLibraryOnTypicalDeviceNumbers() {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<20_000 {
            let integer = Int.random(in: -180...180, using: &generator)
            let fraction = Int.random(in: 0..<10_000_000, using: &generator)
            let text = "\(integer).\(String(fraction).leftZeroPadded(to: 7))"
            #expect(parse(text) == Double(text), "\(text)")
        }
    }

    @Test(arguments: [
        "", "-", "+", ".", "-.", "1e", "1e+", "e5", "1.2.3", "1,5", " 1", "1 ", "nan", "NaN", "inf",
        "-infinity", "0x1p3", "1e999", "-1e400000", "١٢", "1_000", "--1", "1-",
    ])
    func rejectsAnythingElse(text: String) {
        #expect(parse(text) == nil, "\(text)")
    }

    @Test func refusesExponentsWhereTheFormatHasNone() {
        #expect(parse("1e3", allowExponent: false) == nil)
        #expect(parse("12.5", allowExponent: false) == 12.5)
    }
}

private extension String {
    func leftZeroPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
