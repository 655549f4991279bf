import Foundation
import Logging
import MusterAPI
import MusterCore
import MusterDirectory
import MusterFFmpeg
import MusterTracker
import Synchronization

/// A mosaic channel being composed, and the task that keeps its inputs current.
final class RunningMosaic: Sendable {
    let compositor: MosaicCompositor
    let source: Mutex<MosaicSource>
    /// The channels on its tiles right now, tile by tile (nil: placeholder).
    let tiles = Mutex<[String?]>([])
    private let refresher = Mutex<Task<Void, Never>?>(nil)

    init(compositor: MosaicCompositor, source: MosaicSource) {
        self.compositor = compositor
        self.source = Mutex(source)
    }

    var inputPaths: [String] { tiles.withLock { $0.compactMap { $0 } } }

    func keepRefreshed(_ body: @escaping @Sendable () async -> Void) {
        refresher.withLock { task in
            task = Task {
                while !Task.isCancelled {
                    await body()
                    try? await Task.sleep(for: GatewayChannelRuntime.mosaicRefreshInterval)
                }
            }
        }
    }

    /// Stops refreshing and composing; waits for the compositor's thread.
    func stop() {
        refresher.withLock { $0 }?.cancel()
        compositor.stop()
    }
}

extension GatewayChannelRuntime {
    /// How often a mosaic's inputs are looked at again: an incident mosaic follows moving units,
    /// and a channel registered or brought online later joins its tile.
    static let mosaicRefreshInterval: Duration = .seconds(3)

    /// A consumer asked for a mosaic: starts its compositor (once) with placeholders for inputs
    /// that are not live yet, and waits for its first picture.
    func demandMosaic(at path: String, _ mosaic: MosaicSource) async -> Bool {
        guard let profile = profileLibrary.profile(named: mosaic.profile), let recipe = profile.video else {
            logger.warning("a mosaic's profile is unknown or passes video through; the consumer gets 404", metadata: [
                "path": "\(path)", "profile": "\(mosaic.profile)", "profiles": "\(profileLibrary.names.joined(separator: ","))",
            ])
            return false
        }
        let starts = onDemand.withLock { running -> Bool in
            guard running[path] == nil else { return false }
            running[path] = .some(nil)
            return true
        }
        if starts {
            let compositor = MosaicCompositor(
                output: hubs.hubCreatingIfNeeded(at: path), layout: mosaic.layout, recipe: recipe, name: "mosaic-\(Self.nextMosaicNumber())",
                logger: logger
            )
            let running = RunningMosaic(compositor: compositor, source: mosaic)
            runningMosaics.withLock { $0[path] = running }
            compositor.start()
            running.keepRefreshed { [weak self] in await self?.refreshMosaic(running) }
            startIdleReaperIfNeeded()
            logger.info("mosaic started for its first consumer", metadata: [
                "path": "\(path)", "layout": "\(mosaic.layout.rawValue)", "profile": "\(mosaic.profile)",
            ])
        }
        if await waitUntilReadyToPlay(path) { return true }
        logger.warning("mosaic gave no picture in time; the consumer gets 404", metadata: ["path": "\(path)"])
        return false
    }

    /// The running mosaics, as `transcoders` lists them.
    var mosaicStatuses: [TranscoderStatus] {
        runningMosaics.withLock { $0 }.map { path, running in
            let statistics = running.compositor.statistics
            return TranscoderStatus(
                path: path, inputs: running.inputPaths, isMosaic: true, profile: running.source.withLock { $0.profile },
                width: running.compositor.width, height: running.compositor.height,
                framesDecoded: Int(statistics.inputs.reduce(0) { $0 + $1.decodedFrames }), framesEncoded: Int(statistics.framesComposed),
                decodeErrors: Int(statistics.inputs.reduce(0) { $0 + $1.rejectedUnits }),
                droppedUnits: Int(statistics.inputs.reduce(0) { $0 + $1.droppedUnits }), sourceRestarts: 0, cpuSeconds: statistics.cpuSeconds
            )
        }
    }

    private static let mosaicNumbers = Atomic<Int>(0)
    private static func nextMosaicNumber() -> Int { mosaicNumbers.wrappingAdd(1, ordering: .relaxed).newValue }

    /// The mosaic channel's source changed but not its layout or profile: the running picture
    /// takes the new inputs at once.
    func mosaicInputsChanged(at path: String, to mosaic: MosaicSource) async {
        guard let running = runningMosaics.withLock({ $0[path] }) else { return }
        running.source.withLock { $0 = mosaic }
        await refreshMosaic(running)
        logger.info("mosaic inputs changed", metadata: ["path": "\(path)", "tiles": "\(running.inputPaths.joined(separator: ","))"])
    }

    /// Works out which channel each tile shows now and hands the compositor their hubs;
    /// on-demand inputs are started (the mosaic counts as their consumer).
    func refreshMosaic(_ running: RunningMosaic) async {
        let mosaic = running.source.withLock { $0 }
        var wanted: [String?] = []
        switch mosaic.inputs {
        case .channels(let paths):
            for path in paths {
                let known = (try? await directory.channel(at: path)) != nil
                wanted.append(known ? path.rawValue : nil)
            }
        case .nearest(let latitude, let longitude, let radius, let maximum):
            guard let feeds = await nearestFeeds(latitude: latitude, longitude: longitude, radius: radius, maximum: maximum) else { return }
            wanted = feeds
        }
        let changed = running.tiles.withLock { current -> Bool in
            guard current != wanted else { return false }
            current = wanted
            return true
        }
        if changed {
            running.compositor.setInputs(wanted.map { $0.map { hubs.hubCreatingIfNeeded(at: $0) } })
        }
        for case let path? in wanted where hubs.hub(at: path)?.isReadyToPlay != true {
            // Starts an on-demand input; does nothing for one that is pushed or already starting.
            Task { _ = await self.demand(path) }
        }
    }

    /// The channels nearest a point that can show a picture (live now, or pulled on demand),
    /// nearest first; never a mosaic (it could contain itself). Nil when the query failed.
    private func nearestFeeds(latitude: Double, longitude: Double, radius: Double, maximum: Int) async -> [String?]? {
        let nearby: [PositionTracker.NearbyChannel]
        do {
            nearby = try await tracker.nearbyChannels(latitude: latitude, longitude: longitude, radius: radius, limit: 200)
        } catch {
            logger.warning("incident mosaic: the nearby query failed; its tiles stay as they are: \(error)")
            return nil
        }
        var feeds: [String?] = []
        for candidate in nearby where feeds.count < maximum {
            let channel = candidate.channel
            switch channel.source {
            case .mosaic, .derived:
                continue
            case .pull where channel.onDemand:
                feeds.append(channel.path.rawValue)
            case .pull, .push:
                if hubs.hub(at: channel.path.rawValue)?.tracks != nil { feeds.append(channel.path.rawValue) }
            }
        }
        return feeds
    }
}
