import MusterCore
import NIOCore

/// RFC 3640 mode AAC-hbr (§3.3.6): sizelength 13, indexlength 3, indexdeltalength 3, so each
/// AU header is 16 bits: the frame size, then an index of 0 (no interleaving).
extension RTPPacketizer {
    /// Largest frame the 13-bit AU-size field can describe.
    static let maximumAACFrameSize = (1 << 13) - 1

    /// One frame per packet. A frame larger than a packet is fragmented (RFC 3640 §3.2.3): each
    /// fragment repeats the AU header with the full frame size and only the last carries the
    /// marker, which is how the receiver tells a fragment from a whole frame.
    mutating func packetizeAAC(_ payload: ByteBuffer, timestamp: UInt32, into packets: inout [ByteBuffer]) {
        let size = payload.readableBytes
        guard size > 0, size <= Self.maximumAACFrameSize else { return }
        let auHeader = UInt16(size) << 3
        let prefix: [UInt8] = [
            0x00, 0x10, // AU-headers-length: 16 bits, one AU header
            UInt8(auHeader >> 8), UInt8(auHeader & 0xFF),
        ]
        let fragmentSize = maximumPayloadSize - prefix.count
        var remaining = payload
        while remaining.readableBytes > 0 {
            let length = min(fragmentSize, remaining.readableBytes)
            guard let fragment = remaining.readSlice(length: length) else { return }
            emit(prefix: prefix, body: fragment, marker: remaining.readableBytes == 0, timestamp: timestamp, into: &packets)
        }
    }
}
