import Foundation
import Logging
import MusterCore
import MusterGateway

/// A gateway started in-process on loopback ports chosen at run time.
struct GatewayHarness {
    let gateway: Gateway
    let dataDirectory: String

    static func start(sources: [(String, String)] = []) async throws -> GatewayHarness {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("muster-data-\(UUID().uuidString)").path
        var configuration = GatewayConfiguration(dataDirectory: dataDirectory)
        configuration.rtsp.port = 0
        configuration.rtsp.rtpPort = 0
        configuration.sources = try sources.map { .init(path: try ChannelPath(validating: $0.0), url: $0.1) }
        var logger = Logger(label: "muster-test")
        logger.logLevel = ProcessInfo.processInfo.environment["MUSTER_TEST_LOG"] == nil ? .warning : .debug
        let gateway = try await Gateway.start(configuration: configuration, logger: logger)
        return GatewayHarness(gateway: gateway, dataDirectory: dataDirectory)
    }

    /// Runs `body` against a fresh gateway and always stops it, also when `body` throws.
    static func with<T>(sources: [(String, String)] = [], _ body: (GatewayHarness) async throws -> T) async throws -> T {
        let harness = try await start(sources: sources)
        do {
            let result = try await body(harness)
            await harness.stop()
            return result
        } catch {
            await harness.stop()
            throw error
        }
    }

    var rtspPort: Int { gateway.rtspServer.localAddress?.port ?? 0 }

    func url(_ path: String) -> String { "rtsp://127.0.0.1:\(rtspPort)/\(path)" }

    func stop() async {
        await gateway.stop()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// Waits until a stream is live at `path` (a publisher or source has started).
    func waitForStream(_ path: String, timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while gateway.hubs.hub(at: path)?.tracks == nil {
            guard ContinuousClock.now < deadline else { throw TestFailure("no stream at \(path) within \(timeout)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

/// What ffprobe reports about a served stream.
struct ProbedStream: Decodable, Equatable {
    var codec_type: String
    var codec_name: String
    var width: Int?
    var height: Int?
    var sample_rate: String?
    var channels: Int?
}

enum Players {
    static func probe(_ url: String, transport: String) async throws -> [ProbedStream] {
        struct Output: Decodable { var streams: [ProbedStream] }
        let json = try await ExternalProcess.run("ffprobe", [
            "-v", "error", "-rtsp_transport", transport, "-show_streams", "-of", "json", url,
        ], timeout: .seconds(30))
        return try JSONDecoder().decode(Output.self, from: Data(json.utf8)).streams
    }

    /// Decodes `seconds` of the stream with ffmpeg and counts the decoded video and audio frames.
    static func decodeFrames(_ url: String, transport: String, seconds: Int = 3) async throws -> (video: Int, audio: Int, errors: String) {
        let process = try ExternalProcess("ffmpeg", [
            "-hide_banner", "-nostats", "-loglevel", "error", "-rtsp_transport", transport,
            "-i", url, "-t", String(seconds), "-f", "framecrc", "-",
        ])
        try process.start()
        let status = try await process.wait(timeout: .seconds(seconds + 30))
        guard status == 0 else { throw TestFailure("ffmpeg could not play \(url): \(process.standardError.suffix(2000))") }
        let lines = process.standardOutput.split(separator: "\n").filter { !$0.hasPrefix("#") }
        return (
            lines.filter { $0.hasPrefix("0,") }.count,
            lines.filter { $0.hasPrefix("1,") }.count,
            process.standardError
        )
    }
}
