import NIOCore

/// One unit recovered from RTP packets, in the `AccessUnit` payload layout of the track's codec
/// (length-prefixed NAL units for video, raw frames for audio, whole KLV packets for data).
public struct RTPDepacketizedUnit: Sendable {
    /// The RTP timestamp of the unit (RFC 3550 §5.1); unwrap it with `RTPTimestampUnwrapper`.
    public var rtpTimestamp: UInt32
    public var payload: ByteBuffer
    /// True for IDR (H.264) and IRAP (H.265) pictures, and for every audio and data unit.
    public var isKeyframe: Bool

    public init(rtpTimestamp: UInt32, payload: ByteBuffer, isKeyframe: Bool) {
        self.rtpTimestamp = rtpTimestamp
        self.payload = payload
        self.isKeyframe = isKeyframe
    }
}
