import CFFmpeg
import Dispatch
import Logging
import Synchronization

/// Routes FFmpeg's own log (`av_log`) into swift-log at warning level.
///
/// FFmpeg's default callback writes to stderr, interleaving with structured logs and possibly
/// quoting URLs with credentials. Only warnings and worse are formatted at all, each line is
/// redacted, and a misbehaving stream cannot flood the log: past `linesPerSecond` lines are
/// dropped and counted.
enum FFmpegLog {
    static let logger = Logger(label: "muster.ffmpeg")
    static let linesPerSecond = 20

    private struct Budget {
        var windowStart: UInt64 = 0
        var lines = 0
        var dropped = 0
    }

    private static let budget = Mutex(Budget())

    /// Installs the callback once per process; FFmpeg's log settings are global.
    static func installOnce() { _ = installed }

    private static let installed: Void = {
        av_log_set_level(AV_LOG_WARNING)
        avformat_network_init()
        // The callback may run on any FFmpeg thread and must capture nothing.
        av_log_set_callback { context, level, format, arguments in
            guard level <= AV_LOG_WARNING, let format, let arguments else { return }
            var line = [CChar](repeating: 0, count: 1024)
            // A private prefix flag: FFmpeg's shared one is not thread-safe.
            var printPrefix: Int32 = 1
            _ = av_log_format_line2(context, level, format, arguments, &line, Int32(line.count), &printPrefix)
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                .trimmingSuffix { $0.isWhitespace }
            guard !text.isEmpty else { return }
            FFmpegLog.emit(redactedURL(text))
        }
    }()

    static func emit(_ text: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        let (allowed, droppedBefore) = budget.withLock { budget -> (Bool, Int) in
            var dropped = 0
            if now - budget.windowStart >= 1_000_000_000 {
                dropped = budget.dropped
                budget = Budget(windowStart: now)
            }
            budget.lines += 1
            guard budget.lines <= linesPerSecond else {
                budget.dropped += 1
                return (false, dropped)
            }
            return (true, dropped)
        }
        if droppedBefore > 0 {
            logger.warning("dropped \(droppedBefore) FFmpeg log lines in the last second")
        }
        if allowed {
            logger.warning("\(text)", metadata: ["source": "ffmpeg"])
        }
    }
}

private extension String {
    func trimmingSuffix(while predicate: (Character) -> Bool) -> String {
        var slice = Substring(self)
        while let last = slice.last, predicate(last) { slice.removeLast() }
        return String(slice)
    }
}
