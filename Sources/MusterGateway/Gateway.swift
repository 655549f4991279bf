import Foundation
import Logging
import MusterCore
import MusterFFmpeg
import MusterRTSP
import NIOCore
import NIOPosix

/// The running gateway: its stream hubs, the sources feeding them and the RTSP server serving them.
public final class Gateway: Sendable {
    public let configuration: GatewayConfiguration
    public let hubs: StreamHubRegistry
    public let rtspServer: RTSPServer
    private let sources: [FFmpegSource]
    private let logger: Logger

    private init(configuration: GatewayConfiguration, hubs: StreamHubRegistry, rtspServer: RTSPServer, sources: [FFmpegSource], logger: Logger) {
        self.configuration = configuration
        self.hubs = hubs
        self.rtspServer = rtspServer
        self.sources = sources
        self.logger = logger
    }

    /// Validates the configuration, binds the listeners and starts every source.
    public static func start(configuration: GatewayConfiguration, logger: Logger) async throws -> Gateway {
        try configuration.validate()
        do {
            try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw GatewayConfigurationError("cannot create data directory \(configuration.dataDirectory): \(error.localizedDescription)")
        }
        let hubs = StreamHubRegistry()
        let sourcedPaths = Set(configuration.sources.map(\.path.rawValue))
        let rtspServer = try await RTSPServer.start(
            configuration: configuration.rtsp,
            hubs: hubs,
            logger: logger,
            mayPublish: { !sourcedPaths.contains($0) }
        )
        let sources = configuration.sources.map { source in
            var sourceLogger = logger
            sourceLogger[metadataKey: "path"] = "\(source.path)"
            return FFmpegSource(
                url: source.url,
                hub: hubs.hubCreatingIfNeeded(at: source.path.rawValue),
                options: FFmpegSourceOptions(url: source.url),
                logger: sourceLogger
            )
        }
        for source in sources { source.start() }
        logger.info("gateway started", metadata: [
            "data_dir": "\(configuration.dataDirectory)", "sources": "\(sources.count)", "version": "\(MusterVersion.current)",
        ])
        return Gateway(configuration: configuration, hubs: hubs, rtspServer: rtspServer, sources: sources, logger: logger)
    }

    /// Stops sources (freeing their FFmpeg contexts) and closes every session and listener.
    public func stop() async {
        await withTaskGroup(of: Void.self) { group in
            for source in sources {
                group.addTask { source.stop() }
            }
        }
        await rtspServer.close()
        logger.info("gateway stopped")
    }
}

public enum MusterVersion {
    public static let current = "0.1.0"
}
