import CoreMetrics
import Foundation
import Metrics
import MusterCore
import MusterRTSP
import MusterTracker
import Prometheus
import Synchronization

private typealias Counter = CoreMetrics.Counter
private typealias Gauge = CoreMetrics.Gauge

/// The gateway's Prometheus figures, recorded through swift-metrics into a registry of its own
/// (not the process-wide MetricsSystem, so several gateways can live in one test process).
/// Live figures (per-channel bitrate, fps, consumers, state) are sampled at scrape time.
public final class GatewayMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let requestCounters = Mutex<[String: Counter]>([:])
    private let reconnectCounters = Mutex<[String: (counter: Counter, counted: Int)]>([:])
    private let channelGauges = Mutex<[String: ChannelGauges]>([:])
    private let sessionGauges: [RTSPSessionInfo.Role: Gauge]
    private let channelCountGauge: Gauge
    /// Position counters by their labels, with the count they were last brought up to.
    private let positionCounters = Mutex<[[String]: (counter: Counter, counted: Int)]>([:])
    private let trackedUnitsGauge: Gauge
    private let transcoderGauges = Mutex<[String: TranscoderGauges]>([:])

    private struct TranscoderGauges {
        var cpuSeconds: Gauge
        var framesEncoded: Gauge
        var decodeErrors: Gauge
        var droppedUnits: Gauge
        func destroy() { [cpuSeconds, framesEncoded, decodeErrors, droppedUnits].forEach { $0.destroy() } }
    }

    private struct ChannelGauges {
        var online: Gauge
        var bitrate: Gauge
        var fps: Gauge
        var consumers: Gauge
        func destroy() { [online, bitrate, fps, consumers].forEach { $0.destroy() } }
    }

    public init() {
        factory = PrometheusMetricsFactory(registry: registry)
        sessionGauges = [
            .consumer: Gauge(label: "muster_sessions", dimensions: [("role", "consumer")], factory: factory),
            .publisher: Gauge(label: "muster_sessions", dimensions: [("role", "publisher")], factory: factory),
        ]
        channelCountGauge = Gauge(label: "muster_directory_channels", factory: factory)
        trackedUnitsGauge = Gauge(label: "muster_units_online", factory: factory)
    }

    /// Counts one API request by route template (never the raw path: cardinality stays bounded).
    func recordRequest(route: String, method: String, status: Int) {
        let key = "\(route) \(method) \(status)"
        let counter = requestCounters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: "muster_api_requests_total",
                dimensions: [("route", route), ("method", method), ("status", "\(status)")], factory: factory
            )
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    /// Brings the reconnect counters up to the sources' failure counts.
    private func sampleReconnects(_ failures: [String: Int]) {
        reconnectCounters.withLock { counters in
            for (channel, count) in failures where count > 0 {
                var entry = counters[channel] ?? (
                    Counter(label: "muster_source_reconnects_total", dimensions: [("channel", channel)], factory: factory), 0
                )
                // A replaced source starts counting at zero again; the counter never goes back.
                let delta = count >= entry.counted ? count - entry.counted : count
                if delta > 0 { entry.counter.increment(by: delta) }
                entry.counted = count
                counters[channel] = entry
            }
        }
    }

    /// Brings the position counters up to the tracker's tally: accepted per input, rejected per
    /// input and reason, and accepted positions the directory failed to store.
    private func samplePositions(_ tally: PositionTally.Snapshot) {
        var totals: [[String]: Int] = [:]
        for (source, count) in tally.accepted { totals[["muster_positions_accepted_total", source.rawValue, ""]] = count }
        for (key, count) in tally.rejected { totals[["muster_positions_rejected_total", key.source.rawValue, key.reason.rawValue]] = count }
        for (source, count) in tally.notStored { totals[["muster_positions_not_stored_total", source.rawValue, ""]] = count }
        positionCounters.withLock { counters in
            for (labels, count) in totals {
                var entry = counters[labels] ?? (makePositionCounter(labels), 0)
                if count > entry.counted { entry.counter.increment(by: count - entry.counted) }
                entry.counted = count
                counters[labels] = entry
            }
        }
    }

    private func makePositionCounter(_ labels: [String]) -> Counter {
        var dimensions = [("source", labels[1])]
        if !labels[2].isEmpty { dimensions.append(("reason", labels[2])) }
        return Counter(label: labels[0], dimensions: dimensions, factory: factory)
    }

    /// Forgets a removed channel's series.
    public func removeChannel(_ channel: String) {
        channelGauges.withLock { $0.removeValue(forKey: channel) }?.destroy()
        reconnectCounters.withLock { $0.removeValue(forKey: channel) }?.counter.destroy()
    }

    /// Samples the live figures and renders the Prometheus text exposition.
    func exposition(
        hubs: StreamHubRegistry, sessions: RTSPSessionRegistry, sourceFailures: [String: Int], channelCount: Int,
        positions: PositionTally.Snapshot, onlineUnits: Int, transcoders: [TranscoderStatus]
    ) -> String {
        sampleTranscoders(transcoders)
        sampleReconnects(sourceFailures)
        samplePositions(positions)
        trackedUnitsGauge.record(onlineUnits)
        let allSessions = sessions.sessions
        let consumers = sessions.consumerCounts
        for role in [RTSPSessionInfo.Role.consumer, .publisher] {
            sessionGauges[role]?.record(allSessions.filter { $0.role == role }.count)
        }
        channelCountGauge.record(channelCount)
        let paths = Set(hubs.paths)
        channelGauges.withLock { gauges in
            for (path, stale) in gauges where !paths.contains(path) {
                stale.destroy()
                gauges[path] = nil
            }
            for path in paths {
                guard let status = hubs.hub(at: path)?.status else { continue }
                let channelGauges = gauges[path] ?? makeChannelGauges(path)
                gauges[path] = channelGauges
                channelGauges.online.record(status.isOnline ? 1 : 0)
                channelGauges.bitrate.record(status.bitsPerSecond)
                channelGauges.fps.record(status.framesPerSecond)
                channelGauges.consumers.record(consumers[path] ?? 0)
            }
        }
        return registry.emitToString()
    }

    /// Transcoders come and go with their consumers; their series go with them.
    private func sampleTranscoders(_ transcoders: [TranscoderStatus]) {
        transcoderGauges.withLock { gauges in
            let running = Set(transcoders.map(\.path))
            for (path, stale) in gauges where !running.contains(path) {
                stale.destroy()
                gauges[path] = nil
            }
            for transcoder in transcoders {
                let dimensions = [("path", transcoder.path), ("kind", transcoder.isMosaic ? "mosaic" : "profile"), ("profile", transcoder.profile)]
                let series = gauges[transcoder.path] ?? TranscoderGauges(
                    cpuSeconds: Gauge(label: "muster_transcoder_cpu_seconds", dimensions: dimensions, factory: factory),
                    framesEncoded: Gauge(label: "muster_transcoder_frames_encoded", dimensions: dimensions, factory: factory),
                    decodeErrors: Gauge(label: "muster_transcoder_decode_errors", dimensions: dimensions, factory: factory),
                    droppedUnits: Gauge(label: "muster_transcoder_dropped_units", dimensions: dimensions, factory: factory)
                )
                gauges[transcoder.path] = series
                series.cpuSeconds.record(transcoder.cpuSeconds)
                series.framesEncoded.record(transcoder.framesEncoded)
                series.decodeErrors.record(transcoder.decodeErrors)
                series.droppedUnits.record(transcoder.droppedUnits)
            }
        }
    }

    private func makeChannelGauges(_ path: String) -> ChannelGauges {
        let dimensions = [("channel", path)]
        return ChannelGauges(
            online: Gauge(label: "muster_channel_online", dimensions: dimensions, factory: factory),
            bitrate: Gauge(label: "muster_channel_bitrate_bps", dimensions: dimensions, factory: factory),
            fps: Gauge(label: "muster_channel_fps", dimensions: dimensions, factory: factory),
            consumers: Gauge(label: "muster_channel_consumers", dimensions: dimensions, factory: factory)
        )
    }
}
