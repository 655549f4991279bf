import MusterCore
import NIOCore

extension SDPMedia {
    /// The media section Muster writes for `track` in a DESCRIBE answer: port 0 and `RTP/AVP`
    /// as RTSP expects (RFC 7826 Appendix C.1), the `a=rtpmap` and `a=fmtp` of the codec's
    /// RTP payload format, and `a=control`.
    ///
    /// - H.264 (RFC 6184 §8.1): `packetization-mode=1`, `profile-level-id` from the SPS,
    ///   `sprop-parameter-sets`.
    /// - H.265 (RFC 7798 §7.1): `sprop-vps`, `sprop-sps`, `sprop-pps`, sorted by NAL unit type.
    /// - AAC (RFC 3640 §3.3.6): `MPEG4-GENERIC` in AAC-hbr mode with the AudioSpecificConfig.
    /// - Opus (RFC 7587 §7): always `opus/48000/2`; `sprop-stereo` carries the channel count.
    /// - G.711 (RFC 3551 §4.5.14) and KLV (RFC 6597 §6, `m=application`).
    ///
    /// Video dimensions, when known, go into `a=framesize` (3GPP TS 26.234), which many
    /// players read and the rest ignore.
    public init(track: MediaTrack, payloadType: UInt8, control: String) {
        let type = switch track.kind {
        case .video: "video"
        case .audio: "audio"
        case .data: "application"
        }
        var map = SDPRTPMap(payloadType: payloadType, encodingName: "", clockRate: track.clockRate)
        var parameters = SDPFormatParameters()
        switch track.codec {
        case .h264:
            map.encodingName = "H264"
            parameters["packetization-mode"] = "1"
            let sps = track.parameterSets.first { $0.nalHeader.map(H264NALUnit.type(ofHeader:)) == H264NALUnit.sps }
            if let profile = sps?.readableBytesView.dropFirst().prefix(3), profile.count == 3 {
                parameters["profile-level-id"] = SDPBinaryText.hexEncode(profile)
            }
            if !track.parameterSets.isEmpty {
                parameters["sprop-parameter-sets"] = track.parameterSets.map(\.base64).joined(separator: ",")
            }
        case .h265:
            map.encodingName = "H265"
            for (key, nalType) in [("sprop-vps", H265NALUnit.vps), ("sprop-sps", H265NALUnit.sps), ("sprop-pps", H265NALUnit.pps)] {
                let sets = track.parameterSets.filter { $0.nalHeader.map(H265NALUnit.type(ofHeader:)) == nalType }
                if !sets.isEmpty { parameters[key] = sets.map(\.base64).joined(separator: ",") }
            }
        case .aac:
            map.encodingName = "MPEG4-GENERIC"
            let config = track.audioSpecificConfig.map { Array($0.readableBytesView) }
            map.channels = track.channels ?? config.flatMap { try? AudioSpecificConfig(bytes: $0).channels } ?? 1
            parameters = [
                "streamtype": "5", "profile-level-id": "1", "mode": "AAC-hbr",
                "sizelength": "13", "indexlength": "3", "indexdeltalength": "3",
            ]
            if let config { parameters["config"] = SDPBinaryText.hexEncode(config) }
        case .opus:
            map.encodingName = "opus"
            map.channels = 2
            if let channels = track.channels { parameters["sprop-stereo"] = channels >= 2 ? "1" : "0" }
        case .pcmu, .pcma:
            map.encodingName = track.codec == .pcmu ? "PCMU" : "PCMA"
            map.channels = track.channels ?? 1
        case .klv:
            map.encodingName = "smpte336m"
        }
        var attributes = [SDPAttribute(name: "rtpmap", value: map.attributeValue)]
        if !parameters.isEmpty {
            attributes.append(SDPAttribute(name: "fmtp", value: "\(payloadType) \(parameters.serialized())"))
        }
        if track.kind == .video, let width = track.width, let height = track.height {
            attributes.append(SDPAttribute(name: "framesize", value: "\(payloadType) \(width)-\(height)"))
        }
        attributes.append(SDPAttribute(name: "control", value: control))
        self.init(type: type, formats: [String(payloadType)], attributes: attributes)
    }

    /// Describes the section a publisher announced as a track, with the payload type its RTP
    /// packets will carry: the first listed format whose encoding Muster supports.
    ///
    /// Besides the encodings `init(track:payloadType:control:)` writes, this reads
    /// `MP4A-LATM` (RFC 6416 §7.1) as AAC: the AudioSpecificConfig is taken out of the
    /// StreamMuxConfig in `config=`, and only `cpresent=0` with a StreamMuxConfig whose frames
    /// are plain length runs is accepted. The track describes the AAC, not how RTP frames it:
    /// a receiver learns that from the encoding name of the returned payload type
    /// (`rtpMap(for:)`; in MusterRTP, `RTPPayloadFormat(encodingName:)`).
    ///
    /// - Throws: `SDPError` with `.unsupportedCodec` naming the encoding when no format is
    ///   supported (also for the LATM variants above), `.missingRTPMap` for a dynamic payload
    ///   type without `a=rtpmap`, `.invalidCodecParameters` when `a=fmtp` values do not decode.
    public func mediaTrack(id: Int) throws(SDPError) -> (track: MediaTrack, payloadType: UInt8) {
        var firstFailure: SDPError? = nil
        for format in formats {
            guard let payloadType = UInt8(format), payloadType <= 127 else { continue }
            guard let map = rtpMap(for: payloadType) else {
                firstFailure = firstFailure ?? SDPError(.missingRTPMap, "payload type \(payloadType) of the \(type) section has no a=rtpmap")
                continue
            }
            guard let track = try readTrack(map: map, parameters: formatParameters(for: payloadType), id: id) else {
                firstFailure = firstFailure ?? SDPError(.unsupportedCodec, "encoding '\(map.encodingName)' (payload type \(payloadType) of the \(type) section) is not supported")
                continue
            }
            return (track, payloadType)
        }
        throw firstFailure ?? SDPError(.unsupportedCodec, "the \(type) section lists no RTP payload type")
    }
}

extension MediaTrack {
    /// Reads a publisher's media section (ANNOUNCE, RFC 7826 §13.3); see
    /// `SDPMedia.mediaTrack(id:)`, which also returns the payload type.
    public init(sdpMedia: SDPMedia, id: Int) throws(SDPError) {
        self = try sdpMedia.mediaTrack(id: id).track
    }

    /// The payload type Muster gives this track when serving it: the static one for G.711
    /// (RFC 3551 §6), else a dynamic type 96…127 chosen by track id, distinct for any
    /// stream within `SDPSessionDescription.maximumMediaCount`.
    public var rtpPayloadType: UInt8 {
        switch codec {
        case .pcmu: 0
        case .pcma: 8
        default: UInt8(96 + (id % 32 + 32) % 32)
        }
    }
}

extension ByteBuffer {
    fileprivate var nalHeader: UInt8? { readableBytesView.first }
    fileprivate var base64: String { SDPBinaryText.base64Encode(readableBytesView) }
}
