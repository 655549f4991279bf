import CFFmpeg
import MusterCore
import NIOCore

/// Re-encodes one audio track (AAC, Opus, G.711) to AAC-LC with FFmpeg's native `aac` encoder,
/// following a profile's `.aac(bitrate:channels:)` recipe.
///
/// The pipeline is decoder → resampler (sample format, rate, channel count) → sample FIFO →
/// encoder, which takes exactly 1024 samples a frame whatever the source's frame size was.
///
/// Timestamps: the output clock is the output sample rate. The first unit anchors the timeline
/// (its pts rescaled to the output clock); from then on every sample is counted, so jitter and
/// small gaps in the input never make the output go backwards or wobble. An input that strays
/// from the counted position by more than half a second re-anchors: forward (a real gap in the
/// source) the output jumps forward too, keeping its audio at the time the source gave it;
/// backward (a source that restarted its clock, a looping file) the output keeps counting on, as
/// it must stay monotonic. The first packet of a timeline is the encoder's priming frame and is
/// stamped 1024 samples before the first input sample, which keeps the audio in step with video.
///
/// Latency: the encoder holds one frame back and the FIFO up to one more, so output trails
/// input by up to 2048 samples (43 ms at 48 kHz, 256 ms at 8 kHz); `drain()` empties both.
///
/// A unit the decoder refuses is counted in `rejectedUnits` and skipped; garbage is never fatal.
///
/// Not Sendable: it belongs to the thread of its transcoder.
public final class FFmpegAudioTranscoder {
    /// The input track; units handed to `transcode(_:)` carry pts in its clock.
    public let source: MediaTrack
    /// The AAC output track: clock rate = sample rate, AudioSpecificConfig from the encoder's
    /// global header (FFmpeg follows the 2 AAC-LC bytes with an explicit "no SBR" extension).
    public let outputTrack: MediaTrack
    public let bitrate: Int
    /// Units the decoder refused (or that decoded to audio the resampler could not take).
    public private(set) var rejectedUnits = 0

    /// Samples in one AAC-LC frame.
    public static let samplesPerFrame = 1024

    private let decoder: FFmpegDecoder
    private let decoded = FFmpegFrame()
    /// The resampler's output before it goes into the FIFO; grown on demand.
    private let converted = FFmpegFrame()
    private var convertedCapacity = 0
    /// One encoder frame of `samplesPerFrame` samples.
    private let encoderInput = FFmpegFrame()
    private var encoder: UnsafeMutablePointer<AVCodecContext>
    private let packet: UnsafeMutablePointer<AVPacket>
    private let fifo: OpaquePointer
    private var resampler: OpaquePointer?
    /// The decoded audio the resampler was set up for; a change rebuilds it.
    private var resamplerInput: InputFormat?

    private let sampleRate: Int
    private let channels: Int
    private let sampleFormat: AVSampleFormat

    /// The output pts of the sample that will be written to the FIFO next; nil before the first
    /// unit of a timeline.
    private var nextSamplePTS: Int64?
    /// Added to an input pts (rescaled to the output clock) to place it on the output timeline;
    /// changes when a backward jump is absorbed.
    private var inputOffset: Int64 = 0

    /// - Parameters:
    ///   - source: the input audio track (aac, opus, pcmu or pcma; any sample rate and channel count).
    ///   - bitrate: target bits per second.
    ///   - channels: output channels, 1 or 2; nil keeps the source's count, at most 2.
    ///   - trackID: the id of the output track and its units.
    public init(source: MediaTrack, bitrate: Int, channels: Int?, trackID: Int) throws(FFmpegError) {
        FFmpegLog.installOnce()
        guard source.kind == .audio else {
            throw FFmpegError(code: muster_averror(EINVAL), operation: "opening an AAC transcoder",
                              message: "track \(source.id) is \(source.codec.rawValue), not audio")
        }
        guard bitrate > 0 else {
            throw FFmpegError(code: muster_averror(EINVAL), operation: "opening an AAC transcoder",
                              message: "the bitrate must be positive, not \(bitrate)")
        }
        if let channels, !(1...2).contains(channels) {
            throw FFmpegError(code: muster_averror(EINVAL), operation: "opening an AAC transcoder",
                              message: "AAC profiles carry 1 or 2 channels, not \(channels)")
        }
        guard let codec = avcodec_find_encoder_by_name("aac") else {
            throw FFmpegError(code: muster_averror(ENOSYS), operation: "opening the aac encoder",
                              message: "this FFmpeg build has no native aac encoder")
        }
        let outputChannels = channels ?? min(max(source.channels ?? 1, 1), 2)
        let outputRate = Self.outputSampleRate(forSource: source.clockRate, codec: codec)
        let format = codec.pointee.sample_fmts?.pointee ?? AV_SAMPLE_FMT_FLTP

        self.source = source
        self.bitrate = bitrate
        sampleRate = outputRate
        self.channels = outputChannels
        sampleFormat = format
        decoder = try FFmpegDecoder(track: source)
        let encoder = try Self.openEncoder(codec, bitrate: bitrate, sampleRate: outputRate, channels: outputChannels, format: format)
        self.encoder = encoder
        guard let packet = av_packet_alloc(),
              let fifo = av_audio_fifo_alloc(format, Int32(outputChannels), Int32(Self.samplesPerFrame * 4)) else {
            fatalError("av_packet_alloc or av_audio_fifo_alloc failed: out of memory")
        }
        self.packet = packet
        self.fifo = fifo

        let extradata = encoder.pointee.extradata.map { ByteBuffer(bytes: UnsafeBufferPointer(start: $0, count: Int(encoder.pointee.extradata_size))) }
        outputTrack = MediaTrack(id: trackID, codec: .aac, clockRate: outputRate, channels: outputChannels,
                                 audioSpecificConfig: extradata)

        let frame = encoderInput.pointer
        frame.pointee.format = format.rawValue
        frame.pointee.sample_rate = Int32(outputRate)
        frame.pointee.nb_samples = Int32(Self.samplesPerFrame)
        av_channel_layout_default(&frame.pointee.ch_layout, Int32(outputChannels))
        guard av_frame_get_buffer(frame, 0) >= 0 else { fatalError("av_frame_get_buffer failed: out of memory") }
    }

    deinit {
        closeEncoder(encoder)
        var packet: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&packet)
        av_audio_fifo_free(fifo)
        swr_free(&resampler)
    }

    /// The sample rate the output gets: the source's when AAC has it, 48 kHz otherwise.
    static func outputSampleRate(forSource rate: Int, codec: UnsafePointer<AVCodec>) -> Int {
        guard var supported = codec.pointee.supported_samplerates else { return rate == 48_000 ? rate : 48_000 }
        while supported.pointee != 0 {
            if Int(supported.pointee) == rate { return rate }
            supported += 1
        }
        return 48_000
    }

    private static func openEncoder(
        _ codec: UnsafePointer<AVCodec>, bitrate: Int, sampleRate: Int, channels: Int, format: AVSampleFormat
    ) throws(FFmpegError) -> UnsafeMutablePointer<AVCodecContext> {
        guard let context = avcodec_alloc_context3(codec) else { fatalError("avcodec_alloc_context3 failed: out of memory") }
        context.pointee.sample_fmt = format
        context.pointee.sample_rate = Int32(sampleRate)
        av_channel_layout_default(&context.pointee.ch_layout, Int32(channels))
        context.pointee.bit_rate = Int64(bitrate)
        context.pointee.profile = FF_PROFILE_AAC_LOW
        context.pointee.time_base = AVRational(num: 1, den: Int32(sampleRate))
        // The AudioSpecificConfig goes to extradata, where outputTrack (and SDP's config=) find it.
        context.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER
        let status = avcodec_open2(context, codec, nil)
        guard status >= 0 else {
            var doomed: UnsafeMutablePointer<AVCodecContext>? = context
            avcodec_free_context(&doomed)
            throw FFmpegError(code: status, operation: "opening the aac encoder for \(channels) channel(s) at \(sampleRate) Hz, \(bitrate) bit/s")
        }
        return context
    }

    // MARK: - Transcoding

    /// Decodes `unit` (a unit of the source track, pts in its clock), resamples and encodes it,
    /// and returns the AAC units that became ready: pts in the output clock, keyframes, raw AAC
    /// frames without ADTS headers.
    public func transcode(_ unit: AccessUnit) -> [AccessUnit] {
        guard unit.payload.readableBytes > 0 else {
            rejectedUnits += 1
            return []
        }
        var units: [AccessUnit] = []
        let refusedBefore = decoder.rejectedUnits
        var unusable = false
        decoder.decode(unit, into: decoded) { frame in
            if !append(frame, fallbackPTS: unit.pts, into: &units) { unusable = true }
        }
        if decoder.rejectedUnits != refusedBefore || unusable { rejectedUnits += 1 }
        return units
    }

    /// Hands out everything still buffered, at the end of a stream: the decoder's and the
    /// resampler's last samples, the FIFO's partial frame (padded with silence) and the encoder's
    /// lookahead. The next unit then starts a new timeline, as after `reset()`.
    public func drain() -> [AccessUnit] {
        var units: [AccessUnit] = []
        decoder.drain(into: decoded) { frame in
            _ = append(frame, fallbackPTS: nil, into: &units)
        }
        if let resampler, nextSamplePTS != nil {
            write(flushResampler(resampler))
        }
        encodeFIFO(into: &units, padLastFrame: true)
        avcodec_send_frame(encoder, nil)
        receivePackets(into: &units)
        reset()
        return units
    }

    /// Forgets buffered samples and the timeline (after a source restart, or when the output
    /// stream restarts): the next unit anchors a new timeline at its own pts, which may lie
    /// before the old one. To keep one monotonic output across a source restart instead, do
    /// not reset: a jump is re-anchored on its own.
    public func reset() {
        decoder.reset()
        av_audio_fifo_reset(fifo)
        swr_free(&resampler)
        resamplerInput = nil
        nextSamplePTS = nil
        inputOffset = 0
        // The aac encoder cannot be flushed (no AV_CODEC_CAP_ENCODER_FLUSH) and its lookahead
        // holds old audio with old timestamps: a fresh one is opened. Should that fail (only
        // when memory runs out) the old one carries on, at worst with one stale frame.
        if let codec = encoder.pointee.codec,
           let fresh = try? Self.openEncoder(codec, bitrate: bitrate, sampleRate: sampleRate, channels: channels, format: sampleFormat) {
            closeEncoder(encoder)
            encoder = fresh
        }
    }

    /// Resamples one decoded frame into the FIFO, after placing it on the timeline, and encodes
    /// the whole frames that are then ready. False when the frame's audio cannot be used.
    private func append(_ frame: FFmpegFrame, fallbackPTS: Int64?, into units: inout [AccessUnit]) -> Bool {
        let input = frame.pointer
        guard input.pointee.nb_samples > 0, let resampler = configuredResampler(for: input) else { return false }
        place(inputPTS: frame.pts ?? fallbackPTS, resampler: resampler, into: &units)
        let needed = Int(swr_get_out_samples(resampler, input.pointee.nb_samples))
        guard needed >= 0, reserveConverted(needed) else { return false }
        let count = UnsafeMutableRawPointer(input.pointee.extended_data).withMemoryRebound(
            to: UnsafePointer<UInt8>?.self, capacity: Int(input.pointee.ch_layout.nb_channels)
        ) { planes in
            swr_convert(resampler, converted.pointer.pointee.extended_data, Int32(convertedCapacity),
                        planes, input.pointee.nb_samples)
        }
        guard count >= 0 else { return false }
        write(Int(count))
        encodeFIFO(into: &units, padLastFrame: false)
        return true
    }

    /// Anchors the timeline on the first frame, and re-anchors when `inputPTS` (source clock)
    /// strays more than half a second from where counting says this frame's first sample is.
    ///
    /// The arithmetic wraps rather than traps: timestamps come from the network, and absurd ones
    /// must not stop the gateway.
    private func place(inputPTS: Int64?, resampler: OpaquePointer, into units: inout [AccessUnit]) {
        let unknown = muster_av_nopts_value()
        // av_rescale_rnd answers INT64_MIN (no timestamp) when the result does not fit.
        let mapped = inputPTS.map { av_rescale_rnd($0, Int64(sampleRate), Int64(max(source.clockRate, 1)), AV_ROUND_NEAR_INF) } ?? unknown
        guard let next = nextSamplePTS else {
            nextSamplePTS = mapped == unknown ? 0 : mapped
            inputOffset = 0
            return
        }
        guard mapped != unknown else { return }
        // Samples inside the resampler come out before this frame's first one.
        let expected = next &+ swr_get_delay(resampler, Int64(sampleRate))
        let drift = mapped &+ inputOffset &- expected
        guard drift.magnitude > UInt64(sampleRate / 2) else { return }
        let (jumped, overflow) = next.addingReportingOverflow(drift)
        if drift > 0, !overflow {
            // A gap in the source: finish the partial frame where it is, continue at the new time.
            // The resampler's few delayed samples still come first, just before the new time.
            encodeFIFO(into: &units, padLastFrame: true)
            nextSamplePTS = jumped
        } else {
            // The source's clock went back: keep counting, and measure later units from here.
            inputOffset = inputOffset &- drift
        }
    }

    /// The resampler for frames like `input`, rebuilt when the decoded format changes (AAC
    /// decoders may change channel configuration mid-stream); nil when it cannot be set up.
    private func configuredResampler(for input: UnsafeMutablePointer<AVFrame>) -> OpaquePointer? {
        var layout = AVChannelLayout()
        defer { av_channel_layout_uninit(&layout) }
        let layoutChannels = input.pointee.ch_layout.nb_channels
        guard layoutChannels > 0, layoutChannels <= 64 else { return nil }
        if input.pointee.ch_layout.order == AV_CHANNEL_ORDER_NATIVE {
            guard av_channel_layout_copy(&layout, &input.pointee.ch_layout) >= 0 else { return nil }
        } else {
            av_channel_layout_default(&layout, layoutChannels)
        }
        let rate = input.pointee.sample_rate > 0 ? input.pointee.sample_rate : Int32(source.clockRate)
        let format = InputFormat(format: input.pointee.format, sampleRate: rate, channels: layoutChannels,
                                 mask: layout.order == AV_CHANNEL_ORDER_NATIVE ? layout.u.mask : 0)
        if let resampler, resamplerInput == format { return resampler }

        swr_free(&resampler)
        resamplerInput = nil
        var outputLayout = AVChannelLayout()
        av_channel_layout_default(&outputLayout, Int32(channels))
        defer { av_channel_layout_uninit(&outputLayout) }
        var fresh: OpaquePointer?
        let status = swr_alloc_set_opts2(&fresh, &outputLayout, sampleFormat, Int32(sampleRate),
                                         &layout, AVSampleFormat(rawValue: format.format), rate, 0, nil)
        guard status >= 0, fresh != nil, swr_init(fresh) >= 0 else {
            swr_free(&fresh)
            return nil
        }
        resampler = fresh
        resamplerInput = format
        return fresh
    }

    /// Makes `converted` hold at least `samples` samples.
    private func reserveConverted(_ samples: Int) -> Bool {
        guard samples > convertedCapacity else { return true }
        let capacity = max(samples, Self.samplesPerFrame * 2)
        let frame = converted.pointer
        av_frame_unref(frame)
        frame.pointee.format = sampleFormat.rawValue
        frame.pointee.sample_rate = Int32(sampleRate)
        frame.pointee.nb_samples = Int32(capacity)
        av_channel_layout_default(&frame.pointee.ch_layout, Int32(channels))
        guard av_frame_get_buffer(frame, 0) >= 0 else {
            convertedCapacity = 0
            return false
        }
        convertedCapacity = capacity
        return true
    }

    /// The samples the resampler still holds, converted into `converted`; their count.
    private func flushResampler(_ resampler: OpaquePointer) -> Int {
        let delay = Int(swr_get_out_samples(resampler, 0))
        guard delay > 0, reserveConverted(delay) else { return 0 }
        return Int(max(0, swr_convert(resampler, converted.pointer.pointee.extended_data, Int32(convertedCapacity), nil, 0)))
    }

    /// Moves the first `count` samples of `converted` into the FIFO.
    private func write(_ count: Int) {
        guard count > 0, let next = nextSamplePTS else { return }
        let written = UnsafeMutableRawPointer(converted.pointer.pointee.extended_data).withMemoryRebound(
            to: UnsafeMutableRawPointer?.self, capacity: channels
        ) { planes in
            av_audio_fifo_write(fifo, planes, Int32(count))
        }
        if written > 0 { nextSamplePTS = next &+ Int64(written) }
    }

    /// Encodes every whole frame in the FIFO; with `padLastFrame`, a partial last one too,
    /// completed with silence.
    private func encodeFIFO(into units: inout [AccessUnit], padLastFrame: Bool) {
        guard let next = nextSamplePTS else { return }
        let frameSize = Int32(Self.samplesPerFrame)
        while true {
            let available = av_audio_fifo_size(fifo)
            guard available >= frameSize || (padLastFrame && available > 0) else { return }
            let frame = encoderInput.pointer
            guard av_frame_make_writable(frame) >= 0 else { return }
            let pts = next &- Int64(available)
            let read = UnsafeMutableRawPointer(frame.pointee.extended_data).withMemoryRebound(
                to: UnsafeMutableRawPointer?.self, capacity: channels
            ) { planes in
                av_audio_fifo_read(fifo, planes, min(available, frameSize))
            }
            guard read > 0 else { return }
            if read < frameSize {
                av_samples_set_silence(frame.pointee.extended_data, read, frameSize - read,
                                       Int32(channels), sampleFormat)
            }
            frame.pointee.pts = pts
            if read < frameSize {
                // The silence counts as samples: the next frame follows it.
                nextSamplePTS = pts &+ Int64(frameSize)
            }
            guard avcodec_send_frame(encoder, frame) >= 0 else { continue }
            receivePackets(into: &units)
        }
    }

    private func receivePackets(into units: inout [AccessUnit]) {
        while avcodec_receive_packet(encoder, packet) >= 0 {
            defer { av_packet_unref(packet) }
            guard let data = packet.pointee.data, packet.pointee.size > 0 else { continue }
            let payload = ByteBuffer(bytes: UnsafeRawBufferPointer(start: data, count: Int(packet.pointee.size)))
            let pts = packet.pointee.pts == muster_av_nopts_value() ? (units.last.map { $0.pts &+ 1024 } ?? 0) : packet.pointee.pts
            units.append(AccessUnit(trackID: outputTrack.id, pts: pts, isKeyframe: true, payload: payload))
        }
    }

    /// Frees an encoder after taking the frames its lookahead still holds, which nobody wants
    /// any more: freeing it with them queued makes libavcodec warn on every stop.
    private func closeEncoder(_ encoder: UnsafeMutablePointer<AVCodecContext>) {
        if avcodec_send_frame(encoder, nil) >= 0 {
            while avcodec_receive_packet(encoder, packet) >= 0 { av_packet_unref(packet) }
        }
        var encoder: UnsafeMutablePointer<AVCodecContext>? = encoder
        avcodec_free_context(&encoder)
    }

    /// What the resampler was configured for.
    private struct InputFormat: Equatable {
        var format: Int32
        var sampleRate: Int32
        var channels: Int32
        var mask: UInt64
    }
}
