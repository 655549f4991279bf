import NIOCore

/// A progress line on standard error while a large import uploads. It appears only when
/// standard error is a terminal (a log file gets no carriage returns) and only once more than
/// `rowThreshold` rows have gone out, so that small imports print nothing but their result.
actor ImportProgress {
    static let rowThreshold = 5_000
    static let redrawInterval: Duration = .milliseconds(100)
    static let barWidth = 24

    private let totalBytes: Int?
    private let enabled: Bool
    private var sentBytes = 0
    private var rows = 0
    private var lastDraw: ContinuousClock.Instant?

    init(totalBytes: Int?, enabled: Bool) {
        self.totalBytes = totalBytes
        self.enabled = enabled
    }

    /// Counts a chunk handed to the connection and redraws at most every `redrawInterval`.
    func record(_ chunk: ByteBuffer) {
        sentBytes += chunk.readableBytes
        rows += chunk.newlineCount
        guard enabled, rows > Self.rowThreshold else { return }
        let now = ContinuousClock.now
        if let lastDraw, now - lastDraw < Self.redrawInterval { return }
        lastDraw = now
        ConsoleOutput.printError("\r" + Self.line(sentBytes: sentBytes, totalBytes: totalBytes, rows: rows) + "\u{1B}[K")
    }

    /// Erases the progress line, if one was drawn, before the result is printed.
    func finish() {
        if lastDraw != nil { ConsoleOutput.printError("\r\u{1B}[K") }
    }

    /// `[##########··············]  42%  52,310 rows  12.4 MiB of 29.5 MiB`, or without a
    /// known size (standard input) `52,310 rows  12.4 MiB sent`.
    static func line(sentBytes: Int, totalBytes: Int?, rows: Int) -> String {
        let rowText = "\(groupedThousands(rows)) rows"
        guard let totalBytes, totalBytes > 0 else {
            return "\(rowText)  \(DisplayFormatting.byteCount(sentBytes)) sent"
        }
        let fraction = min(1, Double(sentBytes) / Double(totalBytes))
        let filled = Int((fraction * Double(barWidth)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: "·", count: barWidth - filled)
        let percent = Int((fraction * 100).rounded(.down))
        return "[\(bar)] \(percent < 10 ? "  " : percent < 100 ? " " : "")\(percent)%  \(rowText)  "
            + "\(DisplayFormatting.byteCount(sentBytes)) of \(DisplayFormatting.byteCount(totalBytes))"
    }

    /// `52310` as `52,310`.
    static func groupedThousands(_ value: Int) -> String {
        var digits = String(value.magnitude)
        var groups: [Substring] = []
        while digits.count > 3 {
            groups.insert(Substring(digits.suffix(3)), at: 0)
            digits.removeLast(3)
        }
        groups.insert(Substring(digits), at: 0)
        return (value < 0 ? "-" : "") + groups.joined(separator: ",")
    }
}
