/// Why bytes could not be read as an RTP packet (RFC 3550 §5.1) or an RTCP compound packet
/// (RFC 3550 §6.1, Appendix A.2).
///
/// Every one of these means the datagram is discarded: RTP runs over lossy transports, so a
/// receiver drops a bad packet and carries on rather than failing the session.
public struct RTPError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// Fewer bytes than a fixed header (12 for RTP, 4 for an RTCP packet).
        case truncated
        /// The version field is not 2.
        case badVersion
        /// The CSRC count announces more identifiers than the packet holds.
        case badCSRCCount
        /// The header extension runs past the end of the packet.
        case badExtension
        /// The padding count is zero or larger than the bytes after the header.
        case badPadding
        /// An RTCP length field does not match the bytes present.
        case badLength
        /// An RTCP packet type outside 192…223, or a compound packet not starting with SR or RR.
        case badPacketType
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
