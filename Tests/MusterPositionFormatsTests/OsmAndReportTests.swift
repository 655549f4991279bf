import Foundation
import Testing
@testable import MusterPositionFormats

struct OsmAndReportTests {
    let receivedAt = Date(timeIntervalSince1970: 1_700_000_100)

    func parse(_ parameters: String) throws(PositionRejection) -> PositionReport {
        try OsmAndReport.parse(parameters: Array(parameters.utf8), receivedAt: receivedAt)
    }

    @Test func readsTheQueryTraccarClientSends() throws {
        let report = try parse("id=123456&timestamp=1700000000&lat=39.9042&lon=116.4074&speed=0.0&bearing=0.0&altitude=50.0&accuracy=10.0&batt=87.5")
        #expect(report == PositionReport(
            unitID: "123456", latitude: 39.9042, longitude: 116.4074, altitude: 50, speed: 0, heading: 0,
            accuracy: 10, deviceTime: Date(timeIntervalSince1970: 1_700_000_000), battery: 87.5
        ))
    }

    @Test func readsAFormBodyWithDeviceIDAndHeading() throws {
        let body = "deviceid=unit-7&lat=-34.60375&lon=-58.3821&speed=12.5&heading=271.3&hdop=0.9&charge=true&motion=false"
        let report = try parse(body)
        #expect(report.unitID == "unit-7")
        #expect(isClose(report.latitude, -34.60375))
        #expect(isClose(report.longitude, -58.3821))
        #expect(isClose(report.speed, 6.430_555_555_555_556))  // 12.5 kn
        #expect(isClose(report.heading, 271.3))
        #expect(report.deviceTime == nil)
        #expect(report.accuracy == nil && report.battery == nil && report.altitude == nil)
    }

    @Test func readsMillisecondAndFractionalTimestamps() throws {
        #expect(try parse("id=1&lat=1&lon=2&timestamp=1700000000123").deviceTime == Date(timeIntervalSince1970: 1_700_000_000.123))
        #expect(try parse("id=1&lat=1&lon=2&timestamp=1700000000.5").deviceTime == Date(timeIntervalSince1970: 1_700_000_000.5))
    }

    @Test(arguments: [
        ("2023-11-14 22:13:20", 1_700_000_000.0),
        ("2023-11-14+22:13:20", 1_700_000_000.0),          // '+' is a space in form encoding
        ("2023-11-14%2022%3A13%3A20", 1_700_000_000.0),
        ("2023-11-14T22:13:20Z", 1_700_000_000.0),
        ("2023-11-14T22:13:20", 1_700_000_000.0),           // no zone means UTC
        ("2023-11-15T06:13:20%2B08:00", 1_700_000_000.0),
        ("2023-11-14T17:13:20-0500", 1_700_000_000.0),
        ("2023-11-14T22:13:20.250Z", 1_700_000_000.25),
        ("2024-02-29T12:00:00Z", 1_709_208_000.0),
    ])
    func readsDateTextTimestamps(text: String, expected: Double) throws {
        #expect(try parse("id=1&lat=1&lon=2&timestamp=\(text)").deviceTime == Date(timeIntervalSince1970: expected))
    }

    @Test func decodesPercentEncodedIdentity() throws {
        #expect(try parse("id=%E5%8C%97%E4%BA%AC-01&lat=1&lon=2").unitID == "北京-01")
        #expect(try parse("id=car+7%2Fnorth&lat=1&lon=2").unitID == "car 7/north")
        #expect(try parse("%69d=encoded-key&lat=1&lon=2").unitID == "encoded-key")
    }

    @Test func readsLocationAsAnAlternativeToLatLon() throws {
        let report = try parse("id=1&location=-33.86825%2C151.2093")
        #expect(isClose(report.latitude, -33.86825))
        #expect(isClose(report.longitude, 151.2093))
        #expect(isClose(try parse("id=1&location=40.7128,-74.006").longitude, -74.006))
    }

    @Test func lastRepeatedKeyWinsAndUnknownKeysAreIgnored() throws {
        let report = try parse("id=first&lat=1&lon=2&id=second&lat=3&foo=%ZZ&Lat=99&&=x&bare")
        #expect(report.unitID == "second")
        #expect(report.latitude == 3)
    }

    @Test func acceptsSignedAndExponentNumbers() throws {
        let report = try parse("id=1&lat=%2B39.9042&lon=1.164074e2&altitude=-12.5")
        #expect(isClose(report.latitude, 39.9042))
        #expect(isClose(report.longitude, 116.4074))
        #expect(report.altitude == -12.5)
    }

    @Test func treatsValidTrueAsAFix() throws {
        _ = try parse("id=1&lat=1&lon=2&valid=true")
        _ = try parse("id=1&lat=1&lon=2&valid=1")
    }

    @Test(arguments: ["valid=false", "valid=0", "valid=FALSE"])
    func rejectsReportsWithoutFix(flag: String) {
        #expect(rejectionReason { try parse("id=1&lat=1&lon=2&\(flag)") } == .invalidFix)
    }

    @Test(arguments: [
        "lat=39.9042&lon=116.4074",                       // missing id
        "id=&lat=39.9042&lon=116.4074",                   // empty id
        "id=%0A&lat=1&lon=2",                             // control character as id (log injection)
        "id=%FF%FE&lat=1&lon=2",                          // not UTF-8
        "id=1&lon=116.4074",                              // missing lat
        "id=1&lat=39.9042",                               // missing lon
        "id=1&lat=&lon=2",                                // empty lat
        "id=1&lat=north&lon=116.4074",                    // letters as lat
        "id=1&lat=39,9042&lon=116.4074",                  // decimal comma
        "id=1&lat=39.9042&lon=116.4074x",                 // trailing garbage
        "id=1&lat=NaN&lon=2",
        "id=1&lat=1&lon=inf",
        "id=1&lat=1e999&lon=2",                           // overflows to infinity
        "id=1&lat=0x1p3&lon=2",                           // hexadecimal float
        "id=1&lat=%2039.9&lon=2",                         // leading space
        "id=1&lat=1&lon=2&speed=fast",
        "id=1&lat=1&lon=2&batt=87%",                      // bad escape in a known key
        "id=1&lat=1&lon=2&timestamp=yesterday",
        "id=1&lat=1&lon=2&timestamp=-1700000000",
        "id=1&lat=1&lon=2&timestamp=2023-13-14 22:13:20",  // month 13
        "id=1&lat=1&lon=2&timestamp=2023-02-29T00:00:00",  // not a leap year
        "id=1&lat=1&lon=2&timestamp=2023-11-14T22:13:20+25:00",
        "id=1&lat=1&lon=2&valid=maybe",
        "id=1&location=39.9042",                          // location without comma
        "i%d=1&lat=1&lon=2",                              // bad escape in a key
        "",
    ])
    func rejectsMalformedReports(parameters: String) {
        #expect(rejectionReason { try parse(parameters) } == .malformed, "\(parameters)")
    }

    @Test func rejectsParameterStringsOver8KiB() throws {
        let padding = "&note=" + String(repeating: "x", count: OsmAndReport.maximumLength)
        #expect(rejectionReason { try parse("id=1&lat=1&lon=2" + padding) } == .malformed)
        let exactly8KiB = "id=1&lat=1&lon=2&n=" + String(repeating: "x", count: OsmAndReport.maximumLength - 19)
        #expect(exactly8KiB.utf8.count == OsmAndReport.maximumLength)
        _ = try parse(exactly8KiB)
    }

    @Test func describesTheProblem() {
        let failure = rejection { try parse("id=1&lat=north&lon=2") }
        #expect(failure?.description == "OsmAnd lat 'north' is not a number")
        let missing = rejection { try parse("lat=1&lon=2") }
        #expect(missing?.detail == "OsmAnd report has no id or deviceid")
    }

    @Test func survivesDamagedInput() {
        let fixture = Array("id=123456&timestamp=2023-11-14%2022:13:20&lat=39.9042&lon=116.4074&speed=0.0&bearing=0.0&valid=true".utf8)
        for bytes in mutations(of: fixture, count: 5000, seed: 42) {
            _ = try? OsmAndReport.parse(parameters: bytes, receivedAt: receivedAt)
        }
    }
}
