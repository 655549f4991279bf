import Foundation
import Logging
import MusterAPI
import MusterCore
import MusterDirectory
import MusterFFmpeg
import MusterRTSP
import MusterTracker
import Synchronization

/// Runs what the directory says: one FFmpeg source per always-on pull channel, and one per
/// on-demand channel while it has consumers; removing a channel stops its source and
/// disconnects everyone on it.
final class GatewayChannelRuntime: ChannelRuntime {
    private let hubs: StreamHubRegistry
    private let sessions: RTSPSessionRegistry
    private let metrics: GatewayMetrics
    private let directory: any DirectoryStore
    private let ingest: GatewayConfiguration.Ingest
    private let logger: Logger
    private let sources = Mutex<[String: FFmpegSource]>([:])
    /// Running on-demand sources and since when each has had no consumer (nil while it has one).
    private let onDemand = Mutex<[String: ContinuousClock.Instant?]>([:])
    private let idleReaper = Mutex<Task<Void, Never>?>(nil)
    let telemetry: DroneTelemetry

    init(
        hubs: StreamHubRegistry, sessions: RTSPSessionRegistry, metrics: GatewayMetrics, tracker: PositionTracker,
        directory: any DirectoryStore, ingest: GatewayConfiguration.Ingest, logger: Logger
    ) {
        self.telemetry = DroneTelemetry(tracker: tracker, directory: directory, logger: logger)
        self.directory = directory
        self.ingest = ingest
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

    /// On-demand channels wait for their first consumer (see `demand`).
    func startSourceIfAlwaysOn(_ channel: Channel) {
        guard case .pull(let url) = channel.source, !channel.onDemand else { return }
        startSource(url: url, at: channel.path.rawValue)
    }

    private func startSource(url: String, at path: String) {
        var sourceLogger = logger
        sourceLogger[metadataKey: "path"] = "\(path)"
        let options = FFmpegSourceOptions(
            url: url, openTimeout: ingest.openTimeout, readTimeout: ingest.stallTimeout, retryDelay: ingest.retryDelay, maximumRetryDelay: ingest.maximumRetryDelay
        )
        let source = FFmpegSource(url: url, hub: hubs.hubCreatingIfNeeded(at: path), options: options, logger: sourceLogger)
        let previous = sources.withLock { sources in
            defer { sources[path] = source }
            return sources[path]
        }
        previous?.stop()
        source.start()
    }

    /// A consumer asked for `path` and nothing is live there: starts the channel's on-demand
    /// source (once, however many consumers ask together) and waits for its first keyframe.
    func demand(_ path: String) async -> Bool {
        guard let channelPath = try? ChannelPath(validating: path),
              let channel = try? await directory.channel(at: channelPath),
              channel.onDemand, case .pull(let url) = channel.source else { return false }
        let starts = onDemand.withLock { running -> Bool in
            guard running[path] == nil else { return false }
            running[path] = .some(nil)
            return true
        }
        if starts {
            logger.info("starting on-demand source for its first consumer", metadata: ["path": "\(path)"])
            startSource(url: url, at: path)
            startIdleReaperIfNeeded()
        }
        let deadline = ContinuousClock.now + ingest.onDemandStartTimeout
        while ContinuousClock.now < deadline {
            if hubs.hub(at: path)?.isReadyToPlay == true { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        logger.warning("on-demand source gave no keyframe in time; the consumer gets 404", metadata: [
            "path": "\(path)", "timeout": "\(ingest.onDemandStartTimeout)",
        ])
        return false
    }

    private func startIdleReaperIfNeeded() {
        idleReaper.withLock { task in
            guard task == nil else { return }
            task = Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    await self?.stopIdleOnDemandSources()
                }
            }
        }
    }

    /// Stops on-demand sources that have had no consumer for the idle timeout.
    private func stopIdleOnDemandSources() async {
        let consumers = sessions.consumerCounts
        let now = ContinuousClock.now
        let idle = onDemand.withLock { running -> [String] in
            var expired: [String] = []
            for (path, idleSince) in running {
                if consumers[path, default: 0] > 0 {
                    running[path] = .some(nil)
                } else if let since = idleSince {
                    if now - since >= ingest.onDemandIdleTimeout { expired.append(path) }
                } else {
                    running[path] = .some(now)
                }
            }
            for path in expired { running[path] = nil }
            return expired
        }
        for path in idle {
            logger.info("stopping on-demand source without consumers", metadata: ["path": "\(path)", "idle": "\(ingest.onDemandIdleTimeout)"])
            await stopSource(at: path)
            hubs.hub(at: path)?.stopPublisher()
            // A consumer that began playing after the count above would wait for media forever.
            sessions.kickAll(path: path)
        }
    }

    private func stopSource(at path: String) async {
        _ = onDemand.withLock { $0.removeValue(forKey: path) }
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
        idleReaper.withLock { $0 }?.cancel()
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
