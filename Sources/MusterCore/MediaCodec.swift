/// What kind of elementary stream a track carries.
public enum MediaKind: String, Sendable, Hashable, CaseIterable {
    case video
    case audio
    /// Timed metadata, such as MISB KLV drone telemetry (RFC 6597).
    case data
}

/// The codecs Muster carries end to end without decoding.
public enum MediaCodec: String, Sendable, Hashable, CaseIterable {
    case h264
    case h265
    case aac
    case opus
    /// G.711 µ-law.
    case pcmu
    /// G.711 A-law.
    case pcma
    /// SMPTE 336M KLV metadata.
    case klv

    public var kind: MediaKind {
        switch self {
        case .h264, .h265: .video
        case .aac, .opus, .pcmu, .pcma: .audio
        case .klv: .data
        }
    }

    /// The RTP clock rate RFCs fix for the codec; nil where it follows the sample rate (AAC).
    public var fixedClockRate: Int? {
        switch self {
        case .h264, .h265, .klv: 90_000
        case .opus: 48_000
        case .pcmu, .pcma: 8_000
        case .aac: nil
        }
    }
}
