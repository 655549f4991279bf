import Foundation
import Logging
import MusterCore
import MusterFFmpeg
import Testing

/// Channels served in a profile (`PATH~PROFILE`): transcoded on demand, one transcoder shared by
/// every consumer of a profile, surviving its source's restarts.
@Suite struct TranscodingTests {
    /// The profiles the repository ships.
    static let shippedProfiles = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../profiles").standardized.path

    static func transcoders(on harness: GatewayHarness) async throws -> [[String: Any]] {
        try #require(try await harness.api().get("/api/v1/transcoders").json()["transcoders"] as? [[String: Any]])
    }

    @Test func aChannelIsServedInAProfileByOneSharedTranscoder() async throws {
        let clip = try await MediaFixtures.h264AAC640x360()
        try await GatewayHarness.with(sources: [("roads/cam-9", clip)], configure: { $0.profilesDirectory = Self.shippedProfiles }) { harness in
            try await harness.waitForStream("roads/cam-9")
            let url = harness.url("roads/cam-9~satellite-256k")

            // satellite-256k: 640x360 fitted into 426x240 at 10 fps, AAC mono.
            let streams = try await Players.probe(url, transport: "tcp")
            #expect(streams.map(\.codec_name) == ["h264", "aac"])
            #expect(streams.first?.width == 426)
            #expect(streams.first?.height == 240)
            #expect(streams.last?.channels == 1)

            // Two consumers at once share one transcoder.
            // Long enough that both play at once however slowly the second one starts.
            async let first = Players.decodeFrames(url, transport: "tcp", seconds: 10)
            async let second = Players.decodeFrames(url, transport: "udp", seconds: 10)
            try await IngestLifecycleTests.eventually("both consumers to play the derived stream", timeout: .seconds(20)) {
                try await Self.transcoders(on: harness).first?["consumers"] as? Int == 2
            }
            let running = try await Self.transcoders(on: harness)
            #expect(running.count == 1)
            #expect(running.first?["path"] as? String == "roads/cam-9~satellite-256k")
            #expect(running.first?["inputs"] as? [String] == ["roads/cam-9"])
            #expect(running.first?["kind"] as? String == "profile")
            #expect((running.first?["cpu_seconds"] as? Double ?? 0) > 0)
            let decoded = try await [first, second]
            for played in decoded {
                // Ten seconds at the profile's 10 fps, not the source's 25.
                #expect((80...120).contains(played.video), "\(played.video) frames in 10 s")
                #expect(played.audio > 0)
            }

            let metrics = try await harness.api().get("/metrics").text
            #expect(metrics.contains("muster_transcoder_cpu_seconds{"))
            #expect(metrics.contains("profile=\"satellite-256k\""))

            // The derived stream is in the directory, as kind derived, until its channel goes.
            let entry = try await harness.api().get("/api/v1/channels/roads/cam-9~satellite-256k")
            #expect(entry.status == 200, "\(entry.text)")
            let document = try entry.json()
            #expect(document["kind"] as? String == "derived")
            #expect(document["source"] as? String == "derived")
            #expect((document["state"] as? [String: Any])?["online"] as? Bool == true)
            #expect(try await harness.api().delete("/api/v1/channels/roads/cam-9").status == 204)
            #expect(try await harness.api().get("/api/v1/channels/roads/cam-9~satellite-256k").status == 404)
            #expect(try await Self.transcoders(on: harness).isEmpty)
        }
    }

    @Test func aProfileOfALiveChannelWaitsForItsFirstKeyframe() async throws {
        let (tracks, units) = try await Self.clipUnits(try await MediaFixtures.h264AAC640x360())
        try await GatewayHarness.with(configure: { $0.profilesDirectory = Self.shippedProfiles }) { harness in
            #expect(try await harness.api().post("/api/v1/channels", json: ["path": "field/p3", "kind": "phone", "source": "push"]).status == 201)
            // A publisher that has announced its tracks but sent no picture yet.
            let publisher = try harness.gateway.hubs.hubCreatingIfNeeded(at: "field/p3").beginPublishing(tracks: tracks)
            defer { publisher.end() }
            let client = try RawRTSPClient(port: harness.rtspPort)
            try client.send("DESCRIBE \(harness.url("field/p3~mobile-360p")) RTSP/1.0\r\nCSeq: 1\r\n\r\n")
            async let answer = client.readResponse()
            try await Task.sleep(for: .seconds(1))
            for unit in units { publisher.write(unit) }
            let response = try await answer
            #expect(response.status == 200, "\(response.body)")
            #expect(response.body.contains("H264"))
        }
    }

    /// A clip's tracks and access units, as a publisher would write them.
    static func clipUnits(_ path: String) async throws -> (tracks: [MediaTrack], units: [AccessUnit]) {
        let input = try FFmpegFormatInput(url: path, openTimeout: .seconds(10))
        var converter = try input.makeConverter(logger: Logger(label: "test"))
        let packet = FFmpegPacket()
        var units: [AccessUnit] = []
        while try input.read(into: packet) { units += converter.convert(packet) }
        return (converter.tracks, units)
    }

    @Test func unknownProfilesAndChannelsAre404AndDerivedPathsCannotBePublished() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(sources: [("roads/cam-1", clip)], configure: { $0.profilesDirectory = Self.shippedProfiles }) { harness in
            try await harness.waitForStream("roads/cam-1")
            let client = try RawRTSPClient(port: harness.rtspPort)
            try client.send("DESCRIBE \(harness.url("roads/cam-1~no-such-profile")) RTSP/1.0\r\nCSeq: 1\r\n\r\n")
            #expect(try await client.readResponse().status == 404)
            try client.send("DESCRIBE \(harness.url("roads/nowhere~sd-480p")) RTSP/1.0\r\nCSeq: 2\r\n\r\n")
            #expect(try await client.readResponse().status == 404)
            #expect(try await Self.transcoders(on: harness).isEmpty)

            let publisher = try ExternalProcess("ffmpeg", [
                "-hide_banner", "-loglevel", "error", "-re", "-i", clip, "-t", "2",
                "-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", harness.url("roads/cam-1~sd-480p"),
            ])
            try publisher.start()
            #expect(try await publisher.wait(timeout: .seconds(20)) != 0, "publishing to a derived path was accepted")
        }
    }

    /// The publisher goes away and comes back at another size: the consumer of the derived stream
    /// keeps its connection and decodes pictures again.
    @Test func aDerivedStreamOutlivesItsSourceRestarting() async throws {
        try await GatewayHarness.with(configure: { $0.profilesDirectory = Self.shippedProfiles }) { harness in
            func publish(size: String) throws -> ExternalProcess {
                let publisher = try ExternalProcess("ffmpeg", [
                    "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=25",
                    "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25",
                    "-f", "rtsp", "-rtsp_transport", "tcp", harness.url("units/body-3"),
                ])
                try publisher.start()
                return publisher
            }
            let first = try publish(size: "640x360")
            defer { first.stop() }
            try await harness.waitForStream("units/body-3")
            let consumer = try ExternalProcess("ffmpeg", [
                "-hide_banner", "-nostats", "-loglevel", "error", "-rtsp_transport", "tcp",
                "-i", harness.url("units/body-3~mobile-360p"), "-f", "framecrc", "-flush_packets", "1", "-",
            ])
            try consumer.start()
            defer { consumer.stop() }
            func decodedPictures() -> Int { consumer.standardOutput.split(separator: "\n").filter { $0.hasPrefix("0,") }.count }
            try await IngestLifecycleTests.eventually("the consumer to play", timeout: .seconds(20)) {
                try await Self.transcoders(on: harness).first?["consumers"] as? Int == 1 && decodedPictures() > 0
            }
            try await Task.sleep(for: .seconds(2))
            first.stop()
            try await Task.sleep(for: .seconds(1))
            let second = try publish(size: "320x240")
            defer { second.stop() }

            // The transcoder takes the returning source at its new size…
            try await IngestLifecycleTests.eventually("the transcoder to follow the restarted source", timeout: .seconds(30)) {
                let running = try await Self.transcoders(on: harness).first
                return running?["source_restarts"] as? Int == 1 && running?["width"] as? Int == 320
            }
            // …and the consumer, still on its first connection, decodes its pictures.
            let before = decodedPictures()
            try await IngestLifecycleTests.eventually("the consumer to decode pictures of the returned source", timeout: .seconds(20)) {
                decodedPictures() >= before + 20
            }
            #expect(consumer.isRunning, "the consumer lost its connection: \(consumer.standardError.suffix(1000))")
            #expect(harness.gateway.hubs.hub(at: "units/body-3~mobile-360p")?.statistics.publishersStarted == 1)
            // The live state shows the new size too.
            let state = try await harness.api().get("/api/v1/channels/units/body-3~mobile-360p").json()["state"] as? [String: Any]
            #expect(state?["width"] as? Int == 320)
        }
    }

    @Test func profilesReloadThroughTheAPIAndABrokenFileKeepsThePreviousOnes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("muster-profiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "profile: low\nvideo:\n  codec: h264\n  width: 320\n  height: 240\n  bitrate: 300k\naudio: drop\n"
            .write(to: directory.appendingPathComponent("low.yaml"), atomically: true, encoding: .utf8)
        try await GatewayHarness.with(configure: { $0.profilesDirectory = directory.path }) { harness in
            let api = harness.api()
            let names = { () async throws -> [String] in
                try #require(try await api.get("/api/v1/profiles").json()["profiles"] as? [[String: Any]]).compactMap { $0["name"] as? String }
            }
            #expect(try await names() == ["low"])

            try "profile: lower\nvideo:\n  codec: h264\n  width: 160\n  height: 120\n  bitrate: 100k\n"
                .write(to: directory.appendingPathComponent("lower.yaml"), atomically: true, encoding: .utf8)
            let reloaded = try await api.post("/api/v1/profiles/reload", json: [String: String]())
            #expect(reloaded.status == 200, "\(reloaded.text)")
            #expect(try await names() == ["low", "lower"])

            try "profile: broken\nvideo:\n  codec: h264\n  width: 160\n  height: 120\n  bitrate: lots\n"
                .write(to: directory.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
            let refused = try await api.post("/api/v1/profiles/reload", json: [String: String]())
            #expect(refused.status == 422)
            #expect(refused.text.contains("broken.yaml:6"), "\(refused.text)")
            #expect(try await names() == ["low", "lower"])
        }
    }

    @Test func aProfileThatIsGoneTakesItsDerivedStreamsWithIt() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("muster-profiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let lowFile = directory.appendingPathComponent("low.yaml")
        try "profile: low\nvideo:\n  codec: h264\n  width: 320\n  height: 240\n  bitrate: 300k\naudio: drop\n"
            .write(to: lowFile, atomically: true, encoding: .utf8)
        try "profile: lower\nvideo:\n  codec: h264\n  width: 160\n  height: 120\n  bitrate: 100k\naudio: drop\n"
            .write(to: directory.appendingPathComponent("lower.yaml"), atomically: true, encoding: .utf8)
        let clip = try await MediaFixtures.h264AAC640x360()
        try await GatewayHarness.with(sources: [("cam", clip)], configure: { $0.profilesDirectory = directory.path }) { harness in
            try await harness.waitForStream("cam")
            let api = harness.api()
            for profile in ["low", "lower"] {
                let streams = try await Players.probe(harness.url("cam~\(profile)"), transport: "tcp")
                #expect(streams.map(\.codec_name) == ["h264"], "cam~\(profile)")
            }
            let player = try ExternalProcess("ffmpeg", [
                "-hide_banner", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", harness.url("cam~low"), "-f", "null", "-",
            ])
            try player.start()
            defer { player.stop() }
            try await IngestLifecycleTests.eventually("the player of cam~low connected", timeout: .seconds(20)) {
                try await Self.transcoders(on: harness).first { $0["path"] as? String == "cam~low" }?["consumers"] as? Int == 1
            }

            try FileManager.default.removeItem(at: lowFile)
            #expect(try await api.post("/api/v1/profiles/reload", json: [String: String]()).status == 200)
            #expect(try await Self.transcoders(on: harness).compactMap { $0["path"] as? String } == ["cam~lower"])
            #expect(try await api.get("/api/v1/channels/cam~low").status == 404)
            #expect(try await api.get("/api/v1/channels/cam~lower").status == 200)
            _ = try await player.wait(timeout: .seconds(20))
            let refused = try RawRTSPClient(port: harness.rtspPort)
            try refused.send("DESCRIBE \(harness.url("cam~low")) RTSP/1.0\r\nCSeq: 1\r\n\r\n")
            #expect(try await refused.readResponse().status == 404)
        }
    }
}
