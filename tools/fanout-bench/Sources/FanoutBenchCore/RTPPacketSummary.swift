import NIOCore

/// What a reader needs from one RTP packet carrying H.264 (RFC 3550 §5.1, RFC 6184 §5): read in
/// place from the receive buffer, without copying or allocating.
public struct RTPPacketSummary: Sendable, Equatable {
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var marker: Bool
    /// The packet starts an IDR picture: a single NAL unit of type 5, a STAP-A holding one, or the
    /// first fragment (S bit) of an FU-A of type 5.
    public var startsIDR: Bool

    public init(sequenceNumber: UInt16, timestamp: UInt32, marker: Bool, startsIDR: Bool) {
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.marker = marker
        self.startsIDR = startsIDR
    }

    /// Reads the packet of `length` bytes at `index` in `buffer`; nil when it is not RTP version 2
    /// or too short for its own header.
    @inlinable
    public static func read(from buffer: ByteBuffer, at index: Int, length: Int) -> RTPPacketSummary? {
        guard length >= 12, let b0 = buffer.getInteger(at: index, as: UInt8.self), b0 >> 6 == 2,
              let b1 = buffer.getInteger(at: index + 1, as: UInt8.self),
              let sequenceNumber = buffer.getInteger(at: index + 2, as: UInt16.self),
              let timestamp = buffer.getInteger(at: index + 4, as: UInt32.self)
        else { return nil }
        var payload = 12 + 4 * Int(b0 & 0x0F)
        if b0 & 0x10 != 0 {
            // RFC 3550 §5.3.1: 16-bit profile field, 16-bit length in 32-bit words.
            guard payload + 4 <= length, let words = buffer.getInteger(at: index + payload + 2, as: UInt16.self) else {
                return nil
            }
            payload += 4 + 4 * Int(words)
        }
        var end = length
        if b0 & 0x20 != 0, let padding = buffer.getInteger(at: index + length - 1, as: UInt8.self) {
            end -= Int(padding)
        }
        guard payload <= end else { return nil }
        let startsIDR = H264.startsIDR(in: buffer, from: index + payload, to: index + end)
        return RTPPacketSummary(sequenceNumber: sequenceNumber, timestamp: timestamp, marker: b1 & 0x80 != 0, startsIDR: startsIDR)
    }
}

/// H.264 RTP payload inspection (RFC 6184 §5.2–5.8).
public enum H264 {
    public static let idrType: UInt8 = 5
    public static let stapAType: UInt8 = 24
    public static let fuAType: UInt8 = 28

    /// Whether the payload in `start..<end` begins an IDR picture.
    @inlinable
    public static func startsIDR(in buffer: ByteBuffer, from start: Int, to end: Int) -> Bool {
        guard start < end, let header = buffer.getInteger(at: start, as: UInt8.self) else { return false }
        switch header & 0x1F {
        case idrType:
            return true
        case stapAType:
            var offset = start + 1
            while offset + 3 <= end,
                  let size = buffer.getInteger(at: offset, as: UInt16.self),
                  let nal = buffer.getInteger(at: offset + 2, as: UInt8.self) {
                if nal & 0x1F == idrType { return true }
                offset += 2 + Int(size)
            }
            return false
        case fuAType:
            guard start + 2 <= end, let fu = buffer.getInteger(at: start + 1, as: UInt8.self) else { return false }
            return fu & 0x80 != 0 && fu & 0x1F == idrType
        default:
            return false
        }
    }
}
