import ArgumentParser
import Foundation
import Logging
import MusterGateway
import ServiceLifecycle

@main
struct Muster: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "muster",
        abstract: "Video and multi-network communication gateway for emergency command centers.",
        version: MusterVersion.current,
        subcommands: [Serve.self]
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway: ingest the directory's sources, serve every channel over RTSP, and the admin API."
    )

    @Option(name: .long, help: "YAML configuration file; command-line options override it.")
    var config: String?

    @Option(name: .long, help: "Directory for the gateway's data (default: data).")
    var dataDir: String?

    @Option(name: .long, help: "Directory of transcoding profiles, served as rtsp://HOST/PATH~PROFILE (default: profiles, if it exists).")
    var profilesDir: String?

    @Option(name: .long, help: "RTSP listen address (default: 127.0.0.1:8554).")
    var rtspListen: String?

    @Option(name: .long, help: "First port of the shared RTP/RTCP UDP pair; RTCP uses the next one (default: 8000).")
    var rtpPort: Int?

    @Option(name: .long, help: "HTTP admin API listen address (default: 127.0.0.1:9780).")
    var apiListen: String?

    @Option(name: .long, help: "OsmAnd (Traccar Client) position listener, or 'off' (default: 127.0.0.1:5055).")
    var osmandListen: String?

    @Option(name: .long, help: "NMEA 0183 position listener, TCP and UDP, or 'off' (default: 127.0.0.1:10110).")
    var nmeaListen: String?

    @Flag(name: .long, help: "Register a unit the first time an unknown id reports a position.")
    var autoCreateUnits = false

    @Option(name: .long, help: ArgumentHelp(
        "The first admin API token (at least 16 characters). Prefer MUSTER_ADMIN_TOKEN: arguments show in ps.",
        valueName: "TOKEN"
    ))
    var adminToken: String?

    @Option(name: .long, help: ArgumentHelp(
        "A channel fed by a URL libavformat can open: PATH=URL (repeatable). Local files loop.",
        valueName: "PATH=URL"
    ))
    var source: [String] = []

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "muster")
        let configuration: GatewayConfiguration
        do {
            configuration = try makeConfiguration()
            try configuration.validate()
        } catch {
            throw ValidationError("\(error)")
        }
        let service = GatewayService(configuration: configuration, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: service)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }

    private func makeConfiguration() throws -> GatewayConfiguration {
        var configuration = try config.map { try GatewayConfiguration.load(fromFile: $0) } ?? GatewayConfiguration()
        if let dataDir { configuration.dataDirectory = dataDir }
        if let profilesDir { configuration.profilesDirectory = profilesDir }
        if let rtspListen {
            let address = try ListenAddress(parsing: rtspListen)
            configuration.rtsp.host = address.host
            configuration.rtsp.port = address.port
        }
        if let apiListen {
            let address = try ListenAddress(parsing: apiListen)
            configuration.api.host = address.host
            configuration.api.port = address.port
        }
        if let osmandListen { configuration.tracking.osmand = try ListenAddress.parsingOptional(osmandListen) }
        if let nmeaListen { configuration.tracking.nmea = try ListenAddress.parsingOptional(nmeaListen) }
        if autoCreateUnits { configuration.tracking.tracker.autoCreateUnits = true }
        if let token = adminToken ?? ProcessInfo.processInfo.environment["MUSTER_ADMIN_TOKEN"], !token.isEmpty {
            configuration.api.adminToken = token
        }
        if let rtpPort {
            guard (0...65534).contains(rtpPort) else { throw GatewayConfigurationError("--rtp-port must be 0–65534") }
            configuration.rtsp.rtpPort = rtpPort
        }
        for argument in source {
            configuration.sources.append(try GatewayConfiguration.Source(argument: argument))
        }
        return configuration
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Runs the gateway until SIGINT or SIGTERM, then stops it cleanly; SIGHUP reloads the profiles.
struct GatewayService: Service {
    let configuration: GatewayConfiguration
    let logger: Logger

    func run() async throws {
        let gateway = try await Gateway.start(configuration: configuration, logger: logger)
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP)
        hangup.setEventHandler { [logger] in
            Task {
                do {
                    try await gateway.reloadProfiles()
                } catch {
                    logger.error("SIGHUP: the profiles were not reloaded and the previous ones stay in use: \(error)")
                }
            }
        }
        hangup.resume()
        defer { hangup.cancel() }
        try? await gracefulShutdown()
        logger.info("shutting down")
        await gateway.stop()
    }
}
