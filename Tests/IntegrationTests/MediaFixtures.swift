import Foundation

/// Test clips generated once per test run with the ffmpeg CLI.
enum MediaFixtures {
    static let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("muster-fixtures-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// 8 s of 320×240 25 fps H.264 (keyframe every second) with 48 kHz stereo AAC.
    static func h264AAC() async throws -> String {
        try await make("h264-aac.mp4", [
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", "8", "-map", "0:v", "-map", "1:a",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25", "-bf", "0",
            "-c:a", "aac", "-ac", "2", "-b:a", "64k",
        ])
    }

    /// 8 s of 320×240 25 fps H.265 (keyframe every second) with 48 kHz stereo AAC.
    static func h265AAC() async throws -> String {
        try await make("h265-aac.mp4", [
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", "8", "-map", "0:v", "-map", "1:a",
            "-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-x265-params", "keyint=25:bframes=0:log-level=error",
            "-tag:v", "hvc1", "-c:a", "aac", "-ac", "2", "-b:a", "64k",
        ])
    }

    /// 8 s of 640×360 25 fps H.264 (keyframe every second) with 48 kHz stereo AAC: big enough to
    /// be scaled down by every shipped profile but the HD ones.
    static func h264AAC640x360() async throws -> String {
        try await make("h264-aac-640x360.mp4", [
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", "8", "-map", "0:v", "-map", "1:a",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25", "-bf", "0",
            "-c:a", "aac", "-ac", "2", "-b:a", "64k",
        ])
    }

    /// 8 s of 640×360 25 fps H.264 at a constant 8 Mbit/s (filler data), no audio: enough bytes
    /// per second to fill a stalled consumer's socket buffers within seconds.
    static func h264HighBitrate() async throws -> String {
        try await make("h264-8mbit.mp4", [
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-t", "8",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25", "-bf", "0",
            "-b:v", "8M", "-minrate", "8M", "-maxrate", "8M", "-bufsize", "2M", "-x264-params", "nal-hrd=cbr:filler=1",
        ])
    }

    /// Tests may ask for the same clip at once: each writes its own temporary file, and the first
    /// rename wins (rename(2) is atomic), so nobody ever reads a half-written clip.
    private static func make(_ name: String, _ arguments: [String]) async throws -> String {
        let path = directory.appendingPathComponent(name).path
        if FileManager.default.fileExists(atPath: path) { return path }
        let temporary = path + ".\(UUID().uuidString).mp4"
        _ = try await ExternalProcess.run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y"] + arguments + [temporary])
        guard rename(temporary, path) == 0 else { throw TestFailure("cannot move \(temporary) to \(path)") }
        return path
    }
}

extension MediaFixtures {
    /// A drone's MPEG-TS (H.264 and MISB ST 0601 KLV at 5 Hz) from tools/fake-drone, with the
    /// positions it encoded.
    static func droneTS(seconds: Int = 6) async throws -> (path: String, positions: [[String: Double]]) {
        let path = directory.appendingPathComponent("drone-\(seconds)s.ts").path
        let tool = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../tools/fake-drone").standardized.path
        let output = try await ExternalProcess.run(tool, [path, "--seconds", String(seconds)], timeout: .seconds(120))
        let positions = try output.split(separator: "\n").map { line in
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Double] ?? [:]
        }
        return (path, positions)
    }
}
