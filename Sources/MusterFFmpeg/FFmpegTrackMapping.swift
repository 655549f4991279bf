import CFFmpeg
import Logging
import MusterCore
import NIOCore

extension FFmpegFormatInput {
    /// How many packets mapping may read ahead to find configuration missing from the headers.
    static let readAheadLimit = 500

    /// Maps every stream Muster can relay without decoding to a `MediaTrack` (IDs in stream
    /// order from 0) and returns a converter for this input's packets. Other streams are logged
    /// with the reason and skipped.
    ///
    /// MPEG-TS and raw streams carry AAC configuration only in the ADTS header of each frame, and
    /// sometimes H.264/H.265 parameter sets only in band; for those this reads ahead to the first
    /// packet of the stream, which `read(into:)` still returns afterwards.
    /// - Throws: `FFmpegError` when no stream can be relayed, or reading ahead fails.
    public func makeConverter(logger: Logger) throws(FFmpegError) -> FFmpegPacketConverter {
        var tracks: [MediaTrack] = []
        var states: [Int: FFmpegPacketConverter.TrackState] = [:]
        var skipped: [String] = []
        for index in 0..<streamCount {
            guard let parameters = codecParameters(ofStream: index) else { continue }
            let id = tracks.count
            let timeBase = timeBase(ofStream: index)
            switch try mapStream(index, parameters, id: id) {
            case .success(let (track, lengthSize)):
                tracks.append(track)
                states[index] = .init(track: track, timeBase: timeBase, nalLengthSize: lengthSize)
            case .failure(let reason):
                skipped.append("stream \(index) (\(parameters.codecName)): \(reason.text)")
                logger.info("skipping a stream Muster cannot relay as is", metadata: [
                    "url": "\(displayURL)", "stream": "\(index)", "codec": "\(parameters.codecName)", "reason": "\(reason.text)",
                ])
            }
        }
        guard !tracks.isEmpty else {
            throw FFmpegError(
                code: muster_averror_stream_not_found(),
                operation: "mapping the streams of \(displayURL)",
                message: "no stream Muster can relay (H.264, H.265, AAC, Opus, G.711, KLV); " +
                    (skipped.isEmpty ? "the input has no streams" : skipped.joined(separator: "; "))
            )
        }
        return FFmpegPacketConverter(tracks: tracks, streams: states)
    }

    private struct SkipReason: Error { var text: String }

    private func mapStream(
        _ index: Int, _ parameters: FFmpegCodecParameters, id: Int
    ) throws(FFmpegError) -> Result<(MediaTrack, Int?), SkipReason> {
        let channels = parameters.channels > 0 ? parameters.channels : nil
        switch parameters.codecID {
        case AV_CODEC_ID_H264, AV_CODEC_ID_HEVC:
            let isH264 = parameters.codecID == AV_CODEC_ID_H264
            let parsed = isH264 ? NALUnitConfiguration.h264(extradata: parameters.extradata)
                : NALUnitConfiguration.h265(extradata: parameters.extradata)
            guard var configuration = parsed else {
                return .failure(SkipReason(text: "its decoder configuration record is malformed"))
            }
            if configuration.parameterSets.isEmpty {
                configuration.parameterSets = try inBandParameterSets(index, isH264: isH264, lengthSize: configuration.lengthSize)
            }
            guard parameters.width > 0, parameters.height > 0 else {
                return .failure(SkipReason(text: "FFmpeg could not find its picture size"))
            }
            let track = MediaTrack(id: id, codec: isH264 ? .h264 : .h265, clockRate: 90_000,
                                   parameterSets: configuration.parameterSets,
                                   width: parameters.width, height: parameters.height)
            return .success((track, configuration.lengthSize))
        case AV_CODEC_ID_AAC:
            guard parameters.sampleRate > 0 else { return .failure(SkipReason(text: "its sample rate is unknown")) }
            var config: ByteBuffer? = parameters.extradata.isEmpty ? nil : ByteBuffer(bytes: parameters.extradata)
            if config == nil, let packet = try peek(limit: Self.readAheadLimit, until: { $0.streamIndex == index }) {
                config = packet.withUnsafeBytes { ADTSHeader($0)?.audioSpecificConfig }
            }
            guard let config else {
                return .failure(SkipReason(text: "it has neither an AudioSpecificConfig nor ADTS headers"))
            }
            let track = MediaTrack(id: id, codec: .aac, clockRate: parameters.sampleRate, channels: channels,
                                   audioSpecificConfig: config)
            return .success((track, nil))
        case AV_CODEC_ID_OPUS:
            return .success((MediaTrack(id: id, codec: .opus, clockRate: 48_000, channels: channels), nil))
        case AV_CODEC_ID_PCM_MULAW, AV_CODEC_ID_PCM_ALAW:
            // RTP's PCMU/PCMA payload formats are defined for 8 kHz only.
            guard parameters.sampleRate == 8_000 else {
                return .failure(SkipReason(text: "G.711 at \(parameters.sampleRate) Hz; RTP carries it at 8000 Hz only"))
            }
            let codec: MediaCodec = parameters.codecID == AV_CODEC_ID_PCM_MULAW ? .pcmu : .pcma
            return .success((MediaTrack(id: id, codec: codec, clockRate: 8_000, channels: channels), nil))
        case AV_CODEC_ID_SMPTE_KLV:
            return .success((MediaTrack(id: id, codec: .klv, clockRate: 90_000), nil))
        default:
            return .failure(SkipReason(text: "Muster relays H.264, H.265, AAC, Opus, G.711 and KLV without transcoding"))
        }
    }

    /// Parameter sets from the stream's first keyframe, for inputs whose headers have none.
    private func inBandParameterSets(_ index: Int, isH264: Bool, lengthSize: Int?) throws(FFmpegError) -> [ByteBuffer] {
        guard let packet = try peek(limit: Self.readAheadLimit, until: { $0.streamIndex == index && $0.isKeyframe }) else {
            return []
        }
        let units = packet.withUnsafeBytes { NALUnitPayload.units(in: $0, lengthSize: lengthSize) } ?? []
        return units.filter { unit in
            guard let header = unit.getInteger(at: unit.readerIndex, as: UInt8.self) else { return false }
            return isH264 ? [7, 8].contains(H264NALUnit.type(ofHeader: header))
                : (32...34).contains(H265NALUnit.type(ofHeader: header))
        }
    }
}
