import CFFmpeg

/// An owned `AVPacket`. One packet is reused for every read: `FFmpegFormatInput.read(into:)`
/// releases the previous payload before filling it again.
///
/// Not Sendable: the packet belongs to the thread that reads its input.
public final class FFmpegPacket {
    /// Only `FFmpegFormatInput` passes this to FFmpeg; everyone else uses the properties.
    let pointer: UnsafeMutablePointer<AVPacket>

    public init() {
        guard let packet = av_packet_alloc() else {
            fatalError("av_packet_alloc failed: out of memory")
        }
        pointer = packet
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&packet)
    }

    /// Index of the stream in the input (not the track ID).
    public var streamIndex: Int { Int(pointer.pointee.stream_index) }
    /// Presentation time in the stream's time base; nil when the container has none.
    public var pts: Int64? { Self.timestamp(pointer.pointee.pts) }
    /// Decoding time in the stream's time base; nil when the container has none.
    public var dts: Int64? { Self.timestamp(pointer.pointee.dts) }
    /// Duration in the stream's time base; 0 when unknown.
    public var duration: Int64 { pointer.pointee.duration }
    public var isKeyframe: Bool { pointer.pointee.flags & AV_PKT_FLAG_KEY != 0 }
    public var size: Int { Int(pointer.pointee.size) }

    /// The payload bytes, valid only inside `body`.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        guard let data = pointer.pointee.data, pointer.pointee.size > 0 else {
            return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        return try body(UnsafeRawBufferPointer(start: data, count: Int(pointer.pointee.size)))
    }

    /// Releases the payload; the packet can then be filled again.
    public func unref() { av_packet_unref(pointer) }

    private static let noTimestamp = muster_av_nopts_value()

    private static func timestamp(_ value: Int64) -> Int64? { value == noTimestamp ? nil : value }
}

/// An owned copy of a stream's `AVCodecParameters`, readable after its input is gone.
public final class FFmpegCodecParameters {
    private let pointer: UnsafeMutablePointer<AVCodecParameters>

    /// Copies `source`; nil only when out of memory.
    init?(copying source: UnsafePointer<AVCodecParameters>) {
        guard let copy = avcodec_parameters_alloc() else { return nil }
        guard avcodec_parameters_copy(copy, source) >= 0 else {
            var doomed: UnsafeMutablePointer<AVCodecParameters>? = copy
            avcodec_parameters_free(&doomed)
            return nil
        }
        pointer = copy
    }

    deinit {
        var parameters: UnsafeMutablePointer<AVCodecParameters>? = pointer
        avcodec_parameters_free(&parameters)
    }

    var codecID: AVCodecID { pointer.pointee.codec_id }
    var mediaType: AVMediaType { pointer.pointee.codec_type }

    /// FFmpeg's short codec name ("h264", "aac", "mp3"), for logs.
    public var codecName: String { String(cString: avcodec_get_name(pointer.pointee.codec_id)) }
    public var width: Int { Int(pointer.pointee.width) }
    public var height: Int { Int(pointer.pointee.height) }
    public var sampleRate: Int { Int(pointer.pointee.sample_rate) }
    /// Channel count from the 5.1 `ch_layout` (the older `channels` field is deprecated).
    public var channels: Int { Int(pointer.pointee.ch_layout.nb_channels) }
    /// Codec-specific profile (`FF_PROFILE_*`), or a negative value when unknown.
    public var profile: Int { Int(pointer.pointee.profile) }

    /// The codec's out-of-band configuration: avcC, hvcC, AudioSpecificConfig or Annex-B headers.
    public var extradata: [UInt8] {
        guard let data = pointer.pointee.extradata, pointer.pointee.extradata_size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: Int(pointer.pointee.extradata_size)))
    }
}
