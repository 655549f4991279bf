import Foundation
import Testing

/// A drone's MPEG-TS with MISB ST 0601 KLV: the telemetry survives the relay and its positions
/// reach the channel's live state.
@Suite struct DroneTelemetryTests {
    @Test func decodesKLVPositionsAndRelaysTheDataTrack() async throws {
        let drone = try await MediaFixtures.droneTS()
        try await GatewayHarness.with(sources: [("drones/uav-3", drone.path)]) { harness in
            try await harness.waitForStream("drones/uav-3")

            // The KLV track is served (FFmpeg 5.1 lists it as a data stream it cannot name).
            let streams = try await Players.probe(harness.url("drones/uav-3"), transport: "tcp")
            #expect(streams.map(\.codec_type) == ["video", "data"])
            #expect(streams.first?.codec_name == "h264")

            var position: [String: Any]?
            let deadline = ContinuousClock.now + .seconds(15)
            while position == nil, ContinuousClock.now < deadline {
                let state = try await harness.api().get("/api/v1/channels/drones/uav-3").json()["state"] as? [String: Any]
                position = state?["position"] as? [String: Any]
                if position == nil { try await Task.sleep(for: .milliseconds(200)) }
            }
            let decoded = try #require(position, "no KLV position reached the channel state")
            let latitude = try #require(decoded["latitude"] as? Double)
            let longitude = try #require(decoded["longitude"] as? Double)
            // Whichever packet was last, it is one the drone sent (to the encoding's precision).
            let match = drone.positions.contains { sent in
                abs((sent["latitude"] ?? 0) - latitude) < 1e-6 && abs((sent["longitude"] ?? 0) - longitude) < 1e-6
            }
            #expect(match, "decoded \(latitude), \(longitude) is none of the positions sent")
            #expect(abs((decoded["altitude"] as? Double ?? 0) - 2150) < 0.5)
            #expect(decoded["source"] as? String == "klv")
            #expect((decoded["device_time"] as? String)?.hasPrefix("2025-11-29T02:00:0") == true)
        }
    }
}
