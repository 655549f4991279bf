import CFFmpeg

/// An owned `AVFrame`: a decoded picture or block of audio samples.
///
/// Not Sendable: a frame belongs to the thread of the transcoder or compositor using it.
public final class FFmpegFrame {
    let pointer: UnsafeMutablePointer<AVFrame>

    public init() {
        guard let frame = av_frame_alloc() else { fatalError("av_frame_alloc failed: out of memory") }
        pointer = frame
    }

    deinit {
        var frame: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&frame)
    }

    public var width: Int { Int(pointer.pointee.width) }
    public var height: Int { Int(pointer.pointee.height) }
    /// Presentation time in the time base of whoever filled the frame; nil when unknown.
    public var pts: Int64? {
        get { pointer.pointee.pts == muster_av_nopts_value() ? nil : pointer.pointee.pts }
        set { pointer.pointee.pts = newValue ?? muster_av_nopts_value() }
    }
    var pixelFormat: AVPixelFormat { AVPixelFormat(rawValue: pointer.pointee.format) }
    public var sampleCount: Int { Int(pointer.pointee.nb_samples) }
    /// Audio: the channel count and sample rate of the samples; 0 for pictures.
    public var channelCount: Int { Int(pointer.pointee.ch_layout.nb_channels) }
    public var sampleRate: Int { Int(pointer.pointee.sample_rate) }

    /// Releases the frame's buffers; the frame can then be filled again.
    public func unref() { av_frame_unref(pointer) }

    /// Makes the frame a writable `width`×`height` YUV 4:2:0 picture (reusing its buffers when
    /// they already fit).
    func makeWritablePicture(width: Int, height: Int) throws(FFmpegError) {
        if pointer.pointee.width != Int32(width) || pointer.pointee.height != Int32(height)
            || pointer.pointee.format != AV_PIX_FMT_YUV420P.rawValue || pointer.pointee.buf.0 == nil {
            av_frame_unref(pointer)
            pointer.pointee.width = Int32(width)
            pointer.pointee.height = Int32(height)
            pointer.pointee.format = AV_PIX_FMT_YUV420P.rawValue
            let status = av_frame_get_buffer(pointer, 0)
            guard status >= 0 else { throw FFmpegError(code: status, operation: "allocating a \(width)x\(height) picture") }
        }
        let status = av_frame_make_writable(pointer)
        guard status >= 0 else { throw FFmpegError(code: status, operation: "making a picture writable") }
    }

    /// Paints a rectangle of a YUV 4:2:0 picture in one colour (for placeholder tiles and borders).
    /// `x`, `y`, `width` and `height` are rounded down to even numbers.
    func fill(x: Int, y: Int, width: Int, height: Int, luma: UInt8, blueDifference: UInt8, redDifference: UInt8) {
        let x = x & ~1, y = y & ~1
        let right = min(x + (width & ~1), self.width), bottom = min(y + (height & ~1), self.height)
        guard x < right, y < bottom else { return }
        let planes = [(0, luma, 1), (1, blueDifference, 2), (2, redDifference, 2)]
        for (plane, value, subsampling) in planes {
            guard let base = planeData(plane) else { continue }
            let stride = Int(planeStride(plane))
            for row in (y / subsampling)..<(bottom / subsampling) {
                (base + row * stride + x / subsampling).initialize(repeating: value, count: (right - x) / subsampling)
            }
        }
    }

    func planeData(_ plane: Int) -> UnsafeMutablePointer<UInt8>? {
        withUnsafePointer(to: pointer.pointee.data) { tuple in
            tuple.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 8) { $0[plane] }
        }
    }

    func planeStride(_ plane: Int) -> Int32 {
        withUnsafePointer(to: pointer.pointee.linesize) { tuple in
            tuple.withMemoryRebound(to: Int32.self, capacity: 8) { $0[plane] }
        }
    }

    /// The samples of one channel of 32-bit float audio (planar or interleaved), for tests and
    /// diagnostics; nil for other sample formats.
    public func floatSamples(channel: Int) -> [Float]? {
        let format = AVSampleFormat(rawValue: pointer.pointee.format)
        guard format == AV_SAMPLE_FMT_FLTP || format == AV_SAMPLE_FMT_FLT, (0..<channelCount).contains(channel) else { return nil }
        let planar = format == AV_SAMPLE_FMT_FLTP
        guard let plane = planar ? pointer.pointee.extended_data[channel] : pointer.pointee.extended_data[0] else { return nil }
        let samples = UnsafeRawPointer(plane).assumingMemoryBound(to: Float.self)
        let stride = planar ? 1 : channelCount
        let offset = planar ? 0 : channel
        return (0..<sampleCount).map { samples[$0 * stride + offset] }
    }

    /// The YUV value of the pixel at (`x`, `y`) of a YUV 4:2:0 picture, for tests and diagnostics.
    public func yuv(atX x: Int, y: Int) -> (y: UInt8, u: UInt8, v: UInt8)? {
        guard pixelFormat == AV_PIX_FMT_YUV420P || pixelFormat == AV_PIX_FMT_YUVJ420P,
              (0..<width).contains(x), (0..<height).contains(y),
              let luma = planeData(0), let blue = planeData(1), let red = planeData(2) else { return nil }
        return (
            luma[y * Int(planeStride(0)) + x],
            blue[(y / 2) * Int(planeStride(1)) + x / 2],
            red[(y / 2) * Int(planeStride(2)) + x / 2]
        )
    }
}

/// Frees a codec context and the packet its owner allocated with it (decoders and encoders).
func freeCodecContext(_ context: UnsafeMutablePointer<AVCodecContext>, packet: UnsafeMutablePointer<AVPacket>) {
    var context: UnsafeMutablePointer<AVCodecContext>? = context
    avcodec_free_context(&context)
    var packet: UnsafeMutablePointer<AVPacket>? = packet
    av_packet_free(&packet)
}
