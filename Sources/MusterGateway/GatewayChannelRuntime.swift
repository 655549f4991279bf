import Foundation
import Logging
import MusterAPI
import MusterCore
import MusterDirectory
import MusterFFmpeg
import MusterRTSP
import MusterTracker
import Synchronization

/// Runs what the directory says: one FFmpeg source per always-on pull channel; removing a
/// channel stops its source and disconnects everyone on it.
final class GatewayChannelRuntime: ChannelRuntime {
    private let hubs: StreamHubRegistry
    private let sessions: RTSPSessionRegistry
    private let metrics: GatewayMetrics
    private let logger: Logger
    private let sources = Mutex<[String: FFmpegSource]>([:])
    let telemetry: DroneTelemetry

    init(
        hubs: StreamHubRegistry, sessions: RTSPSessionRegistry, metrics: GatewayMetrics, tracker: PositionTracker,
        directory: any DirectoryStore, logger: Logger
    ) {
        self.telemetry = DroneTelemetry(tracker: tracker, directory: directory, logger: logger)
        self.hubs = hubs
        self.sessions = sessions
        self.metrics = metrics
        self.logger = logger
    }

    func channelAdded(_ channel: Channel) async {
        await stopSource(at: channel.path.rawValue)
        startSourceIfAlwaysOn(channel)
    }

    func channelUpdated(_ channel: Channel, previous: Channel) async {
        guard channel.source != previous.source || channel.onDemand != previous.onDemand else { return }
        await stopSource(at: channel.path.rawValue)
        if case .pull = previous.source {
            // The old source's stream ended; consumers reconnect to the new one.
            sessions.kickAll(path: channel.path.rawValue)
        }
        startSourceIfAlwaysOn(channel)
    }

    func channelRemoved(_ channel: Channel) async {
        let path = channel.path.rawValue
        await stopSource(at: path)
        sessions.kickAll(path: path)
        hubs.removeHub(at: path)
        metrics.removeChannel(path)
        logger.info("channel removed", metadata: ["path": "\(path)"])
    }

    func sourceHealth(ofChannel path: String) -> SourceHealth? {
        guard let health = sources.withLock({ $0[path] })?.health else { return nil }
        var state = SourceHealth.State.stopped
        var lastError: String?
        var nextAttemptAt: Date?
        switch health.state {
        case .starting: state = .starting
        case .online: state = .online
        case .stopped: state = .stopped
        case .retrying(let error, let next):
            state = .retrying
            lastError = error.description
            nextAttemptAt = Date().addingTimeInterval(Self.seconds(ContinuousClock.now.duration(to: next)))
        }
        return SourceHealth(
            state: state, lastError: lastError, nextAttemptAt: nextAttemptAt, reconnects: health.reconnects, packets: health.packets,
            bytes: health.bytes, lastPacketAt: health.lastPacketAt, codecs: health.codecs
        )
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    func latestPosition(ofChannel path: String) -> UnitPosition? {
        guard let packet = telemetry.latestPosition(ofChannel: path),
              let latitude = packet.sensorLatitude, let longitude = packet.sensorLongitude else { return nil }
        let now = Date()
        return UnitPosition(
            latitude: latitude, longitude: longitude, altitude: packet.sensorTrueAltitude, heading: packet.platformHeading,
            deviceTime: packet.timestamp ?? now, receivedAt: now, source: "klv"
        )
    }

    func problem(openingSource url: String) -> String? {
        FFmpegCapabilities.problem(opening: url)
    }

    /// Failures per channel so far, for the reconnect counter on /metrics.
    var sourceFailureCounts: [String: Int] {
        sources.withLock { $0.mapValues(\.failureCount) }
    }

    func startSourceIfAlwaysOn(_ channel: Channel) {
        // On-demand sources are started by their first consumer (the ingest work); until then
        // they are registered but idle.
        guard case .pull(let url) = channel.source, !channel.onDemand else { return }
        var sourceLogger = logger
        sourceLogger[metadataKey: "path"] = "\(channel.path)"
        let source = FFmpegSource(
            url: url, hub: hubs.hubCreatingIfNeeded(at: channel.path.rawValue),
            options: FFmpegSourceOptions(url: url), logger: sourceLogger
        )
        let previous = sources.withLock { sources in
            defer { sources[channel.path.rawValue] = source }
            return sources[channel.path.rawValue]
        }
        previous?.stop()
        source.start()
    }

    private func stopSource(at path: String) async {
        guard let source = sources.withLock({ $0.removeValue(forKey: path) }) else { return }
        await Self.stop(source)
    }

    /// stop() waits for the FFmpeg thread; keep that wait off the cooperative pool's few threads.
    private static func stop(_ source: FFmpegSource) async {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                source.stop()
                continuation.resume()
            }
        }
    }

    func stopAll() async {
        let all = sources.withLock { sources in
            defer { sources.removeAll() }
            return Array(sources.values)
        }
        await withTaskGroup(of: Void.self) { group in
            for source in all {
                group.addTask { await Self.stop(source) }
            }
        }
    }
}
