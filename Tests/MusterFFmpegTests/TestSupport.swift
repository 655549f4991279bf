import Foundation
import Glibc
import Logging
import MusterCore
@testable import MusterFFmpeg
import Synchronization

/// Clips generated with the ffmpeg CLI once per test run, shared by all tests.
actor Fixtures {
    static let shared = Fixtures()
    private let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("muster-ffmpeg-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()
    private var made: [String: Task<String, any Error>] = [:]

    static let videoInput = ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25"]
    static let audioInput = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]
    static let h264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25", "-bf", "0"]
    static let h265 = ["-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25", "-bf", "0",
                       "-x265-params", "log-level=error"]
    static let aac = ["-c:a", "aac", "-ac", "2", "-b:a", "64k"]

    /// 2 s of 320×240 25 fps H.264 (a keyframe every second) and 48 kHz stereo AAC, in `container`.
    func h264AAC(_ container: String, seconds: Int = 2) async throws -> String {
        try await make("h264-aac-\(seconds)s.\(container)",
                       Self.videoInput + Self.audioInput + ["-t", "\(seconds)"] + Self.h264 + Self.aac)
    }

    /// 2 s of 320×240 25 fps H.265 with AAC, in `container`.
    func h265AAC(_ container: String) async throws -> String {
        try await make("h265-aac.\(container)", Self.videoInput + Self.audioInput + ["-t", "2"] + Self.h265 + Self.aac)
    }

    /// `seconds` of a 440 Hz sine alone, 48 kHz stereo: AAC 64 kbit/s in MP4 or Opus 48 kbit/s in Matroska.
    func sine(_ codec: AudioClipCodec, seconds: Int = 2) async throws -> String {
        switch codec {
        case .aac:
            try await make("sine-aac-\(seconds)s.mp4", Self.audioInput + ["-t", "\(seconds)"] + Self.aac)
        case .opus:
            try await make("sine-opus-\(seconds)s.mkv",
                           Self.audioInput + ["-t", "\(seconds)", "-c:a", "libopus", "-ac", "2", "-b:a", "48k"])
        }
    }

    enum AudioClipCodec: Sendable { case aac, opus }

    private func make(_ name: String, _ arguments: [String]) async throws -> String {
        if let task = made[name] { return try await task.value }
        let path = directory.appendingPathComponent(name).path
        let task = Task { () async throws -> String in
            try await runFFmpeg(["-hide_banner", "-loglevel", "error", "-y"] + arguments + [path])
            return path
        }
        made[name] = task
        return try await task.value
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs the ffmpeg CLI to completion, throwing with its standard error if it fails.
func runFFmpeg(_ arguments: [String]) async throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["ffmpeg"] + arguments
    let errorURL = FileManager.default.temporaryDirectory.appendingPathComponent("muster-ffmpeg-\(UUID().uuidString).log")
    _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errorURL) }
    process.standardError = try FileHandle(forWritingTo: errorURL)
    process.standardOutput = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = ContinuousClock.now + .seconds(120)
    while process.isRunning {
        guard ContinuousClock.now < deadline else {
            process.terminate()
            throw TestFailure("ffmpeg did not finish within 120 s")
        }
        try await Task.sleep(for: .milliseconds(20))
    }
    guard process.terminationStatus == 0 else {
        let log = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
        throw TestFailure("ffmpeg \(arguments.joined(separator: " ")) failed: \(log.suffix(2000))")
    }
}

/// Every unit a hub hands out, for assertions.
final class RecordingReader: StreamReader {
    struct Log {
        var tracks: [MediaTrack]? = nil
        var units: [AccessUnit] = []
        var stops = 0
    }

    let log = Mutex(Log())

    func streamHub(_ hub: StreamHub, didStartWith tracks: [MediaTrack]) { log.withLock { $0.tracks = tracks } }
    func streamHub(_ hub: StreamHub, didReceive unit: AccessUnit) { log.withLock { $0.units.append(unit) } }
    func streamHubDidStop(_ hub: StreamHub) { log.withLock { $0.stops += 1 } }

    /// Polls until `condition` holds; false after `timeout` (a hang guard, not a measurement).
    func wait(timeout: Duration = .seconds(20), until condition: (Log) -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if log.withLock({ condition($0) }) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}

/// Polls a source's state until `condition` holds or `timeout` passes.
func waitForState(of source: FFmpegSource, timeout: Duration = .seconds(20), _ condition: (FFmpegSourceState) -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition(source.state) { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return false
}

/// A socket bound to a free loopback port, held open for the test's duration.
final class BoundSocket {
    let descriptor: Int32
    let port: Int

    /// A listening TCP socket completes handshakes though nobody accepts: a server that never
    /// answers. A UDP socket only reserves a port until it is closed.
    init(listeningTCP listening: Bool) throws {
        let descriptor = socket(AF_INET, Int32(listening ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound, !listening || listen(descriptor, 8) == 0 else {
            close(descriptor)
            throw TestFailure("binding a loopback socket failed: errno \(errno)")
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }

    /// A loopback port nothing is bound to right now.
    static func freeUDPPort() throws -> Int { try BoundSocket(listeningTCP: false).port }
}

let testLogger = Logger(label: "muster.ffmpeg.tests")

/// One group of pictures of a solid colour, as a camera would send it.
enum SolidColourGroup {
    /// Ten pictures (0.4 s at 25 fps) encoded as H.264, a keyframe first, and the track that
    /// describes them (parameter sets taken from the keyframe).
    static func encode(width: Int, height: Int, colour: YUV) throws -> (units: [AccessUnit], track: MediaTrack) {
        let recipe = TranscodeProfile.VideoRecipe(
            codec: .h264, maximumWidth: width, maximumHeight: height, framesPerSecond: 25, bitrate: 300_000,
            keyframeIntervalSeconds: 0.4, preset: "ultrafast"
        )
        let encoder = try FFmpegVideoEncoder(recipe: recipe, width: width, height: height, sourceFramesPerSecond: 25)
        let frame = FFmpegFrame()
        var units: [AccessUnit] = []
        for index in 0..<10 {
            try frame.makeWritablePicture(width: width, height: height)
            frame.fill(x: 0, y: 0, width: width, height: height, luma: colour.y, blueDifference: colour.u, redDifference: colour.v)
            frame.pts = Int64(index) * 3600
            units += try encoder.encode(frame, trackID: 0)
        }
        units += encoder.drain(trackID: 0)
        guard units.count == 10, units[0].isKeyframe else {
            throw TestFailure("expected 10 units starting with a keyframe, got \(units.map(\.isKeyframe))")
        }
        let base = MediaTrack(id: 0, codec: .h264, clockRate: 90_000, width: width, height: height)
        return (units, base.updatingParameterSets(from: units[0].payload) ?? base)
    }
}
