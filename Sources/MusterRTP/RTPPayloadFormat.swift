/// How a received track's units are laid out in its RTP payloads, where the codec has more than
/// one payload format. A sender names the format by the encoding of its `a=rtpmap` (the media
/// subtype, RFC 4855 §3); Muster itself always sends the `standard` one.
public enum RTPPayloadFormat: Sendable, Hashable {
    /// The format `RTPPacketizer` writes: for AAC, RFC 3640 `MPEG4-GENERIC` in AAC-hbr mode; for
    /// every other codec, its only format.
    case standard
    /// AAC as RFC 6416 `MP4A-LATM` (§6.1), the StreamMuxConfig given out of band (`cpresent=0`).
    case mp4aLATM

    /// The format an `a=rtpmap` encoding name selects; names are case-insensitive (RFC 8866 §6.6).
    public init(encodingName: String) {
        self = encodingName.uppercased() == "MP4A-LATM" ? .mp4aLATM : .standard
    }
}
