import MusterCore
import NIOCore

/// The per-codec halves of `SDPMedia.mediaTrack(id:)`.
extension SDPMedia {
    /// The track `map` describes, or nil when Muster does not carry its encoding.
    func readTrack(map: SDPRTPMap, parameters: SDPFormatParameters, id: Int) throws(SDPError) -> MediaTrack? {
        // Encoding names are case-insensitive (RFC 8866 §6.6); cameras write `h264`, `mpeg4-generic`.
        switch map.encodingName.lowercased() {
        case "h264":
            let sets = try Self.decodeParameterSets(parameters, key: "sprop-parameter-sets")
            return videoTrack(.h264, map: map, parameterSets: sets, id: id)
        case "h265":
            var sets: [ByteBuffer] = []
            for key in ["sprop-vps", "sprop-sps", "sprop-pps"] {
                sets += try Self.decodeParameterSets(parameters, key: key)
            }
            return videoTrack(.h265, map: map, parameterSets: sets, id: id)
        case "mpeg4-generic":
            return try Self.readMPEG4Generic(map: map, parameters: parameters, id: id)
        case "mp4a-latm":
            return try Self.readLATM(map: map, parameters: parameters, id: id)
        case "opus":
            // RFC 7587 §7 fixes the rtpmap at /2; sprop-stereo says what the sender really sends.
            let channels = switch parameters["sprop-stereo"] {
            case "0": 1
            case "1": 2
            default: map.channels ?? 2
            }
            return MediaTrack(id: id, codec: .opus, clockRate: map.clockRate, channels: channels)
        case "pcmu", "pcma":
            // RFC 8866 §6.6: an audio rtpmap without encoding parameters means one channel.
            let codec: MediaCodec = map.encodingName.lowercased() == "pcmu" ? .pcmu : .pcma
            return MediaTrack(id: id, codec: codec, clockRate: map.clockRate, channels: map.channels ?? 1)
        case "smpte336m":
            return MediaTrack(id: id, codec: .klv, clockRate: map.clockRate)
        default:
            return nil
        }
    }

    private func videoTrack(_ codec: MediaCodec, map: SDPRTPMap, parameterSets: [ByteBuffer], id: Int) -> MediaTrack {
        let size = frameSize(payloadType: map.payloadType)
        return MediaTrack(id: id, codec: codec, clockRate: map.clockRate, parameterSets: parameterSets,
                          width: size?.width, height: size?.height)
    }

    /// Dimensions from `a=framesize:<pt> <w>-<h>` (3GPP TS 26.234) or the `a=x-dimensions:<w>,<h>`
    /// many IP cameras write. Implausible values are ignored: the SPS remains the authority.
    private func frameSize(payloadType: UInt8) -> (width: Int, height: Int)? {
        func dimensions(_ text: Substring, separator: Character) -> (width: Int, height: Int)? {
            let parts = text.trimmingSDPSpace.split(separator: separator)
            guard parts.count == 2, let width = Int(parts[0].trimmingSDPSpace), let height = Int(parts[1].trimmingSDPSpace),
                  (1...16384).contains(width), (1...16384).contains(height) else { return nil }
            return (width, height)
        }
        for attribute in attributes {
            guard let value = attribute.value?[...] else { continue }
            if attribute.name.caseInsensitiveEquals("framesize") {
                let fields = value.split(whereSeparator: \.isSDPSpace)
                if fields.count == 2, fields[0] == String(payloadType) {
                    return dimensions(fields[1], separator: "-")
                }
            } else if attribute.name.caseInsensitiveEquals("x-dimensions") {
                return dimensions(value, separator: ",")
            }
        }
        return nil
    }

    /// Comma-separated base64 NAL units (RFC 6184 §8.1, RFC 7798 §7.1); empty when absent.
    private static func decodeParameterSets(_ parameters: SDPFormatParameters, key: String) throws(SDPError) -> [ByteBuffer] {
        guard let value = parameters[key] else { return [] }
        var sets: [ByteBuffer] = []
        for item in value.split(separator: ",") {
            let text = item.trimmingSDPSpace
            guard !text.isEmpty else { continue }
            guard let bytes = SDPBinaryText.base64Decode(text), !bytes.isEmpty else {
                throw SDPError(.invalidCodecParameters, "\(key) entry '\(text.prefix(40))' is not valid base64")
            }
            sets.append(ByteBuffer(bytes: bytes))
        }
        return sets
    }

    /// AAC in RFC 3640 `MPEG4-GENERIC`; only the AAC modes, since `generic` and the CELP
    /// modes carry streams Muster cannot hand on as AAC.
    private static func readMPEG4Generic(map: SDPRTPMap, parameters: SDPFormatParameters, id: Int) throws(SDPError) -> MediaTrack {
        if let streamType = parameters["streamtype"], streamType != "5" {
            throw SDPError(.unsupportedCodec, "MPEG4-GENERIC with streamtype=\(streamType) is not audio")
        }
        if let mode = parameters["mode"], !mode.caseInsensitiveEquals("AAC-hbr"), !mode.caseInsensitiveEquals("AAC-lbr") {
            throw SDPError(.unsupportedCodec, "MPEG4-GENERIC mode=\(mode) is not supported; use AAC-hbr")
        }
        let bytes = try configBytes(parameters, encoding: "MPEG4-GENERIC")
        let config = try AudioSpecificConfig(bytes: bytes)
        return MediaTrack(id: id, codec: .aac, clockRate: map.clockRate, channels: map.channels ?? config.channels,
                          audioSpecificConfig: ByteBuffer(bytes: bytes))
    }

    /// AAC in RFC 6416 `MP4A-LATM`. The config must be out of band (`cpresent=0`, §7.1): with
    /// the StreamMuxConfig in the stream a reader would have to wait for it to learn the codec,
    /// which ANNOUNCE cannot do, and every AudioMuxElement would be bit- rather than byte-aligned.
    /// §7.1 makes `cpresent=1` the default, so a section without it is refused too.
    private static func readLATM(map: SDPRTPMap, parameters: SDPFormatParameters, id: Int) throws(SDPError) -> MediaTrack {
        guard parameters["cpresent"] == "0" else {
            let value = parameters["cpresent"].map { "cpresent=\($0)" } ?? "no cpresent (default 1)"
            throw SDPError(.unsupportedCodec, "MP4A-LATM with the configuration inside the stream (\(value)) is not supported; send cpresent=0 with config=, or MPEG4-GENERIC")
        }
        let muxConfig = try configBytes(parameters, encoding: "MP4A-LATM")
        let (config, bytes) = try extractAudioSpecificConfig(fromStreamMuxConfig: muxConfig)
        return MediaTrack(id: id, codec: .aac, clockRate: map.clockRate, channels: map.channels ?? config.channels,
                          audioSpecificConfig: ByteBuffer(bytes: bytes))
    }

    private static func configBytes(_ parameters: SDPFormatParameters, encoding: String) throws(SDPError) -> [UInt8] {
        guard let text = parameters["config"], !text.isEmpty else {
            throw SDPError(.invalidCodecParameters, "\(encoding) needs an a=fmtp config= parameter")
        }
        guard let bytes = SDPBinaryText.hexDecode(text) else {
            throw SDPError(.invalidCodecParameters, "\(encoding) config '\(text.prefix(40))' is not hex")
        }
        return bytes
    }
}
