import NIOCore

/// An RTCP sender report without reception report blocks (RFC 3550 §6.4.1), which is what a
/// send-only relay emits: it ties the RTP clock of `ssrc` to wall-clock time so that receivers
/// can synchronize tracks (lip sync) and measure what was sent.
public struct RTCPSenderReport: Sendable, Hashable {
    /// Bytes of a report without report blocks: 4-byte header plus 24-byte sender info.
    public static let encodedSize = 28

    public var ssrc: UInt32
    /// Wall-clock time of the report, NTP format (see `NTPTimestamp`).
    public var ntpTimestamp: UInt64
    /// The same instant on the RTP clock of this source.
    public var rtpTimestamp: UInt32
    /// Packets sent since transmission started, wrapping (RFC 3550 §6.4.1).
    public var packetCount: UInt32
    /// Payload octets (headers and padding excluded) sent since transmission started, wrapping.
    public var octetCount: UInt32

    public init(ssrc: UInt32, ntpTimestamp: UInt64, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32) {
        self.ssrc = ssrc
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
    }

    /// Reads the sender info of an SR item; report blocks after it are ignored.
    /// - Throws: `RTPError` `.badPacketType` for another type, `.truncated` if too short.
    public init(parsing item: RTCPCompoundPacket.Item) throws(RTPError) {
        guard item.packetType == RTCPPacketType.senderReport else {
            throw RTPError(.badPacketType, "packet type \(item.packetType) is not a sender report")
        }
        var body = item.payload
        guard let ssrc = body.readInteger(as: UInt32.self),
              let ntp = body.readInteger(as: UInt64.self),
              let rtp = body.readInteger(as: UInt32.self),
              let packets = body.readInteger(as: UInt32.self),
              let octets = body.readInteger(as: UInt32.self)
        else {
            throw RTPError(.truncated, "sender report of \(item.payload.readableBytes) bytes, needs 24")
        }
        self.init(ssrc: ssrc, ntpTimestamp: ntp, rtpTimestamp: rtp, packetCount: packets, octetCount: octets)
    }

    /// Appends the report (RFC 3550 §6.4.1): V=2, no padding, RC=0, PT=200, length 6.
    public func write(to buffer: inout ByteBuffer) {
        buffer.reserveCapacity(minimumWritableBytes: Self.encodedSize)
        buffer.writeInteger(UInt8(2 << 6))
        buffer.writeInteger(RTCPPacketType.senderReport)
        buffer.writeInteger(UInt16(Self.encodedSize / 4 - 1))
        buffer.writeInteger(ssrc)
        buffer.writeInteger(ntpTimestamp)
        buffer.writeInteger(rtpTimestamp)
        buffer.writeInteger(packetCount)
        buffer.writeInteger(octetCount)
    }
}
