import NIOCore

/// One decodable unit of a track: a video picture, an audio frame or a KLV packet.
///
/// Video payloads (H.264, H.265) hold the picture's NAL units, each prefixed by its length as a
/// 4-byte big-endian integer, so that splitting them never needs a start-code scan. Audio payloads
/// are raw frames (AAC without ADTS). KLV payloads are whole KLV packets.
public struct AccessUnit: Sendable {
    public var trackID: Int
    /// Presentation time in the track's clock units.
    public var pts: Int64
    /// Decoding time in the track's clock units; equals `pts` for streams without reordering.
    public var dts: Int64
    /// True for pictures a decoder can start from (IDR, IRAP); true for every audio and data unit.
    public var isKeyframe: Bool
    public var payload: ByteBuffer

    public init(trackID: Int, pts: Int64, dts: Int64? = nil, isKeyframe: Bool, payload: ByteBuffer) {
        self.trackID = trackID
        self.pts = pts
        self.dts = dts ?? pts
        self.isKeyframe = isKeyframe
        self.payload = payload
    }
}
