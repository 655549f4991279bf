import MusterCore
import NIOCore

/// RFC 3640 mode AAC-hbr (§3.3.6): AU headers of 13-bit size and 3-bit index or index delta.
extension RTPDepacketizer {
    /// Bits of one AU header in AAC-hbr: sizelength 13 + indexlength (or indexdeltalength) 3.
    static let aacHBRHeaderBits = 16

    /// Reads the AU header section (§3.2.1) and the AUs it describes (§3.2.3). Several AUs in one
    /// packet follow each other in time, one AAC frame apart (no interleaving, as AAC-hbr senders
    /// use it in practice). An AU larger than its packet is a fragment (§3.2.3): the header gives
    /// the full size, and the fragments follow in consecutive packets with the same timestamp.
    mutating func depacketizeAAC(_ packet: RTPPacket, contiguous: Bool) -> [RTPDepacketizedUnit] {
        var payload = packet.payload
        guard let headerBits = payload.readInteger(as: UInt16.self),
              headerBits > 0, Int(headerBits) % Self.aacHBRHeaderBits == 0
        else {
            dropReassembly()
            countDropped()
            return []
        }
        let count = Int(headerBits) / Self.aacHBRHeaderBits
        var sizes: [Int] = []
        sizes.reserveCapacity(count)
        for _ in 0..<count {
            guard let header = payload.readInteger(as: UInt16.self) else {
                dropReassembly()
                countDropped()
                return []
            }
            sizes.append(Int(header >> 3))
        }

        if let fragment = reassembly {
            if contiguous, count == 1, fragment.timestamp == packet.timestamp, fragment.expectedSize == sizes.first {
                return continueAACFragment(payload, marker: packet.marker)
            }
            dropReassembly()
        }

        if count == 1, let size = sizes.first, size > payload.readableBytes {
            // Only the last fragment has the marker; a "first" fragment with it is truncated.
            guard !packet.marker else {
                countDropped()
                return []
            }
            var fragment = Reassembly(timestamp: packet.timestamp, capacity: size, expectedSize: size)
            _ = fragment.append(payload, limit: size)
            reassembly = fragment
            return []
        }

        var units: [RTPDepacketizedUnit] = []
        var timestamp = packet.timestamp
        for size in sizes {
            guard let frame = payload.readSlice(length: size) else {
                // A size past the end means the whole header section is untrustworthy.
                countDropped()
                return []
            }
            if size > 0 {
                units.append(RTPDepacketizedUnit(rtpTimestamp: timestamp, payload: frame, isKeyframe: true))
            }
            timestamp &+= Self.aacSamplesPerFrame
        }
        return units
    }

    /// Appends a later fragment; the AU is complete once it reaches the announced size.
    private mutating func continueAACFragment(_ data: ByteBuffer, marker: Bool) -> [RTPDepacketizedUnit] {
        guard var fragment = reassembly else { return [] }
        reassembly = nil // keeps the buffer uniquely referenced while appending
        let expected = fragment.expectedSize ?? 0
        guard fragment.append(data, limit: expected) else {
            countDropped(fragment.packetCount + 1)
            return []
        }
        if fragment.buffer.readableBytes == expected {
            return [RTPDepacketizedUnit(rtpTimestamp: fragment.timestamp, payload: fragment.buffer, isKeyframe: true)]
        }
        if marker {
            // The sender ended the AU before delivering all of it.
            countDropped(fragment.packetCount)
            return []
        }
        reassembly = fragment
        return []
    }
}
