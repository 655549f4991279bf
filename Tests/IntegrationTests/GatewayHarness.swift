import Foundation
import Logging
import MusterCore
import MusterGateway
import MusterRTSP
import Synchronization

/// A gateway started in-process on loopback ports chosen at run time.
struct GatewayHarness {
    let gateway: Gateway
    let dataDirectory: String
    /// Everything the gateway logged, to check what never may appear in logs.
    let log: RecordedLog

    static func start(
        sources: [(String, String)] = [], users: [RTSPUser] = [], adminToken: String? = nil, dataDirectory: String? = nil,
        configure: (inout GatewayConfiguration) -> Void = { _ in }
    ) async throws -> GatewayHarness {
        let dataDirectory = dataDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("muster-data-\(UUID().uuidString)").path
        var configuration = GatewayConfiguration(dataDirectory: dataDirectory)
        configuration.rtsp.port = 0
        configuration.rtsp.rtpPort = 0
        configuration.rtsp.multicast?.port = 0
        configuration.api.port = 0
        configuration.api.adminToken = adminToken
        configuration.sources = try sources.map { .init(path: try ChannelPath(validating: $0.0), url: $0.1) }
        configuration.rtsp.users = users
        configuration.tracking.osmand?.port = 0
        configuration.tracking.nmea?.port = 0
        configure(&configuration)
        let log = RecordedLog()
        let echo = ProcessInfo.processInfo.environment["MUSTER_TEST_LOG"] != nil
        var logger = Logger(label: "muster-test") { label in RecordingLogHandler(log: log, echo: echo) }
        logger.logLevel = .debug
        let gateway = try await Gateway.start(configuration: configuration, logger: logger)
        return GatewayHarness(gateway: gateway, dataDirectory: dataDirectory, log: log)
    }

    /// Runs `body` against a fresh gateway and always stops it, also when `body` throws.
    static func with<T>(
        sources: [(String, String)] = [], users: [RTSPUser] = [], adminToken: String? = nil,
        configure: (inout GatewayConfiguration) -> Void = { _ in }, _ body: (GatewayHarness) async throws -> T
    ) async throws -> T {
        let harness = try await start(sources: sources, users: users, adminToken: adminToken, configure: configure)
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
    var multicastPort: Int? { gateway.rtspServer.multicastPort }

    func url(_ path: String) -> String { "rtsp://127.0.0.1:\(rtspPort)/\(path)" }

    var apiPort: Int { gateway.apiServer.localAddress?.port ?? 0 }

    var osmandPort: Int { gateway.osmandListener?.localAddress?.port ?? 0 }

    var nmeaPort: Int { gateway.nmeaListener?.localAddress?.port ?? 0 }

    /// An API client, anonymous unless given a token.
    func api(token: String? = nil) -> HTTPTestClient { HTTPTestClient(port: apiPort, token: token) }

    func stop() async {
        await gateway.stop()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// Stops the gateway but keeps its data directory, for a restart on the same directory.
    func stopKeepingData() async {
        await gateway.stop()
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

/// Log lines kept in memory (and echoed to standard error when MUSTER_TEST_LOG is set).
final class RecordedLog: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var text: String { lines.withLock { $0.joined(separator: "\n") } }
}

struct RecordingLogHandler: LogHandler {
    let log: RecordedLog
    let echo: Bool
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let line = "\(event.level) \(event.message) " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        log.append(line)
        if echo { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
}

/// What ffprobe reports about a served stream.
struct ProbedStream: Decodable, Equatable {
    var codec_type: String
    /// Absent for a stream ffmpeg cannot name (KLV over RTP, which FFmpeg 5.1 does not depacketize).
    var codec_name: String?
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
    /// The stream is expected to list video first; `videoThenAudio` reorders one that may not.
    static func decodeFrames(_ url: String, transport: String, seconds: Int = 3, videoThenAudio: Bool = false) async throws -> (video: Int, audio: Int, errors: String) {
        let process = try ExternalProcess("ffmpeg", [
            "-hide_banner", "-nostats", "-loglevel", "error", "-rtsp_transport", transport,
            "-i", url, "-t", String(seconds),
        ] + (videoThenAudio ? ["-map", "0:v", "-map", "0:a"] : []) + ["-f", "framecrc", "-"])
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
