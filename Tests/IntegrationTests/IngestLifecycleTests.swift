import Foundation
import Testing

/// Pull sources that come and go: on-demand start and stop, and an upstream camera that dies
/// and comes back while a command centre keeps watching.
@Suite struct IngestLifecycleTests {
    /// The channel's live state as the API shows it.
    static func state(_ path: String, on harness: GatewayHarness) async throws -> [String: Any] {
        try #require(try await harness.api().get("/api/v1/channels/\(path)").json()["state"] as? [String: Any])
    }

    @Test func anOnDemandSourceStartsForItsFirstConsumerAndStopsWhenIdle() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(configure: { $0.ingest.onDemandIdleTimeout = .seconds(2) }) { harness in
            let api = harness.api()
            let created = try await api.post("/api/v1/channels", json: ["path": "dam/spillway", "kind": "camera", "source": clip, "on_demand": true])
            #expect(created.status == 201, "\(created.text)")
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await Self.state("dam/spillway", on: harness)["source"] is NSNull, "an on-demand source ran before anyone asked")

            // The first consumer waits for the first keyframe instead of getting 404.
            let streams = try await Players.probe(harness.url("dam/spillway"), transport: "tcp")
            #expect(streams.map(\.codec_name) == ["h264", "aac"])
            let decoded = try await Players.decodeFrames(harness.url("dam/spillway"), transport: "tcp", seconds: 2)
            #expect(decoded.video >= 30)

            // Without consumers it stops after the idle timeout, and comes back for the next one.
            try await IngestLifecycleTests.eventually("the idle on-demand source to stop", timeout: .seconds(15)) {
                try await Self.state("dam/spillway", on: harness)["source"] is NSNull
            }
            #expect(try await Self.state("dam/spillway", on: harness)["online"] as? Bool == false)
            #expect(harness.log.text.contains("stopping on-demand source without consumers"))
            let again = try await Players.probe(harness.url("dam/spillway"), transport: "tcp")
            #expect(again.map(\.codec_name) == ["h264", "aac"])

            // A path nobody knows is still a plain 404, answered at once.
            let unknown = try RawRTSPClient(port: harness.rtspPort)
            try unknown.send("DESCRIBE \(harness.url("nowhere/at-all")) RTSP/1.0\r\nCSeq: 1\r\n\r\n")
            #expect(try await unknown.readResponse().status == 404)
        }
    }

    /// A client that set up a track and then let the on-demand source go idle before PLAY gets
    /// 404 instead of a session that would wait for media forever.
    @Test func aPlayAfterTheOnDemandSourceStoppedIsRefused() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(configure: { $0.ingest.onDemandIdleTimeout = .seconds(1) }) { harness in
            let created = try await harness.api().post("/api/v1/channels", json: ["path": "dam/gate", "kind": "camera", "source": clip, "on_demand": true])
            #expect(created.status == 201, "\(created.text)")
            let client = try RawRTSPClient(port: harness.rtspPort)
            try client.send("DESCRIBE \(harness.url("dam/gate")) RTSP/1.0\r\nCSeq: 1\r\n\r\n")
            #expect(try await client.readResponse().status == 200)
            try client.send("SETUP \(harness.url("dam/gate"))/trackID=0 RTSP/1.0\r\nCSeq: 2\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n")
            let setup = try await client.readResponse()
            #expect(setup.status == 200)
            let session = try #require(setup.headers["session"]?.split(separator: ";").first)
            try await IngestLifecycleTests.eventually("the idle on-demand source to stop", timeout: .seconds(15)) {
                harness.log.text.contains("stopping on-demand source without consumers")
            }
            try await Task.sleep(for: .milliseconds(300))
            try client.send("PLAY \(harness.url("dam/gate")) RTSP/1.0\r\nCSeq: 3\r\nSession: \(session)\r\n\r\n")
            #expect(try await client.readResponse().status == 404)
        }
    }

    @Test func aConsumerKeepsWatchingAcrossAnUpstreamRestart() async throws {
        let clip = try await MediaFixtures.h264AAC()
        // The upstream camera: a second Muster serving a looping clip.
        func startUpstream(port: Int) async throws -> (ExternalProcess, Int) {
            let data = FileManager.default.temporaryDirectory.appendingPathComponent("muster-upstream-\(UUID().uuidString)").path
            let upstream = try ExternalProcess(try MusterCommandTests.binary, [
                "serve", "--data-dir", data, "--rtsp-listen", "127.0.0.1:\(port)", "--rtp-port", "0", "--api-listen", "127.0.0.1:0",
                "--osmand-listen", "off", "--nmea-listen", "off", "--source", "cam=\(clip)",
            ])
            try upstream.start()
            return (upstream, try await MusterCommandTests.rtspPort(loggedBy: upstream))
        }
        var (upstream, upstreamPort) = try await startUpstream(port: 0)
        defer { upstream.stop() }

        try await GatewayHarness.with(configure: { configuration in
            configuration.ingest.retryDelay = .milliseconds(200)
            configuration.ingest.maximumRetryDelay = .milliseconds(400)
        }) { harness in
            let created = try await harness.api().post("/api/v1/channels", json: [
                "path": "road/k12", "kind": "camera", "source": "rtsp://127.0.0.1:\(upstreamPort)/cam",
            ])
            #expect(created.status == 201, "\(created.text)")
            try await harness.waitForStream("road/k12")

            // A command-centre player decoding the relayed feed, one line per decoded frame.
            let player = try ExternalProcess("ffmpeg", [
                "-hide_banner", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", harness.url("road/k12"),
                "-map", "0:v", "-f", "framecrc", "-flush_packets", "1", "-",
            ])
            try player.start()
            defer { player.stop() }
            func frames() -> Int { player.standardOutput.split(separator: "\n").filter { !$0.hasPrefix("#") }.count }
            try await Self.eventually("the player decoding frames", timeout: .seconds(30)) { frames() > 20 }

            upstream.signal(SIGKILL)
            _ = try await upstream.wait(timeout: .seconds(10))
            try await Self.eventually("the source noticing the upstream is gone") {
                (try await Self.state("road/k12", on: harness)["source"] as? [String: Any])?["state"] as? String == "retrying"
            }
            try await Task.sleep(for: .seconds(1))
            let before = frames()

            (upstream, upstreamPort) = try await startUpstream(port: upstreamPort)
            try await Self.waitUntilServing("cam", port: upstreamPort)
            let returned = ContinuousClock.now
            try await Self.eventually("frames decoded again", timeout: .seconds(10)) { frames() >= before + 3 }
            let recovery = ContinuousClock.now - returned
            #expect(player.isRunning, "the player lost its connection: \(player.standardError.suffix(1000))")
            // The issue's bar: decoding again within 2 s of the upstream's return, counted from
            // the moment the upstream serves its stream again (its own start-up is not ours).
            #expect(recovery < .seconds(2), "frames came back \(recovery) after the upstream returned")
            let source = try #require(try await Self.state("road/k12", on: harness)["source"] as? [String: Any])
            #expect(source["state"] as? String == "online")
            #expect((source["reconnects"] as? Int ?? 0) >= 1)
        }
    }

    /// Waits until an RTSP server answers DESCRIBE of `path` with 200: started and with a stream.
    static func waitUntilServing(_ path: String, port: Int, timeout: Duration = .seconds(20)) async throws {
        let client = try RawRTSPClient(port: port)
        var sequence = 0
        try await eventually("the upstream serving \(path)", timeout: timeout) {
            sequence += 1
            try client.send("DESCRIBE rtsp://127.0.0.1:\(port)/\(path) RTSP/1.0\r\nCSeq: \(sequence)\r\n\r\n")
            return try await client.readResponse().status == 200
        }
    }

    static func eventually(_ what: String, timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws {
        try await TrackingTests.eventually(what, timeout: timeout, condition)
    }
}
