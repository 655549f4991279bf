import NIOCore

/// RTCP packet type numbers (RFC 3550 §12.1; feedback types from RFC 4585 §6.1, XR from RFC 3611).
public enum RTCPPacketType {
    public static let senderReport: UInt8 = 200
    public static let receiverReport: UInt8 = 201
    public static let sourceDescription: UInt8 = 202
    public static let goodbye: UInt8 = 203
    public static let application: UInt8 = 204
    public static let transportFeedback: UInt8 = 205
    public static let payloadFeedback: UInt8 = 206
    public static let extendedReport: UInt8 = 207
}

/// A compound RTCP packet (RFC 3550 §6.1) split into its packets after the validity checks of
/// RFC 3550 Appendix A.2. Parsing is zero-copy: each item's payload is a slice of the datagram.
public struct RTCPCompoundPacket: Sendable, Hashable {
    /// One RTCP packet of the compound (RFC 3550 §6.4.1 common header and what follows).
    public struct Item: Sendable, Hashable {
        public var packetType: UInt8
        /// The 5-bit count field: reception report count, source count, or feedback FMT.
        public var count: UInt8
        /// The header's length field: the packet's size in 32-bit words minus one.
        public var length: UInt16
        /// The bytes after the 4-byte common header, padding removed.
        public var payload: ByteBuffer

        public init(packetType: UInt8, count: UInt8, length: UInt16, payload: ByteBuffer) {
            self.packetType = packetType
            self.count = count
            self.length = length
            self.payload = payload
        }
    }

    public var items: [Item]

    /// Splits and validates a compound packet.
    ///
    /// - Parameter requireReportFirst: RFC 3550 §6.1 makes SR or RR the first packet of every
    ///   compound; pass false to accept reduced-size RTCP (RFC 5506), which drops that rule.
    /// - Throws: `RTPError` with `.truncated`, `.badVersion`, `.badPacketType`, `.badLength`
    ///   (lengths that do not add up to the datagram) or `.badPadding` (padding other than on
    ///   the last packet, or a bad padding count).
    public init(parsing buffer: ByteBuffer, requireReportFirst: Bool = true) throws(RTPError) {
        guard buffer.readableBytes >= 4 else {
            throw RTPError(.truncated, "\(buffer.readableBytes) bytes, an RTCP header needs 4")
        }
        var remaining = buffer
        var items: [Item] = []
        while remaining.readableBytes > 0 {
            guard let first = remaining.readInteger(as: UInt8.self),
                  let packetType = remaining.readInteger(as: UInt8.self),
                  let length = remaining.readInteger(as: UInt16.self)
            else {
                throw RTPError(.badLength, "\(remaining.readableBytes) trailing bytes after the last RTCP packet")
            }
            guard first >> 6 == 2 else {
                throw RTPError(.badVersion, "RTCP packet \(items.count) has version \(first >> 6)")
            }
            // 192–223 is the RTCP range RFC 5761 §4 reserves so that RTP and RTCP can share a port.
            guard (192...223).contains(packetType) else {
                throw RTPError(.badPacketType, "packet type \(packetType) is not RTCP")
            }
            if items.isEmpty, requireReportFirst,
               packetType != RTCPPacketType.senderReport, packetType != RTCPPacketType.receiverReport {
                throw RTPError(.badPacketType, "compound starts with type \(packetType), not SR or RR")
            }
            let bodyLength = Int(length) * 4
            guard var body = remaining.readSlice(length: bodyLength) else {
                throw RTPError(.badLength, "length \(length) words runs past the datagram")
            }
            if first & 0x20 != 0 {
                // Only the last packet may be padded (RFC 3550 §6.4.1, P bit).
                guard remaining.readableBytes == 0 else {
                    throw RTPError(.badPadding, "padding on RTCP packet \(items.count), which is not the last")
                }
                let padding = Int(body.getInteger(at: body.readerIndex + bodyLength - 1, as: UInt8.self) ?? 0)
                guard padding > 0, padding <= bodyLength else {
                    throw RTPError(.badPadding, "padding of \(padding) bytes in a \(bodyLength)-byte body")
                }
                body = body.getSlice(at: body.readerIndex, length: bodyLength - padding) ?? body
            }
            items.append(Item(packetType: packetType, count: first & 0x1F, length: length, payload: body))
        }
        self.items = items
    }

    public init(items: [Item]) {
        self.items = items
    }

    /// Appends every item with a recomputed length field, so edited payloads stay consistent.
    /// Payloads must be a whole number of 32-bit words, as RFC 3550 §6.4.1 requires unpadded.
    public func write(to buffer: inout ByteBuffer) {
        for item in items {
            let words = (item.payload.readableBytes + 3) / 4
            buffer.writeInteger(2 << 6 | item.count & 0x1F)
            buffer.writeInteger(item.packetType)
            buffer.writeInteger(UInt16(truncatingIfNeeded: words))
            buffer.writeImmutableBuffer(item.payload)
            let fill = words * 4 - item.payload.readableBytes
            if fill > 0 { buffer.writeRepeatingByte(0, count: fill) }
        }
    }
}
