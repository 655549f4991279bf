import MusterCore
import MusterDirectory
import MusterFFmpeg
import MusterRTSP
import MusterTracker

/// Everything `muster serve` needs, from the config file and the command line (which wins).
public struct GatewayConfiguration: Sendable {
    /// A channel fed by a URL libavformat opens.
    public struct Source: Sendable, Hashable {
        public var path: ChannelPath
        public var url: String

        public init(path: ChannelPath, url: String) {
            self.path = path
            self.url = url
        }

        /// Parses `PATH=URL` as given to `--source`.
        public init(argument: String) throws(GatewayConfigurationError) {
            guard let equals = argument.firstIndex(of: "=") else {
                throw GatewayConfigurationError("--source '\(argument.prefix(40))' must look like PATH=URL, e.g. demo=clip.mp4")
            }
            let url = String(argument[argument.index(after: equals)...])
            guard !url.isEmpty else { throw GatewayConfigurationError("--source '\(argument[..<equals])=' has no URL") }
            do {
                path = try ChannelPath(validating: String(argument[..<equals]))
            } catch {
                throw GatewayConfigurationError("--source: \(error)")
            }
            self.url = url
        }
    }

    /// The HTTP admin API listener and its first admin token.
    public struct API: Sendable, Hashable {
        public var host = "127.0.0.1"
        public var port = 9780
        /// From --admin-token or MUSTER_ADMIN_TOKEN; never written to the directory or logs.
        public var adminToken: String?

        public init() {}
    }

    /// How pull sources are started, kept alive and stopped.
    public struct Ingest: Sendable, Hashable {
        /// First wait before reopening a failed source; doubles per failure in a row.
        public var retryDelay: Duration = .seconds(1)
        /// The longest wait between attempts.
        public var maximumRetryDelay: Duration = .seconds(30)
        /// A source that delivers nothing for this long is restarted.
        public var stallTimeout: Duration = .seconds(10)
        /// Limit for connecting to and probing a source (listeners wait for their sender).
        public var openTimeout: Duration = .seconds(10)
        /// How long the first consumer of an on-demand channel waits for its first keyframe.
        public var onDemandStartTimeout: Duration = .seconds(10)
        /// An on-demand source stops after this long without consumers.
        public var onDemandIdleTimeout: Duration = .seconds(30)

        public init() {}
    }

    /// The position inputs and the tracker's behaviour.
    public struct Tracking: Sendable, Hashable {
        /// The OsmAnd (Traccar Client) HTTP listener; nil turns it off.
        public var osmand: ListenAddress? = ListenAddress(host: "127.0.0.1", port: 5055)
        /// NMEA 0183 over TCP and UDP on one address; nil turns it off.
        public var nmea: ListenAddress? = ListenAddress(host: "127.0.0.1", port: 10110)
        /// Which unit an NMEA sender is, by `ip` or `ip:port`.
        public var nmeaUnits: [String: String] = [:]
        public var tracker = TrackerConfiguration()

        public init() {}
    }

    public var dataDirectory: String
    /// Where transcoding profiles are read from; nil means `profiles/` in the working
    /// directory if it exists (and no profiles otherwise).
    public var profilesDirectory: String?
    public var rtsp: RTSPServerConfiguration
    public var api: API
    public var tracking: Tracking
    public var ingest = Ingest()
    public var sources: [Source]

    public init(
        dataDirectory: String = "data", rtsp: RTSPServerConfiguration = .init(), api: API = .init(), tracking: Tracking = .init(),
        sources: [Source] = []
    ) {
        self.dataDirectory = dataDirectory
        self.rtsp = rtsp
        self.api = api
        self.tracking = tracking
        self.sources = sources
    }

    /// Anonymous access is safe only when nobody off this machine can connect.
    public var allListenersOnLoopback: Bool {
        ListenAddress.isLoopback(rtsp.host) && ListenAddress.isLoopback(api.host)
            && [tracking.osmand, tracking.nmea].allSatisfy { $0.map { ListenAddress.isLoopback($0.host) } ?? true }
    }

    /// Refuses what cannot work or is unsafe, before anything starts.
    public func validate() throws(GatewayConfigurationError) {
        var seen: Set<ChannelPath> = []
        for source in sources where !seen.insert(source.path).inserted {
            throw GatewayConfigurationError("channel '\(source.path)' has two sources; give each path one URL")
        }
        for source in sources {
            if let problem = FFmpegCapabilities.problem(opening: source.url) {
                throw GatewayConfigurationError("channel '\(source.path)': \(problem)")
            }
        }
        var names: Set<String> = []
        for user in rtsp.users {
            guard !user.name.isEmpty, !user.name.contains(":"), !user.password.isEmpty else {
                throw GatewayConfigurationError("rtsp.users: every user needs a name without ':' and a non-empty password")
            }
            guard names.insert(user.name).inserted else {
                throw GatewayConfigurationError("rtsp.users: '\(user.name)' is configured twice")
            }
        }
        if let token = api.adminToken, token.count < 16 {
            throw GatewayConfigurationError("the admin token is too short: use at least 16 random characters (e.g. openssl rand -hex 24)")
        }
        guard ListenAddress.isLoopback(api.host) || api.adminToken != nil else {
            throw GatewayConfigurationError(
                "refusing to serve the API on \(api.host) without an admin token: set --admin-token or MUSTER_ADMIN_TOKEN, or listen on 127.0.0.1"
            )
        }
        for (unit, address) in tracking.nmeaUnits.map({ ($1, $0) }) {
            do throws(DirectoryError) {
                try FieldUnit.validate(id: unit)
            } catch {
                throw GatewayConfigurationError("tracking.nmea_units: '\(address)' maps to an invalid unit id: \(error)")
            }
        }
        guard ingest.retryDelay > .zero, ingest.maximumRetryDelay >= ingest.retryDelay, ingest.stallTimeout > .zero, ingest.openTimeout > .zero,
              ingest.onDemandStartTimeout > .zero, ingest.onDemandIdleTimeout >= .zero else {
            throw GatewayConfigurationError("ingest: delays and timeouts must be positive, and maximum_retry_delay_seconds at least retry_delay_seconds")
        }
        guard tracking.tracker.onlineTimeout > 0, tracking.tracker.retention > 0 else {
            throw GatewayConfigurationError("tracking: online_timeout_seconds and retention_days must be positive")
        }
        guard ListenAddress.isLoopback(rtsp.host) || !rtsp.users.isEmpty else {
            throw GatewayConfigurationError(
                "refusing to listen on \(rtsp.host): anonymous access is allowed only on loopback; add rtsp.users to the config file or listen on 127.0.0.1"
            )
        }
    }
}

public struct GatewayConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
