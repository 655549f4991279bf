/// The parts of an `rtsp://` request URI the server routes on.
public struct RTSPURL: Sendable, Hashable {
    /// Channel path without leading or trailing '/', e.g. `units/u1`.
    public var path: String
    /// The last path segment when it names a track (`trackID=1`, `streamid=0`), else nil.
    public var trackControl: String?

    /// Parses `rtsp://host[:port]/path[/control][?query]`, or a bare `/path`.
    public init?(_ uri: String) {
        var rest = Substring(uri)
        if let scheme = rest.firstRange(of: "://") {
            guard ["rtsp", "rtsps", "rtspt"].contains(rest[..<scheme.lowerBound].lowercased()) else { return nil }
            rest = rest[scheme.upperBound...]
            guard let slash = rest.firstIndex(of: "/") else {
                path = ""
                return
            }
            rest = rest[slash...]
        } else if uri == "*" {
            path = ""
            return
        }
        if let query = rest.firstIndex(of: "?") { rest = rest[..<query] }
        let segments = rest.split(separator: "/").map(String.init)
        guard !segments.contains("..") else { return nil }
        path = segments.joined(separator: "/")
        if let last = segments.last, Self.isTrackControl(last) {
            trackControl = last
        }
    }

    /// The path without its track control segment.
    public var streamPath: String {
        guard let trackControl else { return path }
        return String(path.dropLast(trackControl.count)).trimmingCharacters(in: "/")
    }

    private static func isTrackControl(_ segment: String) -> Bool {
        let lower = segment.lowercased()
        return lower.hasPrefix("trackid=") || lower.hasPrefix("streamid=")
    }
}
