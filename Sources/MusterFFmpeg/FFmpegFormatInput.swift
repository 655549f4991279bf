import CFFmpeg
import Glibc

/// An opened, probed `AVFormatContext`: a file or a network stream ready for `read(into:)`.
///
/// Not Sendable: the context belongs to the thread that opened it. Other threads influence it
/// only through its `FFmpegInterrupt`, which FFmpeg polls while it blocks.
public final class FFmpegFormatInput {
    /// Only this class passes the context to FFmpeg.
    private var context: UnsafeMutablePointer<AVFormatContext>
    /// Kept alive here because the context holds it unretained as the callback's opaque pointer.
    public let interrupt: FFmpegInterrupt
    /// The URL with credentials removed, for messages.
    public let displayURL: String
    private let readTimeout: Duration?
    /// Packets read ahead while mapping tracks, handed out before reading further.
    private var readAhead: [FFmpegPacket] = []

    /// Opens `url` and probes its streams.
    /// - Parameters:
    ///   - options: demuxer and protocol options (`rtsp_transport`, `fflags`…), as for `ffmpeg -i`.
    ///   - openTimeout: limit for opening plus probing; nil waits as long as FFmpeg does.
    ///   - readTimeout: limit for each `read(into:)`, so a stalled stream becomes an error.
    public init(
        url: String,
        options: [String: String] = [:],
        interrupt: FFmpegInterrupt = FFmpegInterrupt(),
        openTimeout: Duration? = nil,
        readTimeout: Duration? = nil
    ) throws(FFmpegError) {
        FFmpegLog.installOnce()
        self.interrupt = interrupt
        self.displayURL = redactedURL(url)
        self.readTimeout = readTimeout
        let operation = "opening \(displayURL)"
        guard var context = avformat_alloc_context() else {
            throw FFmpegError(code: muster_averror(ENOMEM), operation: operation)
        }
        context.pointee.interrupt_callback = AVIOInterruptCB(
            callback: { opaque in
                guard let opaque else { return 0 }
                // Called over a thousand times a second per input: no retain and release around it.
                return Unmanaged<FFmpegInterrupt>.fromOpaque(opaque)._withUnsafeGuaranteedRef { $0.shouldInterrupt() } ? 1 : 0
            },
            opaque: Unmanaged.passUnretained(interrupt).toOpaque()
        )
        var dictionary: OpaquePointer? = nil
        defer { av_dict_free(&dictionary) }
        for (key, value) in options.sorted(by: { $0.key < $1.key }) {
            av_dict_set(&dictionary, key, value, 0)
        }
        interrupt.arm(timeout: openTimeout)
        defer { interrupt.arm(timeout: nil) }
        var opened: UnsafeMutablePointer<AVFormatContext>? = context
        // On failure avformat_open_input frees the context itself and sets `opened` to nil.
        let openResult = avformat_open_input(&opened, url, nil, &dictionary)
        guard openResult >= 0, let opened else {
            throw Self.error(openResult, operation, interrupt, openTimeout)
        }
        context = opened
        let probeResult = avformat_find_stream_info(context, nil)
        guard probeResult >= 0 else {
            var doomed: UnsafeMutablePointer<AVFormatContext>? = context
            avformat_close_input(&doomed)
            throw Self.error(probeResult, "probing \(displayURL)", interrupt, openTimeout)
        }
        self.context = context
    }

    deinit {
        readAhead.removeAll()
        var doomed: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&doomed)
    }

    /// The demuxer's name ("mov,mp4,m4a,3gp,3g2,mj2", "mpegts", "rtsp").
    public var formatName: String {
        context.pointee.iformat.map { String(cString: $0.pointee.name) } ?? "unknown"
    }

    /// True for inputs read from the local file system, which can be sought and looped.
    public var isSeekable: Bool {
        guard let io = context.pointee.pb else { return false }
        return io.pointee.seekable != 0
    }

    public var streamCount: Int { Int(context.pointee.nb_streams) }

    /// A copy of stream `index`'s codec parameters; nil only when out of memory.
    public func codecParameters(ofStream index: Int) -> FFmpegCodecParameters? {
        guard let stream = self.stream(index), let parameters = stream.pointee.codecpar else { return nil }
        return FFmpegCodecParameters(copying: parameters)
    }

    /// The unit of stream `index`'s packet timestamps.
    func timeBase(ofStream index: Int) -> AVRational {
        stream(index)?.pointee.time_base ?? AVRational(num: 1, den: 90_000)
    }

    private func stream(_ index: Int) -> UnsafeMutablePointer<AVStream>? {
        guard index >= 0, index < streamCount, let streams = context.pointee.streams else { return nil }
        return streams[index]
    }

    /// Reads the next packet of any stream into `packet`.
    /// - Returns: false at the end of the input.
    public func read(into packet: FFmpegPacket) throws(FFmpegError) -> Bool {
        packet.unref()
        if !readAhead.isEmpty {
            let queued = readAhead.removeFirst()
            // Swift may free `queued` right after reading `.pointer`; keep it to the end of the move.
            withExtendedLifetime(queued) { av_packet_move_ref(packet.pointer, queued.pointer) }
            return true
        }
        interrupt.arm(timeout: readTimeout)
        defer { interrupt.arm(timeout: nil) }
        while true {
            let result = av_read_frame(context, packet.pointer)
            if result >= 0 { return true }
            if result == FFmpegError.endOfFile { return false }
            // Only non-blocking inputs say EAGAIN; a short nap keeps this from spinning.
            if result == FFmpegError.tryAgain, !interrupt.isCancelled {
                interrupt.sleep(for: .milliseconds(5))
                continue
            }
            throw Self.error(result, "reading \(displayURL)", interrupt, readTimeout)
        }
    }

    /// Reads ahead, keeping what it reads for later `read(into:)` calls, until `stop` accepts a
    /// packet or `limit` packets are buffered. Returns the accepted packet, still buffered.
    func peek(limit: Int, until stop: (FFmpegPacket) -> Bool) throws(FFmpegError) -> FFmpegPacket? {
        if let found = readAhead.first(where: stop) { return found }
        while readAhead.count < limit {
            let packet = FFmpegPacket()
            interrupt.arm(timeout: readTimeout)
            defer { interrupt.arm(timeout: nil) }
            let result = av_read_frame(context, packet.pointer)
            if result == FFmpegError.endOfFile { return nil }
            if result == FFmpegError.tryAgain { continue }
            guard result >= 0 else { throw Self.error(result, "reading \(displayURL)", interrupt, readTimeout) }
            readAhead.append(packet)
            if stop(packet) { return packet }
        }
        return nil
    }

    /// Goes back to the start of the input, for looping a file.
    public func seekToStart() throws(FFmpegError) {
        readAhead.removeAll()
        let start = context.pointee.start_time == muster_av_nopts_value() ? 0 : context.pointee.start_time
        var result = avformat_seek_file(context, -1, Int64.min, start, start, 0)
        if result < 0 {
            // Formats without a usable index (raw streams, some MPEG-TS) still seek by byte.
            result = av_seek_frame(context, -1, 0, AVSEEK_FLAG_BYTE)
        }
        guard result >= 0 else { throw FFmpegError(code: result, operation: "seeking to the start of \(displayURL)") }
    }

    /// Replaces FFmpeg's "Immediate exit requested" with the reason Muster interrupted the call.
    private static func error(_ code: Int32, _ operation: String, _ interrupt: FFmpegInterrupt, _ timeout: Duration?) -> FFmpegError {
        guard code == FFmpegError.exit else { return FFmpegError(code: code, operation: operation) }
        if interrupt.isCancelled {
            return FFmpegError(code: code, operation: operation, message: "cancelled because the source is stopping")
        }
        if interrupt.didTimeOut, let timeout {
            return FFmpegError(code: muster_averror(ETIMEDOUT), operation: operation, message: "no answer within \(timeout)")
        }
        return FFmpegError(code: code, operation: operation)
    }
}
