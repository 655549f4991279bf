import NIOCore

/// One elementary stream of a channel, described well enough to packetize it and to write its SDP.
public struct MediaTrack: Sendable, Hashable {
    /// Position of the track in its stream, from 0.
    public var id: Int
    public var codec: MediaCodec
    /// Units per second of every timestamp of this track (90 000 for video, the sample rate for audio).
    public var clockRate: Int
    /// Audio channel count.
    public var channels: Int?
    /// H.264: SPS then PPS; H.265: VPS, SPS, PPS. Raw NAL units without start codes or lengths.
    public var parameterSets: [ByteBuffer]
    /// AAC AudioSpecificConfig (ISO 14496-3 §1.6.2.1).
    public var audioSpecificConfig: ByteBuffer?
    public var width: Int?
    public var height: Int?

    public init(
        id: Int,
        codec: MediaCodec,
        clockRate: Int,
        channels: Int? = nil,
        parameterSets: [ByteBuffer] = [],
        audioSpecificConfig: ByteBuffer? = nil,
        width: Int? = nil,
        height: Int? = nil
    ) {
        self.id = id
        self.codec = codec
        self.clockRate = clockRate
        self.channels = channels
        self.parameterSets = parameterSets
        self.audioSpecificConfig = audioSpecificConfig
        self.width = width
        self.height = height
    }

    public var kind: MediaKind { codec.kind }
}
