import CFFmpeg

/// Scales decoded pictures of any size and pixel format into YUV 4:2:0 with libswscale.
///
/// The scaling context follows the input: a source that changes resolution mid-stream gets a
/// new context on its first picture of the new size, and nothing else notices.
///
/// Not Sendable: it belongs to the thread of its transcoder or compositor.
final class FFmpegPictureScaler {
    private var context: OpaquePointer?
    private var inputKey: (width: Int32, height: Int32, format: Int32) = (0, 0, -1)
    private var outputSize: (width: Int, height: Int) = (0, 0)

    deinit { sws_freeContext(context) }

    /// Scales `input` into the `width`×`height` rectangle at (`x`, `y`) of `output`, which must
    /// already be a writable YUV 4:2:0 picture large enough for it (all values even).
    func scale(_ input: FFmpegFrame, into output: FFmpegFrame, x: Int = 0, y: Int = 0, width: Int, height: Int) throws(FFmpegError) {
        let source = input.pointer.pointee
        if context == nil || inputKey != (source.width, source.height, source.format) || outputSize != (width, height) {
            sws_freeContext(context)
            context = sws_getContext(
                source.width, source.height, AVPixelFormat(rawValue: source.format),
                Int32(width), Int32(height), AV_PIX_FMT_YUV420P, Int32(SWS_BILINEAR), nil, nil, nil
            )
            guard context != nil else {
                throw FFmpegError(code: muster_averror(EINVAL), operation: "scaling a picture",
                                  message: "libswscale cannot convert \(source.width)x\(source.height) format \(source.format) to \(width)x\(height)")
            }
            inputKey = (source.width, source.height, source.format)
            outputSize = (width, height)
        }
        var destination = [UnsafeMutablePointer<UInt8>?](repeating: nil, count: 4)
        var strides = [Int32](repeating: 0, count: 4)
        for plane in 0..<3 {
            strides[plane] = output.planeStride(plane)
            let subsampling = plane == 0 ? 1 : 2
            destination[plane] = output.planeData(plane).map { $0 + (y / subsampling) * Int(strides[plane]) + x / subsampling }
        }
        let sourceData = withUnsafePointer(to: input.pointer.pointee.data) { tuple in
            tuple.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { Array(UnsafeBufferPointer(start: $0, count: 8)) }
        }
        let sourceStrides = withUnsafePointer(to: input.pointer.pointee.linesize) { tuple in
            tuple.withMemoryRebound(to: Int32.self, capacity: 8) { Array(UnsafeBufferPointer(start: $0, count: 8)) }
        }
        let rows = sws_scale(context, sourceData, sourceStrides, 0, source.height, destination, strides)
        guard rows > 0 else {
            throw FFmpegError(code: rows == 0 ? muster_averror(EINVAL) : rows, operation: "scaling a \(source.width)x\(source.height) picture")
        }
    }
}
