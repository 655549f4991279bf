/// Listener addresses and limits of the RTSP server.
public struct RTSPServerConfiguration: Sendable {
    public var host: String
    /// TCP port for RTSP; 0 picks a free one.
    public var port: Int
    /// First port of the shared RTP/RTCP UDP pair (RTCP on `rtpPort + 1`); 0 picks a free pair.
    public var rtpPort: Int
    /// A session without any request or RTCP for this long is closed (RFC 2326 §12.37: default 60 s).
    public var sessionTimeout: Duration
    /// A connection that completes no request and holds no session for this long is closed.
    public var idleConnectionTimeout: Duration
    /// A TCP consumer whose connection takes nothing for this long is disconnected (it already
    /// skips to keyframes while it lags; this ends one that is gone or hopelessly behind).
    public var stalledConsumerTimeout: Duration
    public var maximumSessionsPerConnection: Int
    /// Sessions all connections from one IP address may hold together.
    public var maximumSessionsPerAddress: Int
    /// Sent in the Server header and in SDP.
    public var serverName: String
    /// Accounts allowed to read and publish. Empty means anonymous access to every path, which
    /// the gateway allows only while every listener is on loopback.
    public var users: [RTSPUser]
    /// Multicast delivery for clients that ask for it; nil refuses multicast SETUPs with 461.
    public var multicast: RTSPMulticastConfiguration?
    /// Digest nonce lifetime and the throttling of failed authentications.
    public var authentication: RTSPAuthenticationPolicy

    public init(
        host: String = "127.0.0.1",
        port: Int = 8554,
        rtpPort: Int = 8000,
        sessionTimeout: Duration = .seconds(60),
        idleConnectionTimeout: Duration = .seconds(60),
        stalledConsumerTimeout: Duration = .seconds(10),
        maximumSessionsPerConnection: Int = 16,
        maximumSessionsPerAddress: Int = 256,
        serverName: String = "Muster",
        users: [RTSPUser] = [],
        multicast: RTSPMulticastConfiguration? = RTSPMulticastConfiguration(),
        authentication: RTSPAuthenticationPolicy = .standard
    ) {
        self.host = host
        self.port = port
        self.rtpPort = rtpPort
        self.sessionTimeout = sessionTimeout
        self.idleConnectionTimeout = idleConnectionTimeout
        self.stalledConsumerTimeout = stalledConsumerTimeout
        self.maximumSessionsPerConnection = maximumSessionsPerConnection
        self.maximumSessionsPerAddress = maximumSessionsPerAddress
        self.serverName = serverName
        self.users = users
        self.multicast = multicast
        self.authentication = authentication
    }
}
