/// How long Digest nonces live; `standard` is the server's default.
public struct RTSPAuthenticationPolicy: Sendable, Hashable {
    /// How long a Digest nonce stays valid. RFC 2617 §3.2.1 leaves the lifetime to the server;
    /// five minutes is what HTTP servers commonly use (Apache's AuthDigestNonceLifetime) and is
    /// long enough that a player's requests (ffmpeg's keep-alive comes every 30 s) seldom meet an
    /// expiry, and clients retry those silently on `stale=true`.
    public var nonceLifetime: Duration

    public init(nonceLifetime: Duration = .seconds(300)) {
        self.nonceLifetime = nonceLifetime
    }

    /// Nonces live 5 minutes.
    public static let standard = RTSPAuthenticationPolicy()
}
