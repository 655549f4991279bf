import NIOCore
import TrackerBenchCore
import XCTest

final class WireTests: XCTestCase {
    private func text(_ body: (inout [UInt8]) -> Void) -> String {
        var bytes: [UInt8] = []
        body(&bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    func testDecimalText() {
        XCTAssertEqual(text { DecimalText.append(30.6, decimals: 6, to: &$0) }, "30.600000")
        XCTAssertEqual(text { DecimalText.append(-0.04, decimals: 1, to: &$0) }, "0.0")
        XCTAssertEqual(text { DecimalText.append(-12.345, decimals: 2, to: &$0) }, "-12.35")
        XCTAssertEqual(text { DecimalText.append(7, width: 3, to: &$0) }, "007")
        XCTAssertEqual(text { DecimalText.append(1_700_000_000, to: &$0) }, "1700000000")
    }

    func testRMCIsFramedAndChecksummed() {
        let clock = NMEAClock(unixSeconds: 1_700_000_000)  // 2023-11-14 22:13:20 UTC
        XCTAssertEqual(String(decoding: clock.timeOfDay, as: UTF8.self), "221320.00")
        XCTAssertEqual(String(decoding: clock.date, as: UTF8.self), "141123")
        let sentence = text {
            NMEAFormat.appendRMC(latitude: 30.5, longitude: 114.25, speedKnots: 3.25, course: 45, clock: clock, to: &$0)
        }
        XCTAssertTrue(sentence.hasPrefix("$GPRMC,221320.00,A,3030.0000,N,11415.0000,E,3.3,45.0,141123,,,A*"), sentence)
        XCTAssertTrue(sentence.hasSuffix("\r\n"))
        XCTAssertLessThanOrEqual(sentence.utf8.count, 82)
        let body = sentence.dropFirst().prefix { $0 != "*" }
        let checksum = body.utf8.reduce(0, ^)
        XCTAssertEqual(String(sentence.split(separator: "*")[1].prefix(2)), String(format: "%02X", checksum))
    }

    func testCoordinateRoundingNeverPrintsSixtyMinutes() {
        let clock = NMEAClock(unixSeconds: 0)
        let sentence = text {
            NMEAFormat.appendRMC(latitude: -29.999_999_99, longitude: -8.0, speedKnots: 0, course: 0, clock: clock, to: &$0)
        }
        XCTAssertTrue(sentence.contains(",3000.0000,S,00800.0000,W,"), sentence)
    }

    func testOsmAndRequest() {
        let request = text {
            OsmAndFormat.appendRequest(
                unitID: Array("u000001".utf8), unixSeconds: 1_700_000_000, latitude: 30.6, longitude: 114.3, speedKnots: 2,
                course: 90, battery: 80, hostHeader: Array("127.0.0.1:5055".utf8), to: &$0
            )
        }
        XCTAssertEqual(request, "GET /?id=u000001&timestamp=1700000000&lat=30.600000&lon=114.300000&speed=2.0&bearing=90.0&altitude=35.0&accuracy=8.0&batt=80 HTTP/1.1\r\nHost: 127.0.0.1:5055\r\n\r\n")
    }

    func testResponseScanner() {
        let ok = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 0\r\n\r\n"
        let bad = "HTTP/1.1 400 Bad Request\r\ncontent-length: 5\r\n\r\nnope\n"
        XCTAssertEqual(HTTPResponseScanner.scan(ByteBuffer(string: ok)), .response(status: 200, length: ok.utf8.count))
        XCTAssertEqual(HTTPResponseScanner.scan(ByteBuffer(string: bad + ok)), .response(status: 400, length: bad.utf8.count))
        XCTAssertEqual(HTTPResponseScanner.scan(ByteBuffer(string: String(bad.dropLast(2)))), .needMore)
        XCTAssertEqual(HTTPResponseScanner.scan(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-")), .needMore)
        guard case .invalid = HTTPResponseScanner.scan(ByteBuffer(string: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")) else {
            return XCTFail("chunked must be refused")
        }
    }
}

final class MeasurementTests: XCTestCase {
    func testHistogramPercentiles() {
        var histogram = LatencyHistogram()
        for microseconds in 1...10_000 { histogram.record(nanoseconds: UInt64(microseconds) * 1000) }
        XCTAssertEqual(histogram.count, 10_000)
        XCTAssertEqual(histogram.percentileMilliseconds(50)!, 5.0, accuracy: 0.01)
        XCTAssertEqual(histogram.percentileMilliseconds(99)!, 9.9, accuracy: 0.01)
        XCTAssertEqual(histogram.maximumMilliseconds, 10)
        XCTAssertEqual(histogram.percentileMilliseconds(100), 10)
    }

    func testTimingWheelExpiresInOrderAndNeverEarly() {
        var wheel = TimingWheel(tickNanoseconds: 1_000, horizonNanoseconds: 100_000)
        wheel.insert(1, dueNanoseconds: 5_500)
        wheel.insert(2, dueNanoseconds: 2_000)
        wheel.insert(3, dueNanoseconds: 0)
        var expired: [Int32] = []
        wheel.expire(upToNanoseconds: 1_999, into: &expired)
        XCTAssertEqual(expired, [3])
        wheel.expire(upToNanoseconds: 5_999, into: &expired)
        XCTAssertEqual(expired, [3, 2])
        wheel.expire(upToNanoseconds: 6_000, into: &expired)
        XCTAssertEqual(expired, [3, 2, 1])
        XCTAssertEqual(wheel.count, 0)
    }

    func testTrackerCountersFromMetrics() {
        let text = """
        # TYPE muster_positions_accepted_total counter
        muster_positions_accepted_total{source="osmand"} 120
        muster_positions_accepted_total{source="nmea"} 80
        muster_positions_rejected_total{source="osmand",reason="unknown-unit"} 3
        muster_units_online 150.0
        muster_api_requests_total{route="/metrics",method="GET",status="200"} 9
        """
        let counters = TrackerCounters(metrics: text)
        XCTAssertEqual(counters.accepted, ["osmand": 120, "nmea": 80])
        XCTAssertEqual(counters.rejected, ["osmand/unknown-unit": 3])
        XCTAssertEqual(counters.unitsOnline, 150)
        var later = counters
        later.accepted["nmea"] = 100
        XCTAssertEqual(later.since(counters).accepted, ["nmea": 20])
    }

    func testUnitPlanIsDeterministicAndInsideTheProvince() {
        let a = UnitPlan(count: 1_000, httpShare: 0.5, seed: 7), b = UnitPlan(count: 1_000, httpShare: 0.5, seed: 7)
        XCTAssertEqual(a.httpCount, 500)
        XCTAssertEqual(a.id(42), "u000042")
        for unit in [0, 499, 500, 999] {
            XCTAssertEqual(a.position(unit, at: 30).latitude, b.position(unit, at: 30).latitude)
            let start = a.position(unit, at: 0)
            XCTAssertTrue(GeoBox.province.contains(latitude: start.latitude, longitude: start.longitude))
        }
    }

    func testUDPCounters() {
        let snmp = "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors\nUdp: 100 1 7 90 5 0\n"
        let counters = UDPCounters.parse(snmp)
        XCTAssertEqual(counters?.inDatagrams, 100)
        XCTAssertEqual(counters?.receiveBufferErrors, 5)
        XCTAssertEqual(counters?.inErrors, 7)
    }
}
