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
/// on-demand channel while it has consumers; one transcoder per channel and profile
/// (`PATH~PROFILE`) while that derived stream has consumers. Removing a channel stops its
/// source and transcoders and disconnects everyone on them.
final class GatewayChannelRuntime: ChannelRuntime {
    let hubs: StreamHubRegistry
    let sessions: RTSPSessionRegistry
    private let metrics: GatewayMetrics
    let directory: any DirectoryStore
    let ingest: GatewayConfiguration.Ingest
    let logger: Logger
    private let sources = Mutex<[String: FFmpegSource]>([:])
    /// Running transcoders by derived path (`hq/gate-1~sd-480p`).
    private let runningTranscoders = Mutex<[String: StreamTranscoder]>([:])
    let profileLibrary: ProfileLibrary
    /// Running mosaics by channel path.
    let runningMosaics = Mutex<[String: RunningMosaic]>([:])
    let tracker: PositionTracker
    /// Running on-demand sources and transcoders, and since when each has had no consumer (nil while it has one).
    let onDemand = Mutex<[String: ContinuousClock.Instant?]>([:])
    private let idleReaper = Mutex<Task<Void, Never>?>(nil)
    let telemetry: DroneTelemetry

    init(
        hubs: StreamHubRegistry, sessions: RTSPSessionRegistry, metrics: GatewayMetrics, tracker: PositionTracker,
        directory: any DirectoryStore, ingest: GatewayConfiguration.Ingest, profiles: ProfileLibrary, logger: Logger
    ) {
        self.profileLibrary = profiles
        self.tracker = tracker
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
        if case .mosaic(let mosaic) = channel.source, case .mosaic(let old) = previous.source,
           mosaic.layout == old.layout, mosaic.profile == old.profile {
            // New inputs take effect in the running picture; its consumers stay.
            await mosaicInputsChanged(at: channel.path.rawValue, to: mosaic)
            return
        }
        guard channel.source != previous.source || channel.onDemand != previous.onDemand else { return }
        await stopSource(at: channel.path.rawValue)
        await stopDerivedStreams(ofChannel: channel.path.rawValue)
        if !(previous.source == .push) {
            // The old source's stream ended; consumers reconnect to the new one.
            sessions.kickAll(path: channel.path.rawValue)
        }
        startSourceIfAlwaysOn(channel)
    }

    func channelRemoved(_ channel: Channel) async {
        let path = channel.path.rawValue
        await stopSource(at: path)
        await stopDerivedStreams(ofChannel: path)
        if channel.path.derivation == nil { await unregisterDerivedChannels { base, _ in base == channel.path } }
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
        guard let channelPath = try? ChannelPath(validating: path) else { return false }
        if let derivation = channelPath.derivation {
            return await demand(channelPath, of: derivation.channel, in: derivation.profile)
        }
        guard let channel = try? await directory.channel(at: channelPath) else { return false }
        if case .mosaic(let mosaic) = channel.source { return await demandMosaic(at: path, mosaic) }
        guard channel.onDemand, case .pull(let url) = channel.source else { return false }
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
        if await waitUntilReadyToPlay(path) { return true }
        logger.warning("on-demand source gave no keyframe in time; the consumer gets 404", metadata: [
            "path": "\(path)", "timeout": "\(ingest.onDemandStartTimeout)",
        ])
        return false
    }

    /// A client is setting up `path`: an idle on-demand stream there gets a full idle period
    /// again at each DESCRIBE and SETUP, so it cannot stop before the client plays.
    func noteInterest(in path: String) {
        onDemand.withLock { running in
            if running[path] != nil { running[path] = .some(nil) }
        }
    }

    func waitUntilReadyToPlay(_ path: String) async -> Bool {
        let deadline = ContinuousClock.now + ingest.onDemandStartTimeout
        while ContinuousClock.now < deadline {
            if hubs.hub(at: path)?.isReadyToPlay == true { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// A consumer asked for a channel in a profile: brings the channel up if it is on demand,
    /// starts the one transcoder for that channel and profile (however many consumers ask
    /// together) and waits for its first keyframe.
    private func demand(_ derived: ChannelPath, of channel: ChannelPath, in profileName: String) async -> Bool {
        let path = derived.rawValue
        guard let profile = profileLibrary.profile(named: profileName) else {
            logger.notice("a consumer asked for an unknown profile; it gets 404", metadata: [
                "path": "\(path)", "profiles": "\(profileLibrary.names.joined(separator: ","))",
            ])
            return false
        }
        let base = channel.rawValue
        // A live channel still waiting for its first keyframe needs no demand: the transcoder
        // reads it like any consumer and the wait below covers the keyframe.
        if hubs.hub(at: base)?.tracks == nil {
            guard await demand(base) else { return false }
        }
        let starts = onDemand.withLock { running -> Bool in
            guard running[path] == nil else { return false }
            running[path] = .some(nil)
            return true
        }
        if starts {
            let transcoder = StreamTranscoder(
                source: hubs.hubCreatingIfNeeded(at: base), output: hubs.hubCreatingIfNeeded(at: path), profile: profile, logger: logger
            )
            runningTranscoders.withLock { $0[path] = transcoder }
            transcoder.start()
            startIdleReaperIfNeeded()
            await register(derived, of: channel, in: profile)
        }
        if await waitUntilReadyToPlay(path) { return true }
        logger.warning("transcoder gave no keyframe in time; the consumer gets 404", metadata: [
            "path": "\(path)", "timeout": "\(ingest.onDemandStartTimeout)",
        ])
        return false
    }

    var transcoders: [TranscoderStatus] {
        runningTranscoders.withLock { Array($0.values) }.map { transcoder in
            let statistics = transcoder.statistics
            return TranscoderStatus(
                path: transcoder.output.path, inputs: [transcoder.source.path], isMosaic: false, profile: transcoder.profile.name,
                width: statistics.outputWidth, height: statistics.outputHeight, framesDecoded: statistics.framesDecoded,
                framesEncoded: statistics.framesEncoded, decodeErrors: statistics.decodeErrors, droppedUnits: statistics.droppedUnits,
                sourceRestarts: max(0, statistics.sourceStarts - 1), cpuSeconds: statistics.cpuSeconds
            )
        } + mosaicStatuses
    }

    var profiles: [ProfileSummary] { profileLibrary.profiles.map(ProfileSummary.init) }

    /// Reads the profiles again. A profile that is gone takes its derived streams with it:
    /// their transcoders stop, their consumers are disconnected and their directory entries go.
    /// Streams of a changed profile keep their settings until they next start.
    func reloadProfiles() async throws -> [ProfileSummary] {
        let reloaded = try profileLibrary.reload()
        logger.info("profiles reloaded", metadata: ["profiles": "\(reloaded.map(\.name).joined(separator: ","))"])
        let remaining = Set(reloaded.map(\.name))
        let orphaned = runningTranscoders.withLock { $0.values.filter { !remaining.contains($0.profile.name) }.map(\.output.path) }
        for path in orphaned { await stopDerivedStream(at: path) }
        await unregisterDerivedChannels { _, profile in !remaining.contains(profile) }
        return reloaded.map(ProfileSummary.init)
    }

    func startIdleReaperIfNeeded() {
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
        var consumers = sessions.consumerCounts
        // A transcoder is its source's consumer, a mosaic each of its inputs'.
        for transcoder in runningTranscoders.withLock({ Array($0.values) }) {
            consumers[transcoder.source.path, default: 0] += 1
        }
        for input in runningMosaics.withLock({ $0.values.flatMap(\.inputPaths) }) {
            consumers[input, default: 0] += 1
        }
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
            let what = path.contains("~") ? "transcoder" : runningMosaics.withLock({ $0[path] }) != nil ? "mosaic" : "on-demand source"
            logger.info("stopping \(what) without consumers", metadata: ["path": "\(path)", "idle": "\(ingest.onDemandIdleTimeout)"])
            await stopSource(at: path)
            hubs.hub(at: path)?.stopPublisher()
            // A consumer that began playing after the count above would wait for media forever.
            sessions.kickAll(path: path)
        }
    }

    /// Stops the source or transcoder publishing at `path`, if any.
    private func stopSource(at path: String) async {
        _ = onDemand.withLock { $0.removeValue(forKey: path) }
        if let source = sources.withLock({ $0.removeValue(forKey: path) }) {
            await Self.offCooperativePool { source.stop() }
        }
        if let transcoder = runningTranscoders.withLock({ $0.removeValue(forKey: path) }) {
            await Self.offCooperativePool { transcoder.stop() }
        }
        if let mosaic = runningMosaics.withLock({ $0.removeValue(forKey: path) }) {
            await Self.offCooperativePool { mosaic.stop() }
        }
    }

    /// Stops every transcoder of `channel` and disconnects their consumers.
    private func stopDerivedStreams(ofChannel channel: String) async {
        let derived = runningTranscoders.withLock { $0.values.filter { $0.source.path == channel }.map(\.output.path) }
        for path in derived { await stopDerivedStream(at: path) }
    }

    private func stopDerivedStream(at path: String) async {
        await stopSource(at: path)
        sessions.kickAll(path: path)
        hubs.removeHub(at: path)
    }

    /// The directory entry (kind derived) of a channel in a profile, made when it is first
    /// played: it lists the derived stream with its live state like any channel, with the
    /// channel's zone and tags. Not its unit or location: "what is near" answers with the
    /// channel itself, not once per profile.
    private func register(_ derived: ChannelPath, of channel: ChannelPath, in profile: TranscodeProfile) async {
        do {
            guard try await directory.channel(at: derived) == nil, let base = try await directory.channel(at: channel) else { return }
            _ = try await directory.createChannel(Channel(
                path: derived, name: "\(base.name) (\(profile.name))", kind: .derived, source: .derived, zone: base.zone,
                tags: base.tags, onDemand: true
            ))
            hubs.events.publish(GatewayEvent(.channelAdded, channel: derived.rawValue))
        } catch .channelExists {
            // Registered by a consumer that asked at the same moment.
        } catch {
            logger.warning("the derived stream plays but could not be registered in the directory: \(error)", metadata: ["path": "\(derived)"])
        }
    }

    /// Removes the directory entries of derived streams that `isObsolete` picks: every profile of
    /// a channel that goes, or every channel in a profile that is gone. Derived entries are few
    /// (a channel per profile actually played), so going through all of them is cheap.
    private func unregisterDerivedChannels(where isObsolete: (_ channel: ChannelPath, _ profile: String) -> Bool) async {
        var query = ChannelQuery()
        query.kind = .derived
        query.limit = ChannelQuery.maximumLimit
        var obsolete: [ChannelPath] = []
        do {
            repeat {
                let page = try await directory.channels(matching: query)
                obsolete += page.channels.map(\.path).filter { $0.derivation.map { isObsolete($0.channel, $0.profile) } ?? false }
                query.cursor = page.nextCursor
            } while query.cursor != nil
        } catch {
            logger.warning("could not list derived streams to remove their directory entries: \(error)")
        }
        for derived in obsolete where (try? await directory.deleteChannel(at: derived)) != nil {
            hubs.events.publish(GatewayEvent(.channelRemoved, channel: derived.rawValue))
        }
    }

    /// Stopping waits for a worker thread; keep that wait off the cooperative pool's few threads.
    static func offCooperativePool(_ work: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                work()
                continuation.resume()
            }
        }
    }

    func stopAll() async {
        idleReaper.withLock { $0 }?.cancel()
        let allTranscoders = runningTranscoders.withLock { transcoders in
            defer { transcoders.removeAll() }
            return Array(transcoders.values)
        }
        let allMosaics = runningMosaics.withLock { mosaics in
            defer { mosaics.removeAll() }
            return Array(mosaics.values)
        }
        let allSources = sources.withLock { sources in
            defer { sources.removeAll() }
            return Array(sources.values)
        }
        await withTaskGroup(of: Void.self) { group in
            for transcoder in allTranscoders {
                group.addTask { await Self.offCooperativePool { transcoder.stop() } }
            }
            for mosaic in allMosaics {
                group.addTask { await Self.offCooperativePool { mosaic.stop() } }
            }
            for source in allSources {
                group.addTask { await Self.offCooperativePool { source.stop() } }
            }
        }
    }
}
