import NIOCore

/// An RTCP source description carrying only the CNAME of one source (RFC 3550 §6.5.1): every
/// compound RTCP packet must include it so receivers can tie the SSRCs of one sender together.
public struct RTCPSourceDescription: Sendable, Hashable {
    public var ssrc: UInt32
    /// Canonical name, at most 255 bytes of UTF-8 (longer names are cut).
    public var cname: String

    public init(ssrc: UInt32, cname: String) {
        self.ssrc = ssrc
        self.cname = cname
    }

    /// Appends V=2, SC=1, PT=202, then the chunk: SSRC, CNAME item, and the null octets that end
    /// the item list and pad the chunk to a 32-bit boundary.
    public func write(to buffer: inout ByteBuffer) {
        let name = Array(cname.utf8.prefix(255))
        let chunkLength = 4 + 2 + name.count
        let padding = 4 - chunkLength % 4  // at least one null octet ends the item list
        let length = 4 + chunkLength + padding
        buffer.writeInteger(UInt8(2 << 6 | 1))
        buffer.writeInteger(RTCPPacketType.sourceDescription)
        buffer.writeInteger(UInt16(length / 4 - 1))
        buffer.writeInteger(ssrc)
        buffer.writeInteger(UInt8(1))  // CNAME
        buffer.writeInteger(UInt8(name.count))
        buffer.writeBytes(name)
        buffer.writeRepeatingByte(0, count: padding)
    }
}
