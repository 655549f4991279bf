import CFFmpeg
import MusterCore
import NIOCore

/// Decodes the access units of one track with libavcodec.
///
/// Video units are handed to the decoder as an Annex-B stream with the track's parameter sets
/// in front of every keyframe, so a decoder opened mid-stream or across a resolution change
/// always has the sets it needs. Timestamps go in and come out in the track's clock.
///
/// Not Sendable: it belongs to the thread of its transcoder or compositor.
public final class FFmpegDecoder {
    public private(set) var track: MediaTrack
    private let context: UnsafeMutablePointer<AVCodecContext>
    private let packet: UnsafeMutablePointer<AVPacket>
    /// Units the decoder refused since it was opened; a bad unit never stops the decoder.
    public private(set) var rejectedUnits = 0

    /// Opens a decoder for `track`.
    /// - Parameter threads: 0 lets FFmpeg choose; video decoders use frame threads.
    public init(track: MediaTrack, threads: Int = 0) throws(FFmpegError) {
        self.track = track
        let codecID = Self.codecID(of: track.codec)
        guard codecID != AV_CODEC_ID_NONE, let codec = avcodec_find_decoder(codecID) else {
            throw FFmpegError(code: muster_averror(ENOSYS), operation: "opening a \(track.codec.rawValue) decoder",
                              message: "this FFmpeg build has no \(track.codec.rawValue) decoder")
        }
        guard let context = avcodec_alloc_context3(codec), let packet = av_packet_alloc() else {
            fatalError("avcodec_alloc_context3 failed: out of memory")
        }
        self.context = context
        self.packet = packet
        context.pointee.pkt_timebase = AVRational(num: 1, den: Int32(track.clockRate))
        context.pointee.time_base = context.pointee.pkt_timebase
        switch track.kind {
        case .video:
            context.pointee.thread_count = Int32(threads)
            context.pointee.thread_type = FF_THREAD_FRAME
        case .audio:
            let channels = Int32(track.channels ?? 1)
            av_channel_layout_default(&context.pointee.ch_layout, channels)
            context.pointee.sample_rate = Int32(track.clockRate)
            if let config = track.audioSpecificConfig, config.readableBytes > 0 {
                Self.setExtradata(Array(config.readableBytesView), on: context)
            }
        case .data:
            break
        }
        let status = avcodec_open2(context, codec, nil)
        guard status >= 0 else {
            freeCodecContext(context, packet: packet)
            throw FFmpegError(code: status, operation: "opening a \(track.codec.rawValue) decoder")
        }
    }

    deinit { freeCodecContext(context, packet: packet) }

    /// Uses `track`'s parameter sets from the next keyframe on.
    public func update(_ track: MediaTrack) {
        self.track = track
    }

    /// Decodes `unit` and calls `body` with every frame that became ready (frame threads and
    /// reordering delay some). A unit the decoder refuses is counted and skipped.
    public func decode(_ unit: AccessUnit, into frame: FFmpegFrame, _ body: (FFmpegFrame) throws -> Void) rethrows {
        let bytes = payload(of: unit)
        let sent = bytes.withUnsafeBytes { bytes -> Int32 in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return 0 }
            guard av_new_packet(packet, Int32(bytes.count)) >= 0 else { return muster_averror(ENOMEM) }
            packet.pointee.data.update(from: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
            packet.pointee.pts = unit.pts
            packet.pointee.dts = unit.dts
            if unit.isKeyframe { packet.pointee.flags |= AV_PKT_FLAG_KEY }
            defer { av_packet_unref(packet) }
            return avcodec_send_packet(context, packet)
        }
        if sent < 0, sent != FFmpegError.tryAgain { rejectedUnits += 1 }
        try receiveFrames(into: frame, body)
    }

    /// Hands out the frames still inside the decoder (at the end of a stream) and makes it
    /// ready for a new one.
    public func drain(into frame: FFmpegFrame, _ body: (FFmpegFrame) throws -> Void) rethrows {
        avcodec_send_packet(context, nil)
        try receiveFrames(into: frame, body)
        avcodec_flush_buffers(context)
    }

    /// Forgets everything buffered (after a source restart the old pictures are of no use).
    public func reset() {
        avcodec_flush_buffers(context)
    }

    private func receiveFrames(into frame: FFmpegFrame, _ body: (FFmpegFrame) throws -> Void) rethrows {
        while true {
            let status = avcodec_receive_frame(context, frame.pointer)
            guard status >= 0 else { return }
            frame.pointer.pointee.pts = frame.pointer.pointee.best_effort_timestamp
            defer { frame.unref() }
            try body(frame)
        }
    }

    /// The bytes the decoder is given: Annex-B for video, the unit as it is otherwise.
    private func payload(of unit: AccessUnit) -> [UInt8] {
        guard track.kind == .video else { return Array(unit.payload.readableBytesView) }
        let units = LengthPrefixedNALUnits.split(unit.payload)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(unit.payload.readableBytes + 64)
        let startCode: [UInt8] = [0, 0, 0, 1]
        if unit.isKeyframe {
            for set in track.parameterSets {
                bytes += startCode
                bytes += set.readableBytesView
            }
        }
        for nal in units {
            bytes += startCode
            bytes += nal.readableBytesView
        }
        return bytes
    }

    static func codecID(of codec: MediaCodec) -> AVCodecID {
        switch codec {
        case .h264: AV_CODEC_ID_H264
        case .h265: AV_CODEC_ID_HEVC
        case .aac: AV_CODEC_ID_AAC
        case .opus: AV_CODEC_ID_OPUS
        case .pcmu: AV_CODEC_ID_PCM_MULAW
        case .pcma: AV_CODEC_ID_PCM_ALAW
        case .klv: AV_CODEC_ID_NONE
        }
    }

    private static func setExtradata(_ bytes: [UInt8], on context: UnsafeMutablePointer<AVCodecContext>) {
        let padding = Int(AV_INPUT_BUFFER_PADDING_SIZE)
        guard let memory = av_mallocz(bytes.count + padding) else { return }
        let extradata = memory.assumingMemoryBound(to: UInt8.self)
        extradata.update(from: bytes, count: bytes.count)
        context.pointee.extradata = extradata
        context.pointee.extradata_size = Int32(bytes.count)
    }
}
