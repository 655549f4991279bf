import Testing
@testable import MusterPositionFormats

struct PositionRejectionTests {
    /// The raw values are /metrics label values; renaming one breaks dashboards and alerts.
    @Test func keepsStableMetricLabels() {
        #expect(PositionRejection.Reason.allCases.map(\.rawValue) == [
            "malformed", "bad-checksum", "too-long", "invalid-fix",
            "coordinates-out-of-range", "time-in-future", "unknown-unit",
        ])
    }

    @Test func describesItselfByDetail() {
        let rejection = PositionRejection(.unknownUnit, "unit 42 is not registered")
        #expect(rejection.description == "unit 42 is not registered")
        #expect(rejection.reason == .unknownUnit)
    }

    @Test func quotesUntrustedBytesSafelyForLogs() {
        #expect(quoted(Array("ok".utf8)) == "'ok'")
        #expect(quoted([0x0A, 0x1B, 0xFF, UInt8(ascii: "'"), UInt8(ascii: "\\")]) == #"'\x0A\x1B\xFF\'\\'"#)
        #expect(quoted(Array(repeating: UInt8(ascii: "x"), count: 50), limit: 4) == "'xxxx'…")
    }
}
