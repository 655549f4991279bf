import Foundation
import Testing

/// The API joined with the running gateway: channels added while running start, their live
/// state, sessions, kicks, metrics and events, and publishers registering push channels.
@Suite(.serialized) struct APILiveStateTests {
    @Test func aChannelAddedWhileRunningStartsAndShowsItsLiveState() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with { harness in
            let api = harness.api()
            let created = try await api.post("/api/v1/channels", json: ["path": "drill/cam-7", "kind": "camera", "source": clip])
            #expect(created.status == 201, "\(created.text)")
            try await harness.waitForStream("drill/cam-7")

            // The rate meter needs a few whole seconds of media.
            try await Task.sleep(for: .seconds(3))
            let channel = try await api.get("/api/v1/channels/drill/cam-7").json()
            let state = try #require(channel["state"] as? [String: Any])
            #expect(state["online"] as? Bool == true)
            #expect(state["codecs"] as? [String] == ["h264", "aac"])
            #expect(state["width"] as? Int == 320)
            #expect(state["height"] as? Int == 240)
            let fps = try #require(state["fps"] as? Double)
            #expect(fps > 15 && fps < 35, "fps \(fps)")
            #expect((state["bitrate_bps"] as? Int ?? 0) > 10_000)
            let source = try #require(state["source"] as? [String: Any])
            #expect(source["state"] as? String == "online")
            #expect((source["packets"] as? Int ?? 0) > 50)
            #expect((source["bytes"] as? Int ?? 0) > 10_000)
            #expect(source["codecs"] as? [String] == ["h264 320x240", "aac 44100 Hz"] || source["codecs"] as? [String] == ["h264 320x240", "aac 48000 Hz"])
            #expect(source["last_packet_at"] is String)

            let online = try await api.get("/api/v1/channels?state=online").json()["channels"] as? [[String: Any]]
            #expect(online?.compactMap { $0["path"] as? String } == ["drill/cam-7"])

            let decoded = try await Players.decodeFrames(harness.url("drill/cam-7"), transport: "tcp", seconds: 2)
            #expect(decoded.video >= 40)
        }
    }

    @Test func listsAndKicksSessionsAndCountsThemInMetrics() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(sources: [("drill/cam-1", clip)]) { harness in
            try await harness.waitForStream("drill/cam-1")
            let api = harness.api()
            let consumer = try ExternalProcess("ffmpeg", [
                "-hide_banner", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", harness.url("drill/cam-1"), "-f", "null", "-",
            ])
            try consumer.start()
            defer { consumer.stop() }

            var session: [String: Any]?
            let deadline = ContinuousClock.now + .seconds(15)
            while session == nil, ContinuousClock.now < deadline {
                let sessions = try await api.get("/api/v1/sessions?channel=drill/cam-1").json()["sessions"] as? [[String: Any]]
                session = sessions?.first { $0["role"] as? String == "consumer" }
                if session == nil { try await Task.sleep(for: .milliseconds(200)) }
            }
            let found = try #require(session, "ffmpeg's session never showed up")
            #expect(found["transport"] as? String == "tcp")
            #expect((found["remote_address"] as? String)?.hasPrefix("127.0.0.1:") == true)
            #expect(found["protocol"] as? String == "rtsp")
            #expect(found["dropped"] as? Int == 0, "a consumer that keeps up skips nothing")

            let channel = try await api.get("/api/v1/channels/drill/cam-1").json()
            #expect((channel["state"] as? [String: Any])?["consumers"] as? Int == 1)

            let metrics = try await api.get("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.text.contains(#"muster_channel_online{channel="drill/cam-1"} 1"#), "\(metrics.text.prefix(2000))")
            #expect(metrics.text.contains(#"muster_channel_consumers{channel="drill/cam-1"} 1"#))
            #expect(metrics.text.contains(#"muster_sessions{role="consumer"} 1"#))
            #expect(metrics.text.contains("muster_api_requests_total"))
            #expect(metrics.text.contains(#"route="/api/v1/sessions""#))

            let stats = try await api.get("/api/v1/stats").json()
            #expect(stats["consumers"] as? Int == 1)
            #expect(stats["online_channels"] as? Int == 1)

            let id = try #require(found["id"] as? String)
            #expect(try await api.delete("/api/v1/sessions/\(id)").status == 204)
            _ = try await consumer.wait(timeout: .seconds(10))
            var remaining = 1
            let afterKick = ContinuousClock.now + .seconds(10)
            while remaining > 0, ContinuousClock.now < afterKick {
                remaining = (try await api.get("/api/v1/sessions").json()["sessions"] as? [Any])?.count ?? -1
                if remaining > 0 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(remaining == 0)
            #expect(try await api.delete("/api/v1/sessions/\(id)").status == 404)
        }
    }

    @Test func removingAChannelStopsItsSourceAndDisconnectsConsumers() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with { harness in
            let api = harness.api()
            #expect(try await api.post("/api/v1/channels", json: ["path": "drill/cam-2", "kind": "camera", "source": clip]).status == 201)
            try await harness.waitForStream("drill/cam-2")
            let consumer = try ExternalProcess("ffmpeg", [
                "-hide_banner", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", harness.url("drill/cam-2"), "-f", "null", "-",
            ])
            try consumer.start()
            defer { consumer.stop() }
            try await Task.sleep(for: .seconds(2))
            #expect(consumer.isRunning)

            #expect(try await api.delete("/api/v1/channels/drill/cam-2").status == 204)
            _ = try await consumer.wait(timeout: .seconds(10))
            #expect(harness.gateway.hubs.hub(at: "drill/cam-2") == nil)
            let probe = try ExternalProcess("ffprobe", ["-v", "error", "-rtsp_transport", "tcp", harness.url("drill/cam-2")])
            try probe.start()
            #expect(try await probe.wait(timeout: .seconds(15)) != 0, "a removed channel still plays")
        }
    }

    @Test func aPublisherRegistersAPushChannelButCannotTakeAPulledOne() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(sources: [("roads/cam-1", clip)]) { harness in
            try await harness.waitForStream("roads/cam-1")
            let publisher = try ExternalProcess("ffmpeg", [
                "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", clip,
                "-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", harness.url("units/rescuer-4"),
            ])
            try publisher.start()
            defer { publisher.stop() }
            try await harness.waitForStream("units/rescuer-4")
            let channel = try await harness.api().get("/api/v1/channels/units/rescuer-4")
            #expect(channel.status == 200)
            #expect(try channel.json()["source"] as? String == "push")

            let intruder = try ExternalProcess("ffmpeg", [
                "-hide_banner", "-loglevel", "error", "-re", "-i", clip, "-t", "2",
                "-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", harness.url("roads/cam-1"),
            ])
            try intruder.start()
            #expect(try await intruder.wait(timeout: .seconds(15)) != 0)
            #expect(intruder.standardError.contains("403"), "\(intruder.standardError)")
        }
    }

    @Test func streamsEventsAsTheyHappen() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with { harness in
            let api = harness.api()
            let watcher = Task {
                try await api.stream("/api/v1/events") { text in text.contains("event: channel.online") }
            }
            // Let the subscription start before anything happens.
            let subscribed = ContinuousClock.now + .seconds(20)
            while harness.gateway.hubs.events.subscriberCount < 2, ContinuousClock.now < subscribed {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await api.post("/api/v1/channels", json: ["path": "drill/cam-3", "kind": "camera", "source": clip]).status == 201)
            let text = try await watcher.value
            #expect(text.contains("event: channel.added\ndata: {"))
            #expect(text.contains(#""channel":"drill/cam-3""#))
            #expect(text.contains("event: channel.online"))
        }
    }
}
