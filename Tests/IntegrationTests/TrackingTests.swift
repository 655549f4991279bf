import Foundation
import NIOCore
import NIOPosix
import Testing

/// Field units report where they are through every input; the API answers where they are, what
/// they did and which feeds are near an incident.
@Suite struct TrackingTests {
    /// Registers a unit through the API.
    static func register(_ id: String, kind: String = "phone", on harness: GatewayHarness) async throws {
        let created = try await harness.api().post("/api/v1/units", json: ["id": id, "name": id, "kind": kind])
        #expect(created.status == 201, "\(created.text)")
    }

    /// curl's status code for a request to the OsmAnd listener.
    static func curl(_ arguments: [String]) async throws -> Int {
        let output = try await ExternalProcess.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10"] + arguments)
        return Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// The value of one Prometheus sample, or 0 when the series does not exist yet.
    static func metric(_ series: String, on harness: GatewayHarness) async throws -> Double {
        let text = try await harness.api().get("/metrics").text
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1)) ?? 0
        }
        return 0
    }

    /// Polls until `condition` holds: NMEA has no answer to wait for.
    static func eventually(_ what: String, timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw TestFailure("\(what) did not happen within \(timeout)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    @Test func osmAndReportsFromARealHTTPClientAreStoredAndQueryable() async throws {
        try await GatewayHarness.with { harness in
            try await Self.register("phone-1", on: harness)
            let base = "http://127.0.0.1:\(harness.osmandPort)"
            let now = Int(Date().timeIntervalSince1970)
            // Traccar Client's GET, then the same protocol as a form POST; speed is in knots.
            #expect(try await Self.curl(["\(base)/?id=phone-1&timestamp=\(now - 60)&lat=30.5928&lon=114.3055&speed=0&bearing=0&altitude=23&accuracy=8&batt=91"]) == 200)
            #expect(try await Self.curl(["--data", "id=phone-1&timestamp=\(now)&lat=30.5950&lon=114.3100&speed=10&bearing=45.5&altitude=25", base + "/"]) == 200)
            // One keep-alive connection for several reports, a rejected one among them, answered in order.
            let reused = try await ExternalProcess.run("curl", [
                "-s", "--max-time", "10", "-w", "%{http_code} %{num_connects}\n",
                "-o", "/dev/null", "\(base)/?id=phone-1&timestamp=\(now - 90)&lat=30.5900&lon=114.3000",
                "-o", "/dev/null", "\(base)/?id=phone-1&lat=1000&lon=114.3000",
                "-o", "/dev/null", "\(base)/?id=phone-1&timestamp=\(now - 80)&lat=30.5910&lon=114.3000",
            ])
            #expect(reused.split(separator: "\n") == ["200 1", "400 0", "200 0"])
            #expect(try await Self.curl(["\(base)/?id=stranger&lat=30.59&lon=114.30"]) == 400)
            // HEAD, as a health check sends it: the status, and no body after the head.
            #expect(try await Self.curl(["-I", "\(base)/"]) == 405)
            #expect(try await Self.curl(["\(base)/?id=phone-1&lat=north&lon=114.30"]) == 400)
            #expect(try await Self.curl(["\(base)/?id=phone-1&lat=30.59&lon=114.30&timestamp=\(now + 86_400)"]) == 400)

            let unit = try await harness.api().get("/api/v1/units/phone-1").json()
            #expect(unit["online"] as? Bool == true)
            let last = try #require(unit["last_position"] as? [String: Any])
            #expect(last["latitude"] as? Double == 30.5950)
            #expect(last["heading"] as? Double == 45.5)
            #expect(abs((last["speed"] as? Double ?? 0) - 10 * 1852 / 3600) < 1e-9)
            #expect(last["source"] as? String == "osmand")

            let track = try await harness.api().get("/api/v1/units/phone-1/positions?since=1h").json()
            let positions = try #require(track["positions"] as? [[String: Any]])
            #expect(positions.compactMap { $0["latitude"] as? Double } == [30.5900, 30.5910, 30.5928, 30.5950])
            let geoJSON = try await harness.api().get("/api/v1/units/phone-1/positions?since=1h&format=geojson")
            #expect(geoJSON.headers.first(name: "content-type") == "application/geo+json")
            let geometry = try #require(try geoJSON.json()["geometry"] as? [String: Any])
            #expect(geometry["type"] as? String == "LineString")
            #expect((geometry["coordinates"] as? [[Double]])?.dropFirst(2).first == [114.3055, 30.5928, 23])

            #expect(try await Self.metric(#"muster_positions_accepted_total{source="osmand"}"#, on: harness) == 4)
            #expect(try await Self.metric(#"muster_positions_rejected_total{source="osmand",reason="unknown-unit"}"#, on: harness) == 1)
            #expect(try await Self.metric(#"muster_positions_rejected_total{source="osmand",reason="malformed"}"#, on: harness) == 1)
            #expect(try await Self.metric(#"muster_positions_rejected_total{source="osmand",reason="time-in-future"}"#, on: harness) == 1)
        }
    }

    @Test func nmeaOverTCPAndUDPIsIdentifiedParsedAndCounted() async throws {
        try await GatewayHarness.with(configure: { $0.tracking.nmeaUnits = ["127.0.0.7": "boat-2"] }) { harness in
            try await Self.register("truck-1", kind: "vehicle", on: harness)
            try await Self.register("boat-2", kind: "tracker", on: harness)
            let group = MultiThreadedEventLoopGroup.singleton
            let port = harness.nmeaPort

            // TCP: the connection names its unit first; Buenos Aires (S/W), with and without a checksum.
            let tcp = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get()
            // A minute ago, so that neither the dated RMC nor the undated GGA lies in the future.
            let (time, date) = Self.nmeaTimeAndDate(Date().addingTimeInterval(-60))
            let lines = [
                "ID truck-1",
                Self.checksummed("$GPRMC,\(time),A,3436.4800,S,05822.8200,W,5.0,270.0,\(date),,,A"),
                "$GNGGA,\(time),3436.4900,S,05822.8300,W,1,08,0.9,25.0,M,14.0,M,,",
                Self.checksummed("$GPRMC,\(time),A,3436.5000,S,05822.8400,W,5.0,270.0,\(date),,,A", flipping: 0x01),   // wrong checksum
                Self.checksummed("$GPRMC,\(time),V,,,,,,,\(date),,,N"),                                         // no fix
                "$GPGSV,3,1,11,10,63,137,17,07,61,098,15,05,59,290,20,08,54,157,30*70",                       // ignored
                "$GPRMC," + String(repeating: "1", count: 90),                                                 // too long
            ]
            try await tcp.writeAndFlush(ByteBuffer(string: lines.joined(separator: "\r\n") + "\r\n")).get()

            // UDP from the address the configuration maps to boat-2: Sydney (S/E).
            let udp = try await DatagramBootstrap(group: group).bind(host: "127.0.0.7", port: 0).get()
            let target = try SocketAddress(ipAddress: "127.0.0.1", port: port)
            let rmc = "$GPRMC,\(time),A,3351.6000,S,15112.6000,E,0.0,0.0,\(date),,,A"
            try await udp.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: ByteBuffer(string: Self.checksummed(rmc) + "\r\n"))).get()

            try await Self.eventually("two NMEA positions for truck-1 and one for boat-2") {
                let truck = try await harness.api().get("/api/v1/units/truck-1/positions?since=1d").json()
                let boat = try await harness.api().get("/api/v1/units/boat-2/positions?since=1d").json()
                return (truck["positions"] as? [Any])?.count == 2 && (boat["positions"] as? [Any])?.count == 1
            }
            let truck = try await harness.api().get("/api/v1/units/truck-1").json()
            let last = try #require(truck["last_position"] as? [String: Any])
            #expect(abs((last["latitude"] as? Double ?? 0) - -(34 + 36.49 / 60)) < 1e-9)
            #expect(abs((last["longitude"] as? Double ?? 0) - -(58 + 22.83 / 60)) < 1e-9)
            #expect(last["altitude"] as? Double == 25)
            let boat = try await harness.api().get("/api/v1/units/boat-2").json()
            #expect(abs(((boat["last_position"] as? [String: Any])?["longitude"] as? Double ?? 0) - (151 + 12.6 / 60)) < 1e-9)

            try await Self.eventually("the rejections on /metrics") {
                try await Self.metric(#"muster_positions_rejected_total{source="nmea",reason="too-long"}"#, on: harness) == 1
            }
            #expect(try await Self.metric(#"muster_positions_rejected_total{source="nmea",reason="bad-checksum"}"#, on: harness) == 1)
            #expect(try await Self.metric(#"muster_positions_rejected_total{source="nmea",reason="invalid-fix"}"#, on: harness) == 1)
            #expect(try await Self.metric(#"muster_positions_accepted_total{source="nmea"}"#, on: harness) == 3)
            try await tcp.close()
            try await udp.close()
        }
    }

    /// `hhmmss.00` and `ddmmyy` in UTC.
    static func nmeaTimeAndDate(_ date: Date) -> (String, String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let time = String(format: "%02d%02d%02d.00", c.hour!, c.minute!, c.second!)
        return (time, String(format: "%02d%02d%02d", c.day!, c.month!, c.year! % 100))
    }

    /// The sentence with its checksum, or a wrong one when `flipping` bits of it.
    static func checksummed(_ body: String, flipping bits: UInt8 = 0) -> String {
        let sum = body.utf8.dropFirst().reduce(UInt8(0), ^) ^ bits
        return body + "*" + String(format: "%02X", sum)
    }

    @Test func httpPositionsAreAcceptedSinglyAndInBatches() async throws {
        try await GatewayHarness.with { harness in
            try await Self.register("rescuer-3", kind: "body-worn", on: harness)
            let api = harness.api()
            let single = try await api.post("/api/v1/units/rescuer-3/positions", json: ["latitude": 39.9, "longitude": 116.4, "device_time": "2026-11-29T06:00:00Z"])
            #expect(single.status == 200)
            #expect(try single.json()["accepted"] as? Int == 1)
            let batch = try await api.post("/api/v1/units/rescuer-3/positions", json: [
                ["latitude": 39.91, "longitude": 116.41, "device_time": 1_795_500_000.0],
                ["latitude": 116.41, "longitude": 39.91],
                ["latitude": 39.92, "longitude": 116.42, "speed": 1.2],
            ])
            let result = try batch.json()
            #expect(result["accepted"] as? Int == 2)
            let rejected = try #require(result["rejected"] as? [[String: Any]])
            #expect(rejected.count == 1 && rejected.first?["index"] as? Int == 1)
            #expect(rejected.first?["reason"] as? String == "coordinates-out-of-range")

            let unknown = try await api.post("/api/v1/units/nobody/positions", json: ["latitude": 39.9, "longitude": 116.4])
            #expect(unknown.status == 404)
            #expect(unknown.headers.first(name: "content-type") == "application/problem+json")
            let badTime = try await api.post("/api/v1/units/rescuer-3/positions", json: ["latitude": 39.9, "longitude": 116.4, "device_time": "yesterday"])
            #expect(badTime.status == 400)
            #expect(try badTime.json()["field"] as? String == "device_time")
            let badQuery = try await api.get("/api/v1/nearby?lat=91&lon=116.4&radius=2000")
            #expect(badQuery.status == 400)
            #expect(try badQuery.json()["field"] as? String == "lat")
        }
    }

    @Test func nearbyAnswersWhichFeedsAreCloseToAnIncident() async throws {
        try await GatewayHarness.with { harness in
            let api = harness.api()
            try await Self.register("rescuer-9", kind: "body-worn", on: harness)
            for (path, latitude, longitude) in [("dam/north", 30.6010, 114.3000), ("road/k12", 30.6300, 114.3000)] {
                let created = try await api.post("/api/v1/channels", json: [
                    "path": path, "name": path, "kind": "camera", "source": "push", "latitude": latitude, "longitude": longitude,
                ])
                #expect(created.status == 201, "\(created.text)")
            }
            let helmet = try await api.post("/api/v1/channels", json: ["path": "teams/rescuer-9", "name": "头盔 9", "kind": "body-worn", "source": "push", "unit_id": "rescuer-9"])
            #expect(helmet.status == 201)
            #expect(try await api.post("/api/v1/units/rescuer-9/positions", json: ["latitude": 30.6050, "longitude": 114.3000]).status == 200)

            let nearby = try await api.get("/api/v1/nearby?lat=30.6000&lon=114.3000&radius=2000").json()
            let channels = try #require(nearby["channels"] as? [[String: Any]])
            #expect(channels.compactMap { $0["path"] as? String } == ["dam/north", "teams/rescuer-9"])
            #expect(channels.first?["located_by"] as? String == "fixed")
            #expect(channels.last?["located_by"] as? String == "unit")
            #expect(channels.last?["unit"] as? String == "rescuer-9")
            #expect(channels.last?["rtsp_url"] as? String == "rtsp://127.0.0.1:\(harness.rtspPort)/teams/rescuer-9")
            #expect(abs((channels.first?["distance_m"] as? Double ?? 0) - 111.2) < 0.5)

            let units = try await api.get("/api/v1/units/near?lat=30.6000&lon=114.3000&radius=1000&format=geojson").json()
            let features = try #require(units["features"] as? [[String: Any]])
            #expect(features.count == 1)
            #expect(((features.first?["geometry"] as? [String: Any])?["coordinates"] as? [Double]) == [114.3, 30.605])
            #expect(((features.first?["properties"] as? [String: Any])?["channels"] as? [String]) == ["teams/rescuer-9"])
            let boxed = try await api.get("/api/v1/units/within?bbox=114.2,30.5,114.4,30.7").json()
            #expect((boxed["units"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["rescuer-9"])
        }
    }

    @Test func positionEventsReachTheEventStream() async throws {
        try await GatewayHarness.with { harness in
            try await Self.register("drone-5", kind: "drone", on: harness)
            let api = harness.api()
            async let events = api.stream("/api/v1/events") { $0.contains("event: unit.position") }
            try await Self.eventually("the event subscription") { harness.gateway.hubs.events.subscriberCount >= 2 }
            #expect(try await api.post("/api/v1/units/drone-5/positions", json: ["latitude": 22.5, "longitude": 114.05]).status == 200)
            let text = try await events
            #expect(text.contains("event: unit.online"))
            #expect(text.contains(#""latitude":22.5"#) && text.contains(#""unit":"drone-5""#))
        }
    }

    @Test func droneKLVPositionsMoveTheChannelsUnit() async throws {
        let drone = try await MediaFixtures.droneTS()
        try await GatewayHarness.with { harness in
            let api = harness.api()
            try await Self.register("uav-3", kind: "drone", on: harness)
            let created = try await api.post("/api/v1/channels", json: [
                "path": "drones/uav-3", "name": "UAV 3", "kind": "drone", "source": drone.path, "unit_id": "uav-3",
            ])
            #expect(created.status == 201, "\(created.text)")
            var last: [String: Any]?
            try await Self.eventually("a KLV position for unit uav-3", timeout: .seconds(20)) {
                last = try await api.get("/api/v1/units/uav-3").json()["last_position"] as? [String: Any]
                return last != nil
            }
            let position = try #require(last)
            #expect(position["source"] as? String == "klv")
            let latitude = try #require(position["latitude"] as? Double)
            #expect(drone.positions.contains { abs(($0["latitude"] ?? 0) - latitude) < 1e-6 })
        }
    }
}
