/// The first H.264 video track of a DESCRIBE answer (RFC 4566 §5.14, RFC 2326 appendix C.1.1).
public struct SDPVideoTrack: Sendable, Equatable {
    public var payloadType: Int
    /// The media-level `a=control` value, if any.
    public var control: String?

    public init(payloadType: Int, control: String?) {
        self.payloadType = payloadType
        self.control = control
    }

    /// Finds the first `m=video` section whose rtpmap names H264.
    public static func find(in sdp: String) -> SDPVideoTrack? {
        var current: (payloadTypes: [Int], control: String?, isH264: Bool)? = nil
        var found: [SDPVideoTrack] = []
        func close() {
            if let c = current, c.isH264, let pt = c.payloadTypes.first { found.append(SDPVideoTrack(payloadType: pt, control: c.control)) }
        }
        for rawLine in sdp.split(whereSeparator: \.isNewline) {
            let line = String(rawLine)
            if line.hasPrefix("m=") {
                close()
                let fields = line.dropFirst(2).split(separator: " ")
                current = fields.first == "video" ? (fields.dropFirst(3).compactMap { Int($0) }, nil, false) : nil
            } else if current != nil, line.hasPrefix("a=control:") {
                current?.control = String(line.dropFirst("a=control:".count)).trimmingSpaces
            } else if current != nil, line.hasPrefix("a=rtpmap:"), line.uppercased().contains("H264/") {
                current?.isH264 = true
            }
        }
        close()
        return found.first
    }

    /// The URL to SETUP: an absolute control as is, `*` or none as the base, else base + "/" + control.
    public func setupURL(base: String) -> String {
        guard let control, control != "*" else { return base }
        if control.hasPrefix("rtsp://") || control.hasPrefix("rtsps://") { return control }
        return base.hasSuffix("/") ? base + control : base + "/" + control
    }
}
