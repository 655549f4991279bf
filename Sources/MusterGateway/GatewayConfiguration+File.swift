import Foundation
import MusterCore
import MusterRTSP
import Yams

extension GatewayConfiguration {
    /// The YAML layout of `--config FILE` (see profiles/gateway.example.yaml).
    struct File: Decodable {
        struct RTSP: Decodable {
            var listen: String?
            var rtp_port: Int?
            var session_timeout_seconds: Int?
            var stalled_consumer_timeout_seconds: Int?
            var max_sessions_per_address: Int?
            var users: [User]?
            var multicast: Multicast?
        }

        struct Multicast: Decodable {
            var enabled: Bool?
            var groups: String?
            var port: Int?
            var ttl: Int?
        }

        struct API: Decodable {
            var listen: String?
        }

        struct Tracking: Decodable {
            var osmand_listen: String?
            var nmea_listen: String?
            var nmea_units: [String: String]?
            var auto_create_units: Bool?
            var online_timeout_seconds: Double?
            var retention_days: Double?
        }

        struct Ingest: Decodable {
            var retry_delay_seconds: Double?
            var maximum_retry_delay_seconds: Double?
            var stall_timeout_seconds: Double?
            var open_timeout_seconds: Double?
            var on_demand_start_timeout_seconds: Double?
            var on_demand_idle_seconds: Double?
        }

        struct User: Decodable {
            var name: String
            var password: String
            var read: [String]?
            var publish: [String]?
        }

        struct Source: Decodable {
            var path: String
            var url: String
        }

        var data_dir: String?
        var profiles_dir: String?
        var rtsp: RTSP?
        var api: API?
        var tracking: Tracking?
        var ingest: Ingest?
        var sources: [Source]?
    }

    private static func multicast(_ section: File.Multicast, file path: String) throws(GatewayConfigurationError) -> RTSPMulticastConfiguration? {
        guard section.enabled ?? true else { return nil }
        var multicast = RTSPMulticastConfiguration()
        if let text = section.groups {
            guard let groups = IPv4AddressBlock(text), groups.isMulticast else {
                throw GatewayConfigurationError("config file \(path): rtsp.multicast.groups '\(text)' is not an IPv4 multicast block like 239.255.42.0/24")
            }
            multicast.groups = groups
        }
        if let port = section.port {
            guard port == 0 || (1...65_534).contains(port), port % 2 == 0 else {
                throw GatewayConfigurationError("config file \(path): rtsp.multicast.port must be an even port (RTCP uses the next one)")
            }
            multicast.port = port
        }
        if let ttl = section.ttl {
            guard (1...255).contains(ttl) else { throw GatewayConfigurationError("config file \(path): rtsp.multicast.ttl must be 1–255") }
            multicast.ttl = ttl
        }
        return multicast
    }

    /// Reads a config file on top of the defaults.
    public static func load(fromFile path: String) throws(GatewayConfigurationError) -> GatewayConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw GatewayConfigurationError("cannot read config file \(path): \(error.localizedDescription)")
        }
        let file: File
        do {
            file = try YAMLDecoder().decode(File.self, from: text)
        } catch let error as DecodingError {
            throw GatewayConfigurationError("config file \(path): \(Self.explain(error))")
        } catch {
            throw GatewayConfigurationError("config file \(path) is not valid YAML: \(error)")
        }
        var configuration = GatewayConfiguration()
        if let dataDirectory = file.data_dir { configuration.dataDirectory = dataDirectory }
        if let profilesDirectory = file.profiles_dir { configuration.profilesDirectory = profilesDirectory }
        if let listen = file.rtsp?.listen {
            let address: ListenAddress
            do {
                address = try ListenAddress(parsing: listen)
            } catch {
                throw GatewayConfigurationError("config file \(path): rtsp.listen: \(error)")
            }
            configuration.rtsp.host = address.host
            configuration.rtsp.port = address.port
        }
        if let listen = file.api?.listen {
            do {
                let address = try ListenAddress(parsing: listen)
                configuration.api.host = address.host
                configuration.api.port = address.port
            } catch {
                throw GatewayConfigurationError("config file \(path): api.listen: \(error)")
            }
        }
        if let tracking = file.tracking {
            do {
                if let listen = tracking.osmand_listen { configuration.tracking.osmand = try ListenAddress.parsingOptional(listen) }
                if let listen = tracking.nmea_listen { configuration.tracking.nmea = try ListenAddress.parsingOptional(listen) }
            } catch {
                throw GatewayConfigurationError("config file \(path): tracking: \(error)")
            }
            if let units = tracking.nmea_units { configuration.tracking.nmeaUnits = units }
            if let autoCreate = tracking.auto_create_units { configuration.tracking.tracker.autoCreateUnits = autoCreate }
            if let timeout = tracking.online_timeout_seconds { configuration.tracking.tracker.onlineTimeout = timeout }
            if let days = tracking.retention_days { configuration.tracking.tracker.retention = days * 86_400 }
        }
        if let ingest = file.ingest {
            func seconds(_ value: Double?, _ keyPath: WritableKeyPath<Ingest, Duration>) {
                if let value, value.isFinite { configuration.ingest[keyPath: keyPath] = .milliseconds(Int64(value * 1000)) }
            }
            seconds(ingest.retry_delay_seconds, \.retryDelay)
            seconds(ingest.maximum_retry_delay_seconds, \.maximumRetryDelay)
            seconds(ingest.stall_timeout_seconds, \.stallTimeout)
            seconds(ingest.open_timeout_seconds, \.openTimeout)
            seconds(ingest.on_demand_start_timeout_seconds, \.onDemandStartTimeout)
            seconds(ingest.on_demand_idle_seconds, \.onDemandIdleTimeout)
        }
        if let rtpPort = file.rtsp?.rtp_port { configuration.rtsp.rtpPort = rtpPort }
        if let timeout = file.rtsp?.session_timeout_seconds {
            guard timeout > 0 else { throw GatewayConfigurationError("config file \(path): rtsp.session_timeout_seconds must be positive") }
            configuration.rtsp.sessionTimeout = .seconds(timeout)
        }
        if let timeout = file.rtsp?.stalled_consumer_timeout_seconds {
            guard timeout > 0 else { throw GatewayConfigurationError("config file \(path): rtsp.stalled_consumer_timeout_seconds must be positive") }
            configuration.rtsp.stalledConsumerTimeout = .seconds(timeout)
        }
        if let limit = file.rtsp?.max_sessions_per_address {
            guard limit > 0 else { throw GatewayConfigurationError("config file \(path): rtsp.max_sessions_per_address must be positive") }
            configuration.rtsp.maximumSessionsPerAddress = limit
        }
        if let multicast = file.rtsp?.multicast {
            configuration.rtsp.multicast = try Self.multicast(multicast, file: path)
        }
        configuration.rtsp.users = (file.rtsp?.users ?? []).map { user in
            RTSPUser(
                name: user.name, password: user.password,
                read: (user.read ?? []).map(RTSPPathPattern.init), publish: (user.publish ?? []).map(RTSPPathPattern.init)
            )
        }
        for source in file.sources ?? [] {
            do {
                configuration.sources.append(.init(path: try ChannelPath(validating: source.path), url: source.url))
            } catch {
                throw GatewayConfigurationError("config file \(path): sources: \(error)")
            }
        }
        return configuration
    }

    private static func explain(_ error: DecodingError) -> String {
        func field(_ path: [any CodingKey]) -> String {
            path.reduce("") { text, key in
                if let index = key.intValue { return text + "[\(index)]" }
                return text.isEmpty ? key.stringValue : text + "." + key.stringValue
            }
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field '\(field(context.codingPath + [key]))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "field '\(field(context.codingPath))': \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
