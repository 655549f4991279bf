import Foundation
import Testing

/// One consumer that stops reading must cost the others nothing: they keep decoding every
/// picture while the stalled one skips ahead to keyframes.
@Suite(.serialized) struct SlowConsumerTests {
    @Test func aStalledConsumerDropsWhileOthersDecodeEverything() async throws {
        let clip = try await MediaFixtures.h264HighBitrate()
        // The stall limit stays out of this: on a loaded machine the healthy player can take
        // longer than the default 10 s, and the stalled consumer would be gone before it is listed.
        try await GatewayHarness.with(sources: [("cam", clip)], configure: { $0.rtsp.stalledConsumerTimeout = .seconds(600) }) { harness in
            try await harness.waitForStream("cam")
            // A consumer that plays over TCP and then never reads a byte.
            var stalled: RawRTSPClient? = try RawRTSPClient(port: harness.rtspPort, receiveBufferSize: 4096)
            try stalled?.send("SETUP \(harness.url("cam"))/trackID=0 RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n")
            let session = try #require(try await stalled?.readResponse().headers["session"]?.split(separator: ";").first)
            try stalled?.send("PLAY \(harness.url("cam")) RTSP/1.0\r\nCSeq: 2\r\nSession: \(session)\r\n\r\n")

            let decoded = try await Players.decodeFrames(harness.url("cam"), transport: "tcp", seconds: 6)
            // 6 s at 25 fps is 150 pictures.
            #expect(decoded.video >= 140, "the healthy consumer decoded \(decoded.video) pictures: \(decoded.errors)")

            let sessions = try await harness.api().get("/api/v1/sessions").json()["sessions"] as? [[String: Any]]
            let listed = sessions?.first { $0["id"] as? String == String(session) }
            #expect((listed?["dropped"] as? Int ?? 0) > 0, "the session list shows no drops: \(String(describing: listed))")

            // Hanging up makes the gateway log what the stalled consumer missed.
            stalled = nil
            // Generous: on a loaded machine the hang-up can take a while to be noticed.
            let deadline = ContinuousClock.now + .seconds(30)
            var summary: Substring?
            while summary == nil, ContinuousClock.now < deadline {
                summary = harness.log.text.split(separator: "\n").first { $0.contains("consumer stopped") && $0.contains("session=\(session)") }
                try await Task.sleep(for: .milliseconds(100))
            }
            let line = try #require(summary, "no log line for the stalled session")
            let dropped = line.split(separator: " ").first { $0.hasPrefix("dropped_units=") }.flatMap { Int($0.dropFirst("dropped_units=".count)) }
            #expect((dropped ?? 0) > 0, "the stalled consumer dropped nothing: \(line)")
        }
    }

    /// A consumer that takes nothing past the stall limit is disconnected with a log line.
    @Test func aConsumerStalledPastTheLimitIsDisconnected() async throws {
        let clip = try await MediaFixtures.h264HighBitrate()
        try await GatewayHarness.with(sources: [("cam", clip)], configure: { $0.rtsp.stalledConsumerTimeout = .seconds(2) }) { harness in
            try await harness.waitForStream("cam")
            let stalled = try RawRTSPClient(port: harness.rtspPort, receiveBufferSize: 4096)
            try stalled.send("SETUP \(harness.url("cam"))/trackID=0 RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n")
            let session = try #require(try await stalled.readResponse().headers["session"]?.split(separator: ";").first)
            try stalled.send("PLAY \(harness.url("cam")) RTSP/1.0\r\nCSeq: 2\r\nSession: \(session)\r\n\r\n")

            let deadline = ContinuousClock.now + .seconds(30)
            var ended = false
            while !ended, ContinuousClock.now < deadline {
                let lines = harness.log.text.split(separator: "\n").filter { $0.contains("session=\(session)") }
                ended = lines.contains { $0.contains("disconnecting it") } && lines.contains { $0.contains("consumer stopped") }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(ended, "the stalled consumer was not disconnected: \(harness.log.text.suffix(2000))")
        }
    }
}
