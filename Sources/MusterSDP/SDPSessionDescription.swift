import NIOCore

/// A session description (RFC 8866, formerly RFC 4566): what an RTSP server answers to
/// DESCRIBE and what a publisher sends with ANNOUNCE.
///
/// Only the fields a relay acts on are modelled; `i=`, `u=`, `e=`, `p=`, session-level `b=`,
/// `r=`, `z=` and `k=` lines are read past and not reproduced.
public struct SDPSessionDescription: Sendable, Hashable {
    /// `o=` (RFC 8866 §5.2).
    public var origin: SDPOrigin
    /// `s=` (RFC 8866 §5.3).
    public var sessionName: String
    /// Session-level `c=` (RFC 8866 §5.7); media sections may carry their own.
    public var connection: SDPConnection?
    /// The value of the first `t=` line (RFC 8866 §5.9); `0 0` means unbounded, as for live streams.
    public var timing: String
    /// Session-level `a=` lines, in order (RFC 8866 §5.13).
    public var attributes: [SDPAttribute]
    /// `m=` sections, in order (RFC 8866 §5.14).
    public var media: [SDPMedia]

    /// Inputs larger than this are refused before any parsing: real descriptions are a few
    /// kilobytes, and a publisher must not make the server hold more.
    public static let maximumSize = 64 * 1024
    /// More sections than this is no camera or encoder Muster serves; refusing bounds the work
    /// every later stage does per track.
    public static let maximumMediaCount = 16
    /// Bounds the per-line work; a 16-track description with generous attributes stays far below.
    public static let maximumLineCount = 1024

    public init(
        origin: SDPOrigin = SDPOrigin(),
        sessionName: String = "-",
        connection: SDPConnection? = nil,
        timing: String = "0 0",
        attributes: [SDPAttribute] = [],
        media: [SDPMedia] = []
    ) {
        self.origin = origin
        self.sessionName = sessionName
        self.connection = connection
        self.timing = timing
        self.attributes = attributes
        self.media = media
    }

    /// Reads a description from the body of an RTSP message. Invalid UTF-8 is replaced rather
    /// than refused, since only ASCII fields matter to Muster.
    public init(parsing bytes: ByteBuffer) throws(SDPError) {
        guard bytes.readableBytes <= Self.maximumSize else {
            throw SDPError(.tooLarge, "description has \(bytes.readableBytes) bytes; at most \(Self.maximumSize) are accepted")
        }
        try self.init(parsing: String(buffer: bytes))
    }

    /// The value of the first session-level attribute named `name` (ASCII case ignored);
    /// an empty string for a property attribute, nil when there is none.
    public func attribute(_ name: String) -> String? {
        attributes.firstValue(named: name)
    }

    /// The description as sent on the wire: CRLF line endings (RFC 8866 §5) and fields in the
    /// order RFC 8866 §5 prescribes.
    public func serialized() -> String {
        var lines = ["v=0", "o=\(origin.fieldValue)"]
        // RFC 8866 §5.3 forbids an empty s=; a single space is its stand-in for "no name".
        lines.append("s=\(sessionName.isEmpty ? " " : sessionName)")
        if let connection { lines.append("c=\(connection.fieldValue)") }
        lines.append("t=\(timing)")
        lines += attributes.map { "a=\($0.fieldValue)" }
        for section in media {
            lines.append("m=\(section.fieldValue)")
            if let connection = section.connection { lines.append("c=\(connection.fieldValue)") }
            lines += section.bandwidths.map { "b=\($0)" }
            lines += section.attributes.map { "a=\($0.fieldValue)" }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
