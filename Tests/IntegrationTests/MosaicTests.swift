import Foundation
import Testing

/// Mosaics for video walls: several pushed channels composed into one picture, tiles that fall
/// back to a placeholder when their input goes away, and inputs changed under a playing consumer.
@Suite struct MosaicTests {
    struct Colour: CustomStringConvertible {
        var red: Int, green: Int, blue: Int
        var description: String { "(\(red),\(green),\(blue))" }

        func isClose(to other: Colour, tolerance: Int = 40) -> Bool {
            abs(red - other.red) <= tolerance && abs(green - other.green) <= tolerance && abs(blue - other.blue) <= tolerance
        }

        static let red = Colour(red: 255, green: 0, blue: 0)
        /// ffmpeg's "green" is the web colour, half intensity.
        static let green = Colour(red: 0, green: 128, blue: 0)
        static let blue = Colour(red: 0, green: 0, blue: 255)
        static let white = Colour(red: 255, green: 255, blue: 255)
    }

    /// An ffmpeg publishing a solid `colour` (an ffmpeg colour name) to `url` over RTSP/TCP.
    static func publish(_ colour: String, to url: String) throws -> ExternalProcess {
        let publisher = try ExternalProcess("ffmpeg", [
            "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "color=c=\(colour):size=320x240:rate=25",
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-pix_fmt", "yuv420p",
            "-f", "rtsp", "-rtsp_transport", "tcp", url,
        ])
        try publisher.start()
        return publisher
    }

    /// The last complete RGB picture ffmpeg has written to `file` so far (scaled down to 64×36:
    /// enough for tile colours, small enough to keep the file small).
    static func latestPicture(in file: String, width: Int, height: Int) throws -> [UInt8] {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let size = width * height * 3
        guard data.count >= size else { throw TestFailure("no complete picture yet in \(file) (\(data.count) bytes)") }
        let start = (data.count / size - 1) * size
        return [UInt8](data[start..<(start + size)])
    }

    /// The colour at the centre of each tile of a 2×2 picture, left to right, top to bottom.
    static func tileColours(_ picture: [UInt8], width: Int, height: Int) -> [Colour] {
        [(1, 1), (3, 1), (1, 3), (3, 3)].map { column, row in
            let x = width * column / 4, y = height * row / 4
            let offset = (y * width + x) * 3
            return Colour(red: Int(picture[offset]), green: Int(picture[offset + 1]), blue: Int(picture[offset + 2]))
        }
    }

    @Test func aMosaicComposesItsInputsAndFollowsThemComingAndGoing() async throws {
        try await GatewayHarness.with(configure: { $0.profilesDirectory = TranscodingTests.shippedProfiles }) { harness in
            func publish(_ colour: String, to path: String) throws -> ExternalProcess {
                try Self.publish(colour, to: harness.url(path))
            }
            var publishers = try [("red", "units/a"), ("green", "units/b"), ("blue", "units/c"), ("white", "units/d")].map { try publish($0.0, to: $0.1) }
            defer { publishers.forEach { $0.stop() } }
            for path in ["units/a", "units/b", "units/c", "units/d"] { try await harness.waitForStream(path) }

            let created = try await harness.api().post("/api/v1/channels", json: [
                "path": "walls/north", "kind": "mosaic", "source": "mosaic:2x2?profile=mobile-360p&channels=units/a,units/b,units/c,units/d",
            ])
            #expect(created.status == 201, "\(created.text)")
            let streams = try await Players.probe(harness.url("walls/north"), transport: "tcp")
            #expect(streams.map(\.codec_name) == ["h264"])
            #expect(streams.first?.width == 640)
            #expect(streams.first?.height == 360)

            let output = FileManager.default.temporaryDirectory.appendingPathComponent("mosaic-\(UUID().uuidString).rgb").path
            defer { try? FileManager.default.removeItem(atPath: output) }
            let consumer = try ExternalProcess("ffmpeg", [
                "-hide_banner", "-nostats", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", harness.url("walls/north"),
                "-t", "120", "-s", "64x36", "-f", "rawvideo", "-pix_fmt", "rgb24", "-y", output,
            ])
            try consumer.start()
            defer { consumer.stop() }
            func tiles() throws -> [Colour] {
                Self.tileColours(try Self.latestPicture(in: output, width: 64, height: 36), width: 64, height: 36)
            }
            func expectTiles(_ expected: [Colour], _ what: String) async throws {
                do {
                    try await IngestLifecycleTests.eventually(what, timeout: .seconds(25)) {
                        guard let current = try? tiles() else { return false }
                        return zip(current, expected).allSatisfy { $0.isClose(to: $1) }
                    }
                } catch {
                    throw TestFailure("\(error); the tiles show \((try? tiles())?.description ?? "nothing"), expected \(expected)")
                }
            }
            let grey = Colour(red: 128, green: 128, blue: 128)
            try await expectTiles([.red, .green, .blue, .white], "each tile to show its input")

            // Input b goes away: its tile turns into the placeholder, the others stay.
            publishers[1].stop()
            try await expectTiles([.red, grey, .blue, .white], "the tile of the stopped input to become a placeholder")

            // It comes back, and the tiles are rearranged under the playing consumer.
            publishers[1] = try publish("green", to: "units/b")
            let rearranged = try await harness.api().patch("/api/v1/channels/walls/north", json: [
                "source": "mosaic:2x2?profile=mobile-360p&channels=units/b,units/a,units/d,units/c",
            ])
            #expect(rearranged.status == 200, "\(rearranged.text)")
            try await expectTiles([.green, .red, .white, .blue], "the tiles to follow the new inputs")

            #expect(consumer.isRunning, "the consumer lost its connection: \(consumer.standardError.suffix(1000))")
            #expect(harness.gateway.hubs.hub(at: "walls/north")?.statistics.publishersStarted == 1, "the mosaic's stream restarted")
            let compositors = try await TranscodingTests.transcoders(on: harness).filter { $0["kind"] as? String == "mosaic" }
            #expect(compositors.first?["inputs"] as? [String] == ["units/b", "units/a", "units/d", "units/c"])
            #expect((compositors.first?["cpu_seconds"] as? Double ?? 0) > 0)
        }
    }

    /// The incident mosaic ranks live feeds by distance: a fixed camera first, until a rescuer's
    /// body camera reports a position closer to the incident and takes the first tile.
    @Test func anIncidentMosaicShowsTheNearestFeedsAsUnitsMove() async throws {
        try await GatewayHarness.with(configure: { $0.profilesDirectory = TranscodingTests.shippedProfiles }) { harness in
            let api = harness.api()
            func publish(_ colour: String, to path: String) throws -> ExternalProcess {
                try Self.publish(colour, to: harness.url(path))
            }
            let bridge = try publish("red", to: "cams/bridge")
            defer { bridge.stop() }
            let body = try publish("green", to: "units/rescuer-7")
            defer { body.stop() }
            try await harness.waitForStream("cams/bridge")
            try await harness.waitForStream("units/rescuer-7")
            // The camera stands 500 m north of the incident; the rescuer has reported no position yet.
            #expect(try await api.patch("/api/v1/channels/cams/bridge", json: ["latitude": 30.0045, "longitude": 120.0]).status == 200)
            try await TrackingTests.register("rescuer-7", kind: "body-worn", on: harness)
            #expect(try await api.patch("/api/v1/channels/units/rescuer-7", json: ["unit_id": "rescuer-7"]).status == 200)

            let created = try await api.post("/api/v1/channels", json: [
                "path": "walls/incident", "kind": "mosaic", "source": "mosaic:2x2?profile=mobile-360p&near=30.0,120.0&radius=2000&max=4",
            ])
            #expect(created.status == 201, "\(created.text)")
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("incident-\(UUID().uuidString).rgb").path
            defer { try? FileManager.default.removeItem(atPath: output) }
            let consumer = try ExternalProcess("ffmpeg", [
                "-hide_banner", "-nostats", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", harness.url("walls/incident"),
                "-t", "120", "-s", "64x36", "-f", "rawvideo", "-pix_fmt", "rgb24", "-y", output,
            ])
            try consumer.start()
            defer { consumer.stop() }
            func firstTwoTiles() -> [Colour]? {
                (try? Self.latestPicture(in: output, width: 64, height: 36)).map { Array(Self.tileColours($0, width: 64, height: 36).prefix(2)) }
            }
            let grey = Colour(red: 128, green: 128, blue: 128)
            try await IngestLifecycleTests.eventually("the camera to fill the first tile", timeout: .seconds(25)) {
                guard let tiles = firstTwoTiles() else { return false }
                return tiles[0].isClose(to: .red) && tiles[1].isClose(to: grey)
            }

            // The rescuer reports from 100 m away: nearer than the camera.
            let now = ISO8601DateFormatter().string(from: Date())
            let reported = try await api.post("/api/v1/units/rescuer-7/positions", json: ["latitude": 30.0009, "longitude": 120.0, "device_time": now])
            #expect(reported.status == 200, "\(reported.text)")
            do {
                try await IngestLifecycleTests.eventually("the nearer rescuer to take the first tile", timeout: .seconds(25)) {
                    guard let tiles = firstTwoTiles() else { return false }
                    return tiles[0].isClose(to: .green) && tiles[1].isClose(to: .red)
                }
            } catch {
                let nearby = try await api.get("/api/v1/nearby?lat=30.0&lon=120.0&radius=2000").text
                throw TestFailure("\(error); the first tiles show \(firstTwoTiles()?.description ?? "nothing"); nearby: \(nearby)")
            }
            #expect(consumer.isRunning, "the consumer lost its connection: \(consumer.standardError.suffix(1000))")
        }
    }

    @Test func badMosaicDefinitionsAreRefusedNamingTheProblem() async throws {
        try await GatewayHarness.with { harness in
            let api = harness.api()
            for (source, problem) in [
                ("mosaic:5x5?profile=hd-720p&channels=a", "layout"),
                ("mosaic:2x2?profile=hd-720p&channels=a,b,c,d,e", "1 to 4 channels"),
                ("mosaic:2x2?channels=a", "profile="),
                ("mosaic:2x2?profile=hd-720p&channels=A/B", "channel path"),
                ("mosaic:3x3?profile=hd-720p&near=95,10&radius=100", "near="),
                ("mosaic:3x3?profile=hd-720p&near=30,120&radius=2000&max=10", "max="),
            ] {
                let refused = try await api.post("/api/v1/channels", json: ["path": "walls/bad", "kind": "mosaic", "source": source])
                #expect(refused.status == 400, "\(source): \(refused.text)")
                #expect(refused.text.contains(problem), "\(source): \(refused.text)")
            }
            let wrongKind = try await api.post("/api/v1/channels", json: [
                "path": "walls/bad", "kind": "camera", "source": "mosaic:2x2?profile=hd-720p&channels=a",
            ])
            #expect(wrongKind.status == 400)
        }
    }
}
