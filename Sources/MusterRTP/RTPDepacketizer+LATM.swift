import MusterCore
import NIOCore

/// RFC 6416 §6.1 `MP4A-LATM` with the StreamMuxConfig out of band (`cpresent=0`).
///
/// The payload is a sequence of AudioMuxElements with muxConfigPresent 0 (ISO 14496-3 §1.7.3,
/// Table 1.41) for one program and one layer, which is all the SDP reader admits. Each frame is
/// a PayloadLengthInfo (Table 1.44, frameLengthType 0: bytes of 255 added up to and including the
/// first byte below 255) followed by that many bytes of raw AAC. Elements are byte-aligned and
/// follow one another, and so do the subframes of an element with numSubFrames > 0, so both are
/// read as one run of length-prefixed frames, one AAC frame apart in time.
///
/// An element too large for one packet is fragmented over consecutive packets with the same
/// timestamp; the marker bit is set on a packet ending an element (§6.1, "Marker bit").
extension RTPDepacketizer {
    /// Largest LATM payload reassembled from fragments. ISO 14496-3 caps an AAC frame at 6144 bits
    /// per channel, so this holds an element of any channel layout senders use, with room to spare.
    public static let maximumLATMPayloadSize = 64 << 10

    /// Collects the packets up to the marker and splits them into frames.
    ///
    /// After a loss, a packet cannot show whether it starts elements or ends one whose start was
    /// lost. It is still read when it has the marker and a timestamp new to the element being
    /// received, and then kept only if its lengths add up exactly to its size; otherwise audio
    /// would lose a second frame for every packet lost.
    mutating func depacketizeLATM(
        _ packet: RTPPacket,
        contiguous: Bool,
        startsAfterBoundary: Bool,
        sameTimestamp: Bool
    ) -> [RTPDepacketizedUnit] {
        if var current = reassembly {
            reassembly = nil // keeps the buffer uniquely referenced while appending
            if contiguous, current.timestamp == packet.timestamp {
                guard current.append(packet.payload, limit: Self.maximumLATMPayloadSize) else {
                    countDropped(current.packetCount + 1)
                    return []
                }
                guard packet.marker else {
                    reassembly = current
                    return []
                }
                return latmUnits(current.buffer, timestamp: current.timestamp, packetCount: current.packetCount)
            }
            countDropped(current.packetCount)
        }
        guard startsAfterBoundary || (packet.marker && !sameTimestamp) else {
            // The rest of an element whose start was lost or dropped.
            countDropped()
            return []
        }
        guard packet.marker else {
            var fragment = Reassembly(timestamp: packet.timestamp, capacity: 2 * packet.payload.readableBytes)
            guard fragment.append(packet.payload, limit: Self.maximumLATMPayloadSize) else {
                countDropped()
                return []
            }
            reassembly = fragment
            return []
        }
        return latmUnits(packet.payload, timestamp: packet.timestamp, packetCount: 1)
    }

    /// The frames of `payload` as units, or none (and `packetCount` counted dropped) when it
    /// does not split into frames.
    private mutating func latmUnits(_ payload: ByteBuffer, timestamp: UInt32, packetCount: Int) -> [RTPDepacketizedUnit] {
        var units: [RTPDepacketizedUnit] = []
        var timestamp = timestamp
        for frame in Self.latmFrames(payload) ?? [] {
            if frame.readableBytes > 0 {
                units.append(RTPDepacketizedUnit(rtpTimestamp: timestamp, payload: frame, isKeyframe: true))
            }
            timestamp &+= Self.aacSamplesPerFrame
        }
        if units.isEmpty { countDropped(packetCount) }
        return units
    }

    /// Splits byte-aligned AudioMuxElements into their frames (slices of `payload`); nil when a
    /// length runs past the end, so the lengths must account for every byte.
    static func latmFrames(_ payload: ByteBuffer) -> [ByteBuffer]? {
        var payload = payload
        var frames: [ByteBuffer] = []
        while payload.readableBytes > 0 {
            var length = 0
            var byte: UInt8 = 0xFF
            while byte == 0xFF {
                guard let next = payload.readInteger(as: UInt8.self) else { return nil }
                byte = next
                length += Int(byte)
                // Ends a long run of 255s as soon as it announces more than the payload holds.
                guard length <= payload.readableBytes else { return nil }
            }
            guard let frame = payload.readSlice(length: length) else { return nil }
            frames.append(frame)
        }
        return frames
    }
}
