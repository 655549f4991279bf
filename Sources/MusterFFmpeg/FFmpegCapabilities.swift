import CFFmpeg

/// What this process's FFmpeg build can open, so that a URL it cannot read is refused when it is
/// configured, with a reason, instead of failing again and again in the background.
public enum FFmpegCapabilities {
    /// The input protocols libavformat was built with (`ffmpeg -protocols`).
    public static let inputProtocols: Set<String> = {
        var protocols: Set<String> = []
        var opaque: UnsafeMutableRawPointer?
        while let name = avio_enum_protocols(&opaque, 0) {
            protocols.insert(String(cString: name))
        }
        return protocols
    }()

    /// URL schemes that name a demuxer which opens its own connections rather than a protocol.
    private static let demuxerSchemes = ["rtsp": "rtsp", "rtsps": "rtsp"]

    /// Why FFmpeg cannot open `url`, or nil when it can try. Files are always tried.
    public static func problem(opening url: String) -> String? {
        guard !FFmpegSourceOptions.isFile(url), let separator = url.range(of: "://") else { return nil }
        let scheme = url[..<separator.lowerBound].lowercased()
        if let demuxer = demuxerSchemes[scheme] {
            return av_find_input_format(demuxer) == nil ? "this FFmpeg build has no \(demuxer) demuxer" : nil
        }
        // libsrt registers as "srt" in Debian's build; some builds name it "libsrt".
        if scheme == "srt", inputProtocols.contains("libsrt") { return nil }
        guard inputProtocols.contains(scheme) else {
            let known = (inputProtocols.filter { ["rtmp", "rtmps", "srt", "udp", "http", "https", "rtp", "tcp", "rist"].contains($0) } + demuxerSchemes.keys).sorted()
            return "this FFmpeg build cannot open \(scheme):// URLs (it opens \(known.joined(separator: ", ")), and file paths)"
        }
        return nil
    }
}
