/// SRTP protection profiles (RFC 3711 §8.2 defaults; names as in RFC 5764 §4.1.2).
public enum SRTPProfile: String, Sendable, Hashable, CaseIterable {
    /// AES-128 counter mode, HMAC-SHA1 tag of 80 bits: the RFC 3711 default.
    case aesCM128HMACSHA1_80
    /// As above with a 32-bit RTP tag; RTCP keeps the 80-bit tag, as RFC 3711 §7.5 recommends.
    case aesCM128HMACSHA1_32

    /// Bytes of master key (16) plus master salt (14) the profile needs.
    public var masterKeyAndSaltLength: Int { 30 }
}

/// Which way a session's packets flow; libsrtp keys contexts by SSRC and direction.
public enum SRTPDirection: Sendable, Hashable {
    /// Packets this process sends: `protect` and `protectRTCP`.
    case outbound
    /// Packets this process receives: `unprotect` and `unprotectRTCP`.
    case inbound
}
