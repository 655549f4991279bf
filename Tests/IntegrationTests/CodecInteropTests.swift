import Foundation
import Testing

/// Codecs and codec changes relayed from a real publisher to real players.
@Suite(.serialized) struct CodecInteropTests {
    /// Opus and G.711 pass through like AAC: ffmpeg publishes them next to H.264, ffprobe sees
    /// them and ffmpeg decodes them.
    @Test(arguments: [
        ("libopus", ["-ar", "48000", "-ac", "2"], "opus", 100),
        // ffmpeg sends G.711 in packets of about 180 ms: some 16 in 3 s.
        ("pcm_mulaw", ["-ar", "8000", "-ac", "1"], "pcm_mulaw", 10),
        ("pcm_alaw", ["-ar", "8000", "-ac", "1"], "pcm_alaw", 10),
    ])
    func relaysAudioCodec(encoder: String, audioOptions: [String], codecName: String, minimumFrames: Int) async throws {
        try await GatewayHarness.with { harness in
            let publisher = try ExternalProcess("ffmpeg", [
                "-hide_banner", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25",
                "-c:a", encoder,
            ] + audioOptions + ["-f", "rtsp", "-rtsp_transport", "tcp", harness.url("units/audio")])
            try publisher.start()
            defer { publisher.stop() }
            try await harness.waitForStream("units/audio")

            let streams = try await Players.probe(harness.url("units/audio"), transport: "tcp")
            #expect(streams.map(\.codec_name) == ["h264", codecName], "publisher: \(publisher.standardError)")
            let decoded = try await Players.decodeFrames(harness.url("units/audio"), transport: "tcp", seconds: 3)
            #expect(decoded.audio >= minimumFrames, "decoded \(decoded.audio) \(codecName) frames: \(decoded.errors)")
            #expect(decoded.video >= 50, "decoded \(decoded.video) pictures: \(decoded.errors)")
        }
    }

    /// A publisher that changes resolution mid-stream: a player that was watching decodes both
    /// sizes without errors (the new parameter sets go out in-band), and one that joins after the
    /// change starts at the new size.
    @Test func followsAResolutionChange() async throws {
        let clip = try await Self.resolutionChangeClip()
        try await GatewayHarness.with { harness in
            let publisher = try ExternalProcess("ffmpeg", [
                "-hide_banner", "-loglevel", "error", "-re", "-i", clip, "-c", "copy",
                "-f", "rtsp", "-rtsp_transport", "tcp", harness.url("units/zoom"),
            ])
            try publisher.start()
            defer { publisher.stop() }
            try await harness.waitForStream("units/zoom")
            let started = ContinuousClock.now

            async let watching = Self.decodedPictureSizes(harness.url("units/zoom"), seconds: 6)
            try await Task.sleep(until: started + .seconds(5))
            let joining = try await Self.decodedPictureSizes(harness.url("units/zoom"), seconds: 2)
            let watched = try await watching

            let small = 320 * 240 * 3 / 2, large = 640 * 360 * 3 / 2
            #expect(Set(watched.sizes) == [small, large], "sizes \(Set(watched.sizes)): \(watched.errors)")
            #expect(watched.errors.isEmpty, "\(watched.errors)")
            #expect(!joining.sizes.isEmpty && joining.sizes.allSatisfy { $0 == large }, "sizes \(Set(joining.sizes)): \(joining.errors)")
            #expect(joining.errors.isEmpty, "\(joining.errors)")
        }
    }

    /// 4 s at 320×240 and then 6 s at 640×360, one H.264 stream in MPEG-TS.
    static func resolutionChangeClip() async throws -> String {
        let directory = MediaFixtures.directory
        let path = directory.appendingPathComponent("resolution-change.ts").path
        if FileManager.default.fileExists(atPath: path) { return path }
        var parts: [String] = []
        for (size, seconds) in [("320x240", 4), ("640x360", 6)] {
            let part = directory.appendingPathComponent("part-\(size)-\(UUID().uuidString).ts").path
            _ = try await ExternalProcess.run("ffmpeg", [
                "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=25", "-t", String(seconds),
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25", "-bf", "0", "-f", "mpegts", part,
            ])
            parts.append(part)
        }
        let list = directory.appendingPathComponent("parts-\(UUID().uuidString).txt").path
        try parts.map { "file '\($0)'" }.joined(separator: "\n").write(toFile: list, atomically: true, encoding: .utf8)
        let temporary = path + ".\(UUID().uuidString).ts"
        _ = try await ExternalProcess.run("ffmpeg", [
            "-hide_banner", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", list, "-c", "copy", "-f", "mpegts", temporary,
        ])
        guard rename(temporary, path) == 0 else { throw TestFailure("cannot move \(temporary) to \(path)") }
        return path
    }

    /// The byte size of every decoded picture (width × height × 1.5 for 4:2:0) and ffmpeg's errors.
    static func decodedPictureSizes(_ url: String, seconds: Int) async throws -> (sizes: [Int], errors: String) {
        let process = try ExternalProcess("ffmpeg", [
            "-hide_banner", "-nostats", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", url, "-t", String(seconds),
            "-map", "0:v", "-autoscale", "0", "-f", "framecrc", "-",  // every picture at its own size
        ])
        try process.start()
        let status = try await process.wait(timeout: .seconds(seconds + 30))
        guard status == 0 else { throw TestFailure("ffmpeg could not play \(url): \(process.standardError.suffix(2000))") }
        // framecrc lines: stream, dts, pts, duration, size, checksum.
        let sizes = process.standardOutput.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
            Int(line.split(separator: ",").dropFirst(4).first?.trimmingCharacters(in: .whitespaces) ?? "")
        }
        return (sizes, process.standardError)
    }
}
