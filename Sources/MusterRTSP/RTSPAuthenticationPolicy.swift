/// How long Digest nonces live and how failed authentications are slowed down; `standard` is
/// the server's default. `RTSPAuthenticator` and `RTSPAuthenticationThrottle` explain the why.
public struct RTSPAuthenticationPolicy: Sendable, Hashable {
    /// How long a Digest nonce stays valid. RFC 2617 §3.2.1 leaves the lifetime to the server;
    /// five minutes is what HTTP servers commonly use (Apache's AuthDigestNonceLifetime) and is
    /// long enough that a player's requests (ffmpeg's keep-alive comes every 30 s) seldom meet an
    /// expiry, and clients retry those silently on `stale=true`.
    public var nonceLifetime: Duration
    /// Failed authentications from one address within `failureWindow` that lock it out. Ten
    /// leaves room for clients that spend a few failures before their first success (VLC with a
    /// login prompt sends up to three requests that fail).
    public var failuresBeforeLockout: Int
    /// The window failures are counted in; it starts at an address's first failure.
    public var failureWindow: Duration
    /// How long a locked-out address is refused.
    public var lockoutDuration: Duration
    /// How long the answer to each failed authentication is held back.
    public var pauseAfterFailure: Duration
    /// Addresses remembered at once (about 100 bytes each).
    public var maximumTrackedAddresses: Int
    /// Log lines about failures and lockouts per `logInterval`, for the whole server; the first
    /// line after a gap reports how many were left out.
    public var logLinesPerInterval: Int
    public var logInterval: Duration

    public init(
        nonceLifetime: Duration = .seconds(300),
        failuresBeforeLockout: Int = 10, failureWindow: Duration = .seconds(60), lockoutDuration: Duration = .seconds(300),
        pauseAfterFailure: Duration = .seconds(1), maximumTrackedAddresses: Int = 4096,
        logLinesPerInterval: Int = 10, logInterval: Duration = .seconds(60)
    ) {
        self.nonceLifetime = nonceLifetime
        self.failuresBeforeLockout = failuresBeforeLockout
        self.failureWindow = failureWindow
        self.lockoutDuration = lockoutDuration
        self.pauseAfterFailure = pauseAfterFailure
        self.maximumTrackedAddresses = maximumTrackedAddresses
        self.logLinesPerInterval = logLinesPerInterval
        self.logInterval = logInterval
    }

    /// Nonces live 5 minutes; 10 failures within a minute lock an address out for 5 minutes;
    /// each failure is answered after 1 s; at most 10 log lines a minute about failures.
    public static let standard = RTSPAuthenticationPolicy()
}
