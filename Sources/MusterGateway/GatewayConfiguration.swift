import MusterCore
import MusterRTSP

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

    public var dataDirectory: String
    public var rtsp: RTSPServerConfiguration
    public var sources: [Source]

    public init(dataDirectory: String = "data", rtsp: RTSPServerConfiguration = .init(), sources: [Source] = []) {
        self.dataDirectory = dataDirectory
        self.rtsp = rtsp
        self.sources = sources
    }

    /// Refuses what cannot work or is unsafe, before anything starts.
    public func validate() throws(GatewayConfigurationError) {
        var seen: Set<ChannelPath> = []
        for source in sources where !seen.insert(source.path).inserted {
            throw GatewayConfigurationError("channel '\(source.path)' has two sources; give each path one URL")
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
