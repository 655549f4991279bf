import Foundation
/// How an `FFmpegSource` reads its URL.
public struct FFmpegSourceOptions: Sendable, Hashable {
    /// At the end of a file, seek back to its start and continue with timestamps that keep
    /// increasing. Ignored for inputs that cannot seek (live network streams).
    public var loop: Bool
    /// Release packets no faster than their timestamps (like `ffmpeg -re`). Files need this,
    /// or they would be read as fast as the disk allows; live streams arrive paced already.
    public var realtime: Bool
    /// RTSP lower transport: "tcp" or "udp"; nil lets FFmpeg choose (UDP, then TCP).
    public var rtspTransport: String?
    /// Limit for opening and probing the input.
    public var openTimeout: Duration
    /// Limit for each packet read, so a silent stream counts as failed.
    public var readTimeout: Duration
    /// First wait before reopening after a failure; doubles with each failure in a row.
    public var retryDelay: Duration
    /// Upper bound of the growing retry wait.
    public var maximumRetryDelay: Duration
    /// Each wait is shortened by a random part of up to this fraction, so that sources that
    /// failed together (a network link came back) do not all retry at the same instant.
    public var retryJitter: Double
    /// More demuxer and protocol options, as for `ffmpeg -i` (`fflags`, `buffer_size`…).
    public var extraOptions: [String: String]

    /// Options suited to `url`: files (plain paths and `file:` URLs) loop and play in real time;
    /// network URLs do neither.
    public init(
        url: String,
        loop: Bool? = nil,
        realtime: Bool? = nil,
        rtspTransport: String? = nil,
        openTimeout: Duration = .seconds(10),
        readTimeout: Duration = .seconds(10),
        retryDelay: Duration = .seconds(1),
        maximumRetryDelay: Duration = .seconds(30),
        retryJitter: Double = 0.25,
        extraOptions: [String: String] = [:]
    ) {
        let isFile = Self.isFile(url)
        self.loop = loop ?? isFile
        self.realtime = realtime ?? isFile
        self.rtspTransport = rtspTransport
        self.openTimeout = openTimeout
        self.readTimeout = readTimeout
        self.retryDelay = retryDelay
        self.maximumRetryDelay = maximumRetryDelay
        self.retryJitter = min(max(retryJitter, 0), 1)
        self.extraOptions = extraOptions
    }

    /// Query parameters named `ffmpeg.NAME=VALUE` are options for libavformat, not part of the
    /// URL: they are removed from it and returned by name (`rtmp://0.0.0.0:1935/live/uav?ffmpeg.listen=1`
    /// makes FFmpeg wait for a drone to push). Other query parameters stay, since servers use
    /// them (stream keys, SRT's `mode=listener`).
    public static func separatingInlineOptions(_ url: String) -> (url: String, options: [String: String]) {
        guard let question = url.firstIndex(of: "?") else { return (url, [:]) }
        var kept: [Substring] = []
        var options: [String: String] = [:]
        for item in url[url.index(after: question)...].split(separator: "&", omittingEmptySubsequences: true) {
            guard item.hasPrefix("ffmpeg.") else {
                kept.append(item)
                continue
            }
            let pair = item.dropFirst("ffmpeg.".count).split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0])
            let value = pair.count > 1 ? String(pair[1]).removingPercentEncoding ?? String(pair[1]) : ""
            if !name.isEmpty { options[name] = value }
        }
        let base = String(url[..<question])
        return (kept.isEmpty ? base : base + "?" + kept.joined(separator: "&"), options)
    }

    /// Whether the URL makes FFmpeg wait for a sender (RTMP or SRT listen mode, UDP, RTP): such a
    /// source may wait indefinitely for its first packet.
    public static func isListener(_ url: String) -> Bool {
        let (plain, options) = separatingInlineOptions(url)
        if options["listen"].map({ $0 != "0" }) == true { return true }
        let lowered = plain.lowercased()
        return lowered.hasPrefix("udp://") || lowered.hasPrefix("rtp://") || lowered.contains("mode=listener")
    }

    /// True for paths and `file:` URLs: anything without a `scheme://` other than `file`.
    public static func isFile(_ url: String) -> Bool {
        if url.hasPrefix("file:") { return true }
        guard let separator = url.range(of: "://") else { return true }
        let scheme = url[..<separator.lowerBound]
        return scheme.isEmpty || !scheme.allSatisfy { $0.isLetter || $0.isNumber || "+-.".contains($0) }
    }

    /// The dictionary handed to `avformat_open_input`.
    var ffmpegOptions: [String: String] {
        var options = extraOptions
        if let rtspTransport { options["rtsp_transport"] = rtspTransport }
        return options
    }
}

/// What an `FFmpegSource` is doing, for status pages and health checks.
public enum FFmpegSourceState: Sendable, Hashable, CustomStringConvertible {
    /// Opening and probing the input.
    case starting
    /// Publishing to its hub.
    case online
    /// The last attempt failed; the next starts at `nextAttempt`.
    case retrying(lastError: FFmpegError, nextAttempt: ContinuousClock.Instant)
    /// Stopped, or a non-looping file ended.
    case stopped

    public var description: String {
        switch self {
        case .starting: "starting"
        case .online: "online"
        case .retrying(let error, let next):
            "retrying in \(max(ContinuousClock.now.duration(to: next), .zero)) after: \(error)"
        case .stopped: "stopped"
        }
    }
}

/// A source's state and counters since it was created.
public struct FFmpegSourceHealth: Sendable, Hashable {
    public var state: FFmpegSourceState
    public var reconnects: Int
    public var packets: UInt64
    public var bytes: UInt64
    public var lastPacketAt: Date?
    /// One entry per track of the last session: codec and picture size or clock rate.
    public var codecs: [String]
}
