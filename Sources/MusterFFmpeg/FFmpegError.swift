import CFFmpeg

/// A failed FFmpeg call: FFmpeg's own code and message, plus what Muster was doing at the time,
/// so that one log line tells an operator both the cause and the affected source.
///
/// Every text in it has passed through `redactedURL(_:)`: errors end up in logs and status pages.
public struct FFmpegError: Error, Sendable, Hashable, CustomStringConvertible {
    /// FFmpeg's negative `AVERROR` code.
    public var code: Int32
    /// FFmpeg's explanation of `code` (from `av_strerror`), or Muster's where FFmpeg has none.
    public var message: String
    /// What Muster was doing, such as "opening rtsp://***@camera/stream" or "reading".
    public var operation: String

    /// Describes `code` with FFmpeg's own message.
    public init(code: Int32, operation: String) {
        self.init(code: code, operation: operation, message: Self.message(for: code))
    }

    /// An error whose message Muster words itself (a timeout, an unsupported stream).
    public init(code: Int32, operation: String, message: String) {
        self.code = code
        self.operation = redactedURL(operation)
        self.message = redactedURL(message)
    }

    public var description: String { "\(operation): \(message) (error \(code))" }

    /// `AVERROR_EOF`: the input has no more packets.
    public static let endOfFile: Int32 = muster_averror_eof()
    /// `AVERROR(EAGAIN)`: nothing available yet; try again.
    public static let tryAgain: Int32 = muster_averror_eagain()
    /// `AVERROR_EXIT`: the interrupt callback asked FFmpeg to give up.
    public static let exit: Int32 = muster_averror_exit()

    public var isEndOfFile: Bool { code == Self.endOfFile }
    public var isTryAgain: Bool { code == Self.tryAgain }
    public var isExit: Bool { code == Self.exit }

    /// FFmpeg's message for an error code, via `av_strerror` (`av_err2str` is a macro Swift cannot import).
    public static func message(for code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 128)
        if av_strerror(code, &buffer, buffer.count) < 0 {
            return "unknown FFmpeg error"
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// `text` with the credentials of every URL in it replaced: `rtsp://user:secret@host/x` becomes
/// `rtsp://***@host/x`. Works on whole log lines too, since FFmpeg's messages may quote the URL.
public func redactedURL(_ url: String) -> String {
    guard url.contains("@") else { return url }
    var result = ""
    var rest = Substring(url)
    while let scheme = rest.range(of: "://") {
        result += rest[..<scheme.upperBound]
        rest = rest[scheme.upperBound...]
        // The userinfo can only sit in the authority, which ends at the first path, query,
        // fragment or whitespace character.
        let authorityEnd = rest.firstIndex { "/?#".contains($0) || $0.isWhitespace } ?? rest.endIndex
        if let at = rest[..<authorityEnd].lastIndex(of: "@") {
            result += "***"
            rest = rest[at...]
        }
    }
    return result + rest
}
