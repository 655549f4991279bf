import Foundation
import Testing
@testable import MusterPositionFormats

/// Fixtures written in the style of u-blox (GN talker, NMEA 4.1 mode and nav status) and SiRF
/// (GP talker, millisecond times, NMEA 2.2 without mode) receivers. Checksums were computed
/// independently of the parser.
struct NMEASentenceTests {
    let receivedAt = Date(timeIntervalSince1970: 1_716_200_000)  // 2024-05-20T10:13:20Z

    func parse(_ line: String, receivedAt: Date? = nil) throws(PositionRejection) -> NMEAParseResult {
        try NMEASentence.parse(Array(line.utf8), receivedAt: receivedAt ?? self.receivedAt)
    }

    func position(_ line: String, receivedAt: Date? = nil) throws -> PositionReport {
        guard case .position(let report, _) = try parse(line, receivedAt: receivedAt) else {
            Issue.record("expected a position from \(line)")
            throw PositionRejection(.malformed, "no position")
        }
        return report
    }

    // MARK: RMC

    @Test func readsUbloxRMCInBeijingNorthEast() throws {
        let result = try parse("$GNRMC,083559.00,A,3954.25200,N,11624.44400,E,0.004,77.52,200524,,,A,V*30")
        guard case .position(let report, let sentence) = result else { Issue.record("no position"); return }
        #expect(sentence == "RMC")
        #expect(report.unitID == nil)
        #expect(isClose(report.latitude, 39.9042))
        #expect(isClose(report.longitude, 116.4074))
        #expect(isClose(report.speed, 0.004 * 1852 / 3600))
        #expect(isClose(report.heading, 77.52))
        #expect(report.deviceTime == Date(timeIntervalSince1970: 1_716_194_159))
        #expect(report.altitude == nil && report.accuracy == nil && report.battery == nil)
    }

    @Test func readsSiRFStyleRMCInNewYorkNorthWest() throws {
        let report = try position("$GPRMC,225446.000,A,4042.7680,N,07400.3600,W,12.50,271.30,151123,,*2B")
        #expect(isClose(report.latitude, 40.7128))
        #expect(isClose(report.longitude, -74.006))
        #expect(isClose(report.speed, 6.430_555_555_555_556))
        #expect(isClose(report.heading, 271.3))
        #expect(report.deviceTime == Date(timeIntervalSince1970: 1_700_088_886))
    }

    @Test func readsRMCInBuenosAiresSouthWestWithLastCenturyDate() throws {
        let report = try position("$GNRMC,141205.00,A,3436.22500,S,05822.92600,W,3.200,185.10,010199,,,D*72")
        #expect(isClose(report.latitude, -34.60375))
        #expect(isClose(report.longitude, -58.3821))
        #expect(report.deviceTime == Date(timeIntervalSince1970: 915_199_925))  // 1999-01-01T14:12:05Z
    }

    @Test func acceptsSentencesWithoutChecksumAndWithTrailingLineEnd() throws {
        let bare = try position("$GPRMC,225446.000,A,4042.7680,N,07400.3600,W,12.50,271.30,151123,,")
        let withCRLF = try position("$GPRMC,225446.000,A,4042.7680,N,07400.3600,W,12.50,271.30,151123,,*2B\r\n")
        #expect(bare == withCRLF)
    }

    @Test func acceptsLowercaseChecksum() throws {
        let report = try position("$GPRMC,225446.000,A,4042.7680,N,07400.3600,W,12.50,271.30,151123,,*2b")
        #expect(isClose(report.latitude, 40.7128))
    }

    @Test func leavesEmptySpeedCourseAndDateAsNil() throws {
        let report = try position("$GPRMC,083559,A,3954.2520,N,11624.4440,E,,,,,")
        #expect(report.speed == nil)
        #expect(report.heading == nil)
        #expect(report.deviceTime == nil)
    }

    @Test func acceptsLongitudeWithoutLeadingZeros() throws {
        let report = try position("$GPRMC,083559,A,4042.7680,N,7400.3600,W,0,0,200524")
        #expect(isClose(report.longitude, -74.006))
    }

    @Test func rejectsRMCWithStatusVAsInvalidFix() {
        #expect(rejectionReason { try parse("$GPRMC,,V,,,,,,,,,,N*53") } == .invalidFix)
    }

    @Test func rejectsRMCWithModeNAsInvalidFix() {
        #expect(rejectionReason { try parse("$GNRMC,101010.00,A,3954.25200,N,11624.44400,E,0.010,,200524,,,N,V*10") } == .invalidFix)
    }

    @Test func rejectsRMCWithEmptyPositionAsInvalidFix() {
        #expect(rejectionReason { try parse("$GPRMC,083559,A,,,,,0.0,0.0,200524,,") } == .invalidFix)
    }

    // MARK: GGA

    @Test func readsUbloxGGAInSydneySouthEast() throws {
        let result = try parse("$GNGGA,092725.00,3352.09500,S,15112.55800,E,1,08,1.01,58.2,M,22.1,M,,*67")
        guard case .position(let report, let sentence) = result else { Issue.record("no position"); return }
        #expect(sentence == "GGA")
        #expect(isClose(report.latitude, -33.86825))
        #expect(isClose(report.longitude, 151.2093))
        #expect(isClose(report.altitude, 58.2))
        #expect(report.accuracy == nil)  // HDOP is not metres
        #expect(report.speed == nil && report.heading == nil)
        // No date in GGA: the time of day lands on receivedAt's UTC day.
        #expect(report.deviceTime == Date(timeIntervalSince1970: 1_716_197_245))
    }

    @Test func datesGGAJustBeforeMidnightOnThePreviousDay() throws {
        let justAfterMidnight = Date(timeIntervalSince1970: 1_716_249_603)  // 2024-05-21T00:00:03Z
        let report = try position("$GPGGA,235959.500,3954.2520,N,11624.4440,E,2,11,0.8,-12.5,M,-8.0,M,3.2,0120*7B",
                                  receivedAt: justAfterMidnight)
        #expect(report.deviceTime == Date(timeIntervalSince1970: 1_716_249_599.5))  // 2024-05-20T23:59:59.5Z
        #expect(isClose(report.altitude, -12.5))
    }

    @Test func datesGGAJustAfterMidnightOnTheNextDay() throws {
        let justBeforeMidnight = Date(timeIntervalSince1970: 1_716_249_598)  // 2024-05-20T23:59:58Z
        let report = try position("$GPGGA,000001,3954.2520,N,11624.4440,E,1,05,1.2,50.0,M,,M,,", receivedAt: justBeforeMidnight)
        #expect(report.deviceTime == Date(timeIntervalSince1970: 1_716_249_601))  // 2024-05-21T00:00:01Z
    }

    @Test func rejectsGGAWithQualityZeroAsInvalidFix() {
        #expect(rejectionReason { try parse("$GNGGA,,,,,,0,00,99.99,,,,,,*56") } == .invalidFix)
    }

    @Test func rejectsGGAWithEmptyPositionAsInvalidFix() {
        #expect(rejectionReason { try parse("$GPGGA,120000,,,,,1,00,,,M,,M,,") } == .invalidFix)
    }

    @Test func rejectsGGAWithAnAltitudeUnitOtherThanMetres() {
        #expect(rejectionReason { try parse("$GNGGA,092725.00,3352.09500,S,15112.55800,E,1,08,1.01,58.2,F,22.1,M,,*6C") } == .malformed)
    }

    // MARK: Other sentences

    @Test(arguments: [
        ("$GPGSV,3,1,10,02,47,291,38,05,12,044,21,12,64,093,44,25,33,214,30*77", "GSV"),
        ("$GNTXT,01,01,02,ANTSTATUS=OK*25", "TXT"),
        ("$GPVTG,054.7,T,034.4,M,005.5,N,010.2,K,A*25", "VTG"),
        ("$GNGSA,A,3,02,05,12,25,,,,,,,,,1.8,1.0,1.5", "GSA"),
        ("$PMTK001,314,3*36", "PMTK001"),
    ])
    func ignoresSentencesWithoutPosition(line: String, type: String) throws {
        #expect(try parse(line) == .ignored(sentenceType: type))
    }

    @Test func checksIgnoredSentencesToo() {
        #expect(rejectionReason { try parse("$GPGSV,3,1,10,02,47,291,38,05,12,044,21,12,64,093,44,25,33,214,30*78") } == .badChecksum)
    }

    // MARK: Length

    /// A sentence of exactly `length` characters including `$`, `*HH` and CR LF.
    func sentence(ofLength length: Int) -> String {
        let head = "GPRMC,083559,A,3954.2520,N,11624.4440,E,0.5,90.0,200524,,,A,"
        let body = head + String(repeating: "0", count: length - head.count - 6)
        let checksum = body.utf8.reduce(0, ^)
        return "$" + body + "*" + String(checksum, radix: 16, uppercase: true).leftPadded(to: 2)
    }

    @Test func acceptsExactly82Characters() throws {
        let line = sentence(ofLength: 82)
        #expect(line.utf8.count == 80)
        _ = try parse(line)
        _ = try parse(line + "\r\n")
    }

    @Test func rejects83CharactersAsTooLong() {
        let line = sentence(ofLength: 83)
        #expect(rejectionReason { try parse(line) } == .tooLong)
        #expect(rejectionReason { try parse(line + "\r\n") } == .tooLong)
        #expect(rejectionReason { try parse(line + String(repeating: "0", count: 5000)) } == .tooLong)
    }

    // MARK: Malformed input

    @Test func rejectsWrongChecksum() {
        let failure = rejection { try parse("$GNRMC,083559.00,A,3954.25200,N,11624.44400,E,0.004,77.52,200524,,,A,V*31") }
        #expect(failure?.reason == .badChecksum)
        #expect(failure?.detail == "NMEA checksum is 31, content sums to 30")
    }

    @Test(arguments: [
        "$GNRMC,083559.00,A,3954.25200,N,11624.44400,E,0.004,77.52,200524,,,A,V*3G",   // non-hex checksum
        "$GNRMC,083559.00,A,3954.25200,N,11624.44400,E,0.004,77.52,200524,,,A,V*3",    // one checksum digit
        "$GNRMC,083559.00,A,3954.25200,N,11624.44400,E,0.004,77.52,200524,,,A,V*",     // star only
        "$GNRMC,083559.00,A,3954.25200,N,11624.44400,E,0.004,77.52,200524,,,A,V*300",  // three digits
        "$GNRMC,083559.00,A,3960.00000,N,11624.44400,E,0.004,77.52,200524,,,A,V*32",   // 60 minutes
        "$GNRMC,083559.00,A,3954.25200,N,11660.00000,E,0.004,77.52,200524,,,A,V",      // 60 minutes of longitude
        "$GNRMC,083559.00,A,39A4.25200,N,11624.44400,E,0.004,77.52,200524,,,A,V*44",   // letter in latitude
        "$GNRMC,083559.00,A,3954.25200,N,11624.44400,E,0.0O4,77.52,200524,,,A,V*4F",   // letter O in speed
        "$GNRMC,083559.00,A,3954.25200,N,11624.44400,E*09",                            // missing fields
        "$GNRMC,083559.00,A,3954.25200,X,11624.44400,E,0.004,77.52,200524,,,A,V*26",   // hemisphere X
        "$GNRMC,083559.00,A,3954.25200,N,11624.44400,N,0.004,77.52,200524,,,A,V",      // N for longitude
        "$GNRMC,083559.00,A,3954.25200,,11624.44400,E,0.004,77.52,200524,,,A,V",       // hemisphere missing
        "$GNRMC,083559.00,A,3954.25200,N,11624.44400,E,0.004,77.52,310224,,,A,V*37",   // 31 February
        "$GNRMC,246000.00,A,3954.25200,N,11624.44400,E,0.004,77.52,200524,,,A,V",      // hour 24
        "$GNRMC,0835,A,3954.25200,N,11624.44400,E,0.004,77.52,200524,,,A,V",           // short time
        "$GNRMC,083559.00,X,3954.25200,N,11624.44400,E,0.004,77.52,200524,,,A,V",      // status X
        "$GNRMC,083559.00,A,-3954.2520,N,11624.44400,E,0.004,77.52,200524,,,A,V",      // signed coordinate
        "$GNRMC,083559.00,A,395425.200,N,11624.44400,E,0.004,77.52,200524,,,A,V",      // too many degree digits
        "$GNRMC,083559.00,A,3954.25200,N,11624.44400,E,1e3,77.52,200524,,,A,V",        // exponent in NMEA
        "$GNGGA,092725.00,3352.09500,S,15112.55800,E,,08,1.01,58.2,M,22.1,M,,",       // empty quality
        "$GNGGA,092725.00,3352.09500,S,15112.55800,E,1,08,1.01",                        // GGA missing fields
        "$GNGGA,092725.00,3352.09500,S,15112.55800,E,1,08,1.01,5x8.2,M,22.1,M,,",     // letters in altitude
        "$gnrmc,083559.00,A,3954.25200,N,11624.44400,E,0.004,77.52,200524,,,A,V",      // lowercase address
        "$GPRM,083559.00,A,3954.25200,N,11624.44400,E,0.004,77.52,200524,,,A,V",       // short address
        "$,1,2",                                                                       // empty address
        "$",                                                                           // '$' only
        "",                                                                            // empty line
        "\r\n",                                                                        // line end only
        "GPRMC,083559.00,A,3954.25200,N,11624.44400,E,0.004,77.52,200524,,,A,V",       // no '$'
        "!AIVDM,1,1,,A,13aEOK?P00PD2wVMdLDRhgvL289?,0*26",                             // AIS, not NMEA position
        "$GPGGA,1$GPRMC,083559.00,A,3954.25200,N,11624.44400,E",                       // two sentences glued
        "$GNRMC,083559.00,A,3954.25200,N,116\t24.44400,E,0.004,77.52,200524,,,A,V",    // control byte
    ])
    func rejectsMalformedSentences(line: String) {
        #expect(rejectionReason { try parse(line) } == .malformed, "\(line)")
    }

    @Test func rejectsNonASCIIAndBinaryGarbage() {
        let nonASCII: [UInt8] = Array("$GPRMC,083559,A,3954.2520,N,11624.4440,E,0,0,200524".utf8) + [0xC3, 0xA9]
        let garbage: [UInt8] = [0x00, 0xFF, 0x24, 0x13, 0x80, 0x7F, 0x0D, 0x0A, 0xB5, 0x62, 0x01, 0x07]
        let binaryAfterDollar: [UInt8] = [0x24, 0xB5, 0x62, 0x01, 0x07, 0x5C, 0x00]
        for bytes in [nonASCII, garbage, binaryAfterDollar] {
            #expect(rejectionReason { try NMEASentence.parse(bytes, receivedAt: receivedAt) } == .malformed)
        }
    }

    @Test func survivesDamagedInput() {
        let fixtures = [
            "$GNRMC,083559.00,A,3954.25200,N,11624.44400,E,0.004,77.52,200524,,,A,V*30",
            "$GNGGA,092725.00,3352.09500,S,15112.55800,E,1,08,1.01,58.2,M,22.1,M,,*67",
            "$GPRMC,225446.000,A,4042.7680,N,07400.3600,W,12.50,271.30,151123,,",
        ]
        for (seed, fixture) in fixtures.enumerated() {
            for bytes in mutations(of: Array(fixture.utf8), count: 3000, seed: UInt64(seed + 1)) {
                _ = try? NMEASentence.parse(bytes, receivedAt: receivedAt)
            }
        }
    }

    @Test func acceptsAnyCollectionOfBytes() throws {
        let line = "$GNGGA,092725.00,3352.09500,S,15112.55800,E,1,08,1.01,58.2,M,22.1,M,,*67"
        let fromSlice = try NMEASentence.parse(Array(line.utf8)[...], receivedAt: receivedAt)
        let fromView = try NMEASentence.parse(line.utf8, receivedAt: receivedAt)
        #expect(fromSlice == fromView)
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
