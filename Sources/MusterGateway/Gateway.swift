import Foundation
import Logging
import MusterAPI
import MusterCore
import MusterDirectory
import MusterRTSP
import MusterTracker
import NIOCore
import NIOPosix

/// The running gateway: the directory, the stream hubs, the sources feeding them, the RTSP
/// server serving them and the admin API.
public final class Gateway: Sendable {
    public let configuration: GatewayConfiguration
    public let hubs: StreamHubRegistry
    public let rtspServer: RTSPServer
    public let apiServer: APIServer
    public let directory: any DirectoryStore
    public let tracker: PositionTracker
    public let osmandListener: OsmAndListener?
    public let nmeaListener: NMEAListener?
    private let runtime: GatewayChannelRuntime
    private let telemetryTask: Task<Void, Never>
    private let logger: Logger

    private init(
        configuration: GatewayConfiguration, hubs: StreamHubRegistry, rtspServer: RTSPServer, apiServer: APIServer,
        directory: any DirectoryStore, tracker: PositionTracker, positionListeners: (OsmAndListener?, NMEAListener?),
        runtime: GatewayChannelRuntime, telemetryTask: Task<Void, Never>, logger: Logger
    ) {
        self.tracker = tracker
        (osmandListener, nmeaListener) = positionListeners
        self.telemetryTask = telemetryTask
        self.configuration = configuration
        self.hubs = hubs
        self.rtspServer = rtspServer
        self.apiServer = apiServer
        self.directory = directory
        self.runtime = runtime
        self.logger = logger
    }

    /// The directory database inside the data directory.
    public static let directoryFileName = "directory.sqlite"

    /// Validates the configuration, opens the directory, binds the listeners and starts every
    /// always-on source the directory holds.
    public static func start(configuration: GatewayConfiguration, logger: Logger) async throws -> Gateway {
        try configuration.validate()
        do {
            try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw GatewayConfigurationError("cannot create data directory \(configuration.dataDirectory): \(error.localizedDescription)")
        }
        let profiles: ProfileLibrary
        do {
            profiles = try ProfileLibrary(directory: configuration.profilesDirectory)
        } catch {
            throw GatewayConfigurationError(error.description)
        }
        let directory = try SQLiteDirectoryStore(path: configuration.dataDirectory + "/" + directoryFileName)
        try await registerConfiguredSources(configuration.sources, in: directory)

        let events = GatewayEventBus()
        let hubs = StreamHubRegistry(events: events)
        let sessions = RTSPSessionRegistry(events: events)
        let metrics = GatewayMetrics()
        let tracker = try await PositionTracker.start(store: directory, events: events, configuration: configuration.tracking.tracker, logger: logger)
        let runtime = GatewayChannelRuntime(
            hubs: hubs, sessions: sessions, metrics: metrics, tracker: tracker, directory: directory, ingest: configuration.ingest, profiles: profiles, logger: logger
        )
        // Subscribed before any listener opens, so no stream going online is missed.
        let hubEvents = events.subscribe(to: [.channelOnline, .channelRemoved])
        let positionListeners: (OsmAndListener?, NMEAListener?)
        do {
            positionListeners = try await startPositionListeners(configuration.tracking, tracker: tracker, logger: logger)
        } catch {
            await tracker.stop()
            throw error
        }
        let rtspServer = try await RTSPServer.start(
            configuration: configuration.rtsp, hubs: hubs, logger: logger, sessions: sessions,
            publishPolicy: PushChannelRegistration(directory: directory, events: events, logger: logger).decide,
            streamDemand: { [runtime] path in await runtime.demand(path) },
            streamInterest: { [runtime] path in runtime.noteInterest(in: path) }
        )
        let apiServer: APIServer
        do {
            let services = APIServices(
                store: directory, hubs: hubs, sessions: sessions, runtime: runtime, events: events, metrics: metrics,
                tracker: tracker, rtspAddress: RTSPAdvertisedAddress(listenHost: configuration.rtsp.host, port: rtspServer.localAddress?.port ?? configuration.rtsp.port),
                version: MusterVersion.current
            )
            apiServer = try await APIServer.start(
                host: configuration.api.host, port: configuration.api.port, services: services,
                access: APIAccessPolicy(adminToken: configuration.api.adminToken, allowsAnonymous: configuration.allListenersOnLoopback),
                logger: logger
            )
        } catch {
            await rtspServer.close()
            await positionListeners.0?.close()
            await positionListeners.1?.close()
            await tracker.stop()
            throw error
        }
        let telemetryTask = Task { [telemetry = runtime.telemetry] in await telemetry.follow(hubEvents, hubs: hubs) }
        let channels = try await directory.alwaysOnPullChannels()
        for channel in channels { runtime.startSourceIfAlwaysOn(channel) }
        let channelCount = try await directory.channelCount()
        logger.info("gateway started", metadata: [
            "data_dir": "\(configuration.dataDirectory)", "sources": "\(channels.count)",
            "channels": "\(channelCount)", "version": "\(MusterVersion.current)",
            "profiles": "\(profiles.names.joined(separator: ","))",
        ])
        return Gateway(
            configuration: configuration, hubs: hubs, rtspServer: rtspServer, apiServer: apiServer,
            directory: directory, tracker: tracker, positionListeners: positionListeners, runtime: runtime,
            telemetryTask: telemetryTask, logger: logger
        )
    }

    /// Position ingest has event loops of its own, for the life of the process as the shared ones.
    /// Under a fleet's load they are always busy, and API requests (an incident's proximity
    /// queries) waited behind that I/O on the shared loops; on mostly idle loops of their own the
    /// kernel runs them as soon as they arrive.
    private static let positionEventLoops = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)

    private static func startPositionListeners(
        _ tracking: GatewayConfiguration.Tracking, tracker: PositionTracker, logger: Logger
    ) async throws -> (OsmAndListener?, NMEAListener?) {
        let group = positionEventLoops
        var osmand: OsmAndListener?
        if let address = tracking.osmand {
            osmand = try await OsmAndListener.start(host: address.host, port: address.port, tracker: tracker, group: group, logger: logger)
        }
        do {
            var nmea: NMEAListener?
            if let address = tracking.nmea {
                nmea = try await NMEAListener.start(
                    host: address.host, port: address.port, unitsByAddress: tracking.nmeaUnits, tracker: tracker, group: group, logger: logger
                )
            }
            return (osmand, nmea)
        } catch {
            await osmand?.close()
            throw error
        }
    }

    /// `--source` and config-file channels become directory entries; the directory keeps any
    /// name, zone or tags an operator gave them, and the configuration decides the URL.
    private static func registerConfiguredSources(_ sources: [GatewayConfiguration.Source], in directory: any DirectoryStore) async throws {
        for source in sources {
            if let existing = try await directory.channel(at: source.path) {
                guard existing.source != .pull(source.url) || existing.onDemand else { continue }
                var patch = ChannelPatch()
                patch.source = .pull(source.url)
                patch.onDemand = false
                _ = try await directory.updateChannel(at: source.path, with: patch)
            } else {
                _ = try await directory.createChannel(Channel(path: source.path, name: source.path.rawValue, kind: .camera, source: .pull(source.url)))
            }
        }
    }

    /// Stops the API, the sources (freeing their FFmpeg contexts) and closes every session and listener.
    /// Reads the profiles directory again (SIGHUP); the previous profiles stay when it fails.
    public func reloadProfiles() async throws {
        _ = try await runtime.reloadProfiles()
    }

    public func stop() async {
        await apiServer.close()
        await osmandListener?.close()
        await nmeaListener?.close()
        // Every position already acknowledged is written before the directory goes.
        await tracker.stop()
        await runtime.stopAll()
        await rtspServer.close()
        telemetryTask.cancel()
        logger.info("gateway stopped")
    }
}

/// Publishing to a path: refused where a pull source feeds it; a path the directory does not
/// know yet becomes a push channel, stored before the publisher is answered.
struct PushChannelRegistration: Sendable {
    let directory: any DirectoryStore
    let events: GatewayEventBus
    let logger: Logger

    func decide(_ path: String) async -> RTSPPublishDecision {
        do {
            let channelPath = try ChannelPath(validating: path)
            if let derivation = channelPath.derivation {
                return .refuse(reason: "'\(path)' is channel '\(derivation.channel)' in profile '\(derivation.profile)', made by the gateway; publish to '\(derivation.channel)'")
            }
            if let channel = try await directory.channel(at: channelPath) {
                if channel.source != .push {
                    return .refuse(reason: channel.source.isMosaic ? "'\(path)' is a mosaic composed by the gateway and does not accept publishers" : "'\(path)' is fed by a pull source and does not accept publishers")
                }
                return .allow
            }
            do {
                _ = try await directory.createChannel(Channel(path: channelPath, name: path, kind: .camera, source: .push))
                logger.info("push channel registered", metadata: ["path": "\(path)"])
                events.publish(GatewayEvent(.channelAdded, channel: path))
            } catch .channelExists {
                // Another publisher registered it a moment ago.
            }
            return .allow
        } catch {
            logger.error("cannot decide whether to accept a publisher", metadata: ["path": "\(path)", "error": "\(error)"])
            return .refuse(reason: "the channel directory cannot be read; try again later")
        }
    }
}

public enum MusterVersion {
    public static let current = "0.1.0"
}
