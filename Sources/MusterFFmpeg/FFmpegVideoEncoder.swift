import CFFmpeg
import MusterCore
import NIOCore

/// Encodes YUV 4:2:0 pictures into H.264 (libx264) or H.265 (libx265) access units, following
/// a profile's video recipe.
///
/// Parameter sets travel in-band before every keyframe (the encoders' repeat-headers mode), so
/// each group of pictures is decodable on its own: a late joiner, a reconnecting player and
/// the hub's parameter-set tracking all see them without any out-of-band exchange.
///
/// Timestamps are in the 90 kHz video clock, in and out.
///
/// Not Sendable: it belongs to the thread of its transcoder or compositor.
public final class FFmpegVideoEncoder {
    public let recipe: TranscodeProfile.VideoRecipe
    public let width: Int
    public let height: Int
    private let context: UnsafeMutablePointer<AVCodecContext>
    private let packet: UnsafeMutablePointer<AVPacket>
    private var lastPTS: Int64?
    private var forceKeyframe = false

    public static let clockRate = 90_000

    /// - Parameter sourceFramesPerSecond: the rate pictures come at, used for the keyframe
    ///   interval when the recipe does not fix a rate.
    public init(recipe: TranscodeProfile.VideoRecipe, width: Int, height: Int, sourceFramesPerSecond: Double) throws(FFmpegError) {
        self.recipe = recipe
        self.width = width
        self.height = height
        let name = recipe.codec == .h264 ? "libx264" : "libx265"
        guard let codec = avcodec_find_encoder_by_name(name) else {
            throw FFmpegError(code: muster_averror(ENOSYS), operation: "opening the \(name) encoder",
                              message: "this FFmpeg build has no \(name) encoder; install Debian's libavcodec with it or use another profile")
        }
        guard let context = avcodec_alloc_context3(codec), let packet = av_packet_alloc() else {
            fatalError("avcodec_alloc_context3 failed: out of memory")
        }
        self.context = context
        self.packet = packet
        let rate = Double(recipe.framesPerSecond ?? Int(sourceFramesPerSecond.rounded()))
        context.pointee.width = Int32(width)
        context.pointee.height = Int32(height)
        context.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        context.pointee.time_base = AVRational(num: 1, den: Int32(Self.clockRate))
        context.pointee.framerate = AVRational(num: Int32(max(1, rate)), den: 1)
        context.pointee.bit_rate = Int64(recipe.bitrate)
        if let maximum = recipe.maximumBitrate { context.pointee.rc_max_rate = Int64(maximum) }
        // x264 ignores a rate ceiling without a buffer to measure it over: one second's worth then.
        if let buffer = recipe.bufferSize ?? recipe.maximumBitrate { context.pointee.rc_buffer_size = Int32(buffer) }
        context.pointee.gop_size = Int32(max(1, (recipe.keyframeIntervalSeconds * max(1, rate)).rounded()))
        context.pointee.max_b_frames = recipe.tune == "zerolatency" ? 0 : context.pointee.max_b_frames
        av_opt_set(context.pointee.priv_data, "preset", recipe.preset, 0)
        if let tune = recipe.tune { av_opt_set(context.pointee.priv_data, "tune", tune, 0) }
        if recipe.codec == .h265 {
            // x265 logs every frame's statistics at its default level.
            av_opt_set(context.pointee.priv_data, "x265-params", "log-level=error:repeat-headers=1", 0)
        }
        let status = avcodec_open2(context, codec, nil)
        guard status >= 0 else {
            freeCodecContext(context, packet: packet)
            throw FFmpegError(code: status, operation: "opening the \(name) encoder for \(width)x\(height)")
        }
    }

    deinit { freeCodecContext(context, packet: packet) }

    public var codec: MediaCodec { recipe.codec == .h264 ? .h264 : .h265 }

    /// Makes the next picture a keyframe (a new player, a restarted source).
    public func requestKeyframe() { forceKeyframe = true }

    /// Encodes `frame` (its `pts` in the 90 kHz clock; a picture not later than the previous
    /// one is skipped) and returns the access units that became ready, on track `trackID`.
    public func encode(_ frame: FFmpegFrame, trackID: Int) throws(FFmpegError) -> [AccessUnit] {
        guard let pts = frame.pts, lastPTS.map({ pts > $0 }) ?? true else { return [] }
        lastPTS = pts
        if forceKeyframe {
            frame.pointer.pointee.pict_type = AV_PICTURE_TYPE_I
            forceKeyframe = false
        } else {
            frame.pointer.pointee.pict_type = AV_PICTURE_TYPE_NONE
        }
        let status = avcodec_send_frame(context, frame.pointer)
        guard status >= 0 else { throw FFmpegError(code: status, operation: "encoding a picture") }
        return receive(trackID: trackID)
    }

    /// The access units still inside the encoder (its lookahead), at the end of a stream.
    public func drain(trackID: Int) -> [AccessUnit] {
        avcodec_send_frame(context, nil)
        return receive(trackID: trackID)
    }

    private func receive(trackID: Int) -> [AccessUnit] {
        var units: [AccessUnit] = []
        while avcodec_receive_packet(context, packet) >= 0 {
            defer { av_packet_unref(packet) }
            guard let data = packet.pointee.data, packet.pointee.size > 0 else { continue }
            let nalUnits = LengthPrefixedNALUnits.splitAnnexB(ByteBuffer(bytes: UnsafeRawBufferPointer(start: data, count: Int(packet.pointee.size))))
            guard !nalUnits.isEmpty else { continue }
            let pts = packet.pointee.pts
            let dts = packet.pointee.dts == muster_av_nopts_value() ? pts : packet.pointee.dts
            units.append(AccessUnit(
                trackID: trackID, pts: pts, dts: dts, isKeyframe: packet.pointee.flags & AV_PKT_FLAG_KEY != 0,
                payload: LengthPrefixedNALUnits.join(nalUnits)
            ))
        }
        return units
    }
}
