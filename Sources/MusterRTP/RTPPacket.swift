import NIOCore

/// One RTP packet (RFC 3550 §5.1).
///
/// Parsing is zero-copy: `payload` and the extension body are slices of the datagram's storage,
/// so relaying a packet never copies media bytes. Padding (§5.1, P bit) is removed
/// on parse and never written back, since it only served the sender's transport.
public struct RTPPacket: Sendable, Hashable {
    /// Size of the fixed header before CSRCs and extension (RFC 3550 §5.1).
    public static let fixedHeaderSize = 12

    /// The only RTP version in use (RFC 3550 §5.1, V field).
    static let version: UInt8 = 2

    /// Profile-defined frame boundary; for video it ends an access unit (RFC 3550 §5.1, M bit).
    public var marker: Bool
    /// 7-bit payload type (RFC 3550 §5.1, PT); only the low 7 bits are written.
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    /// Contributing sources (RFC 3550 §5.1, CSRC list); at most 15 are written.
    public var csrcs: [UInt32]
    public var extensionHeader: RTPHeaderExtension?
    /// The payload with any padding removed.
    public var payload: ByteBuffer

    public init(
        marker: Bool = false,
        payloadType: UInt8,
        sequenceNumber: UInt16,
        timestamp: UInt32,
        ssrc: UInt32,
        csrcs: [UInt32] = [],
        extensionHeader: RTPHeaderExtension? = nil,
        payload: ByteBuffer
    ) {
        self.marker = marker
        self.payloadType = payloadType & 0x7F
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrcs = csrcs
        self.extensionHeader = extensionHeader
        self.payload = payload
    }

    /// Parses and validates one packet (RFC 3550 §5.1, §5.3.1; checks of Appendix A.1 that do
    /// not need session state).
    ///
    /// - Throws: `RTPError` with `.truncated`, `.badVersion`, `.badCSRCCount`, `.badExtension`
    ///   or `.badPadding`.
    public init(parsing buffer: ByteBuffer) throws(RTPError) {
        let start = buffer.readerIndex
        let length = buffer.readableBytes
        guard length >= Self.fixedHeaderSize,
              let first = buffer.getInteger(at: start, as: UInt8.self),
              let second = buffer.getInteger(at: start + 1, as: UInt8.self),
              let sequenceNumber = buffer.getInteger(at: start + 2, as: UInt16.self),
              let timestamp = buffer.getInteger(at: start + 4, as: UInt32.self),
              let ssrc = buffer.getInteger(at: start + 8, as: UInt32.self)
        else {
            throw RTPError(.truncated, "\(length) bytes, an RTP header needs \(Self.fixedHeaderSize)")
        }
        let version = first >> 6
        guard version == Self.version else {
            throw RTPError(.badVersion, "version \(version), expected 2")
        }
        let hasPadding = first & 0x20 != 0
        let hasExtension = first & 0x10 != 0
        let csrcCount = Int(first & 0x0F)

        var offset = Self.fixedHeaderSize
        guard offset + csrcCount * 4 <= length else {
            throw RTPError(.badCSRCCount, "\(csrcCount) CSRCs do not fit in \(length) bytes")
        }
        var csrcs: [UInt32] = []
        csrcs.reserveCapacity(csrcCount)
        for _ in 0..<csrcCount {
            guard let csrc = buffer.getInteger(at: start + offset, as: UInt32.self) else {
                throw RTPError(.badCSRCCount, "CSRC list truncated")
            }
            csrcs.append(csrc)
            offset += 4
        }

        var extensionHeader: RTPHeaderExtension? = nil
        if hasExtension {
            guard offset + 4 <= length,
                  let profile = buffer.getInteger(at: start + offset, as: UInt16.self),
                  let words = buffer.getInteger(at: start + offset + 2, as: UInt16.self)
            else {
                throw RTPError(.badExtension, "extension header truncated")
            }
            let bodyLength = Int(words) * 4
            guard offset + 4 + bodyLength <= length,
                  let body = buffer.getSlice(at: start + offset + 4, length: bodyLength)
            else {
                throw RTPError(.badExtension, "extension of \(words) words runs past the packet")
            }
            extensionHeader = RTPHeaderExtension(profile: profile, data: body)
            offset += 4 + bodyLength
        }

        var payloadLength = length - offset
        if hasPadding {
            // The last byte counts itself too, so 0 is impossible for a well-formed packet.
            let padding = Int(buffer.getInteger(at: start + length - 1, as: UInt8.self) ?? 0)
            guard padding > 0, padding <= payloadLength else {
                throw RTPError(.badPadding, "padding of \(padding) bytes with \(payloadLength) after the header")
            }
            payloadLength -= padding
        }
        guard let payload = buffer.getSlice(at: start + offset, length: payloadLength) else {
            throw RTPError(.truncated, "payload truncated")
        }

        self.init(
            marker: second & 0x80 != 0, payloadType: second, sequenceNumber: sequenceNumber, timestamp: timestamp,
            ssrc: ssrc, csrcs: csrcs, extensionHeader: extensionHeader, payload: payload
        )
    }

    /// Bytes the header occupies on the wire: fixed part, CSRCs and extension.
    public var headerSize: Int {
        Self.fixedHeaderSize + min(csrcs.count, 15) * 4 + (extensionHeader?.encodedSize ?? 0)
    }

    /// Appends the serialized packet (RFC 3550 §5.1), without padding.
    public func write(to buffer: inout ByteBuffer) {
        buffer.reserveCapacity(minimumWritableBytes: headerSize + payload.readableBytes)
        writeHeader(to: &buffer)
        buffer.writeImmutableBuffer(payload)
    }

    /// Appends only the header, so a packetizer can follow it with payload pieces without first
    /// building a payload buffer.
    func writeHeader(to buffer: inout ByteBuffer) {
        let csrcCount = min(csrcs.count, 15)
        var first = Self.version << 6 | UInt8(csrcCount)
        if extensionHeader != nil { first |= 0x10 }
        buffer.writeInteger(first)
        buffer.writeInteger((marker ? 0x80 : 0) | payloadType & 0x7F)
        buffer.writeInteger(sequenceNumber)
        buffer.writeInteger(timestamp)
        buffer.writeInteger(ssrc)
        for csrc in csrcs.prefix(csrcCount) { buffer.writeInteger(csrc) }
        extensionHeader?.write(to: &buffer)
    }
}
