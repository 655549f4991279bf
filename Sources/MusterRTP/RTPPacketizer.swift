import MusterCore
import NIOCore

/// Turns the access units of one track into serialized RTP packets (RFC 3550 §5.1), following
/// the payload format of the track's codec:
///
/// - H.264: RFC 6184 §5.6 single NAL unit packets and §5.8 FU-A.
/// - H.265: RFC 7798 §4.4.1 single NAL unit packets and §4.4.3 FUs.
/// - AAC: RFC 3640 §3.3.6 mode AAC-hbr, one frame per packet, fragmented when too large.
/// - Opus (RFC 7587), PCMU/PCMA (RFC 3551 §4.5.14): the frame as is.
/// - KLV: RFC 6597 §4, split across packets with the marker on the last.
///
/// Every packet of one unit carries the same RTP timestamp, derived from the unit's pts.
public struct RTPPacketizer: Sendable {
    public let track: MediaTrack
    public let payloadType: UInt8
    public let ssrc: UInt32
    /// Added to every timestamp: RFC 3550 §5.1 wants a random start so that known-plaintext
    /// attacks on SRTP have less to work with.
    public let timestampOffset: UInt32
    /// Largest serialized packet, RTP header included; chosen to fit a path MTU.
    public let maximumPacketSize: Int
    /// The sequence number the next packet gets (RFC 3550 §5.1 wants a random start).
    public private(set) var nextSequenceNumber: UInt16

    /// Smallest payload room accepted, so fragmentation always advances by at least a few bytes
    /// even when a caller asks for an absurdly small packet size.
    static let minimumPayloadSize = 16

    /// Room for the payload of one packet: `maximumPacketSize` less the fixed header.
    let maximumPayloadSize: Int

    private let allocator = ByteBufferAllocator()
    /// Stands in for the payload when only the header is serialized, so no buffer is allocated
    /// per packet for it.
    private let noPayload = ByteBuffer()

    public init(
        track: MediaTrack,
        payloadType: UInt8,
        ssrc: UInt32,
        initialSequenceNumber: UInt16,
        timestampOffset: UInt32,
        maximumPacketSize: Int = 1400
    ) {
        self.track = track
        self.payloadType = payloadType & 0x7F
        self.ssrc = ssrc
        self.nextSequenceNumber = initialSequenceNumber
        self.timestampOffset = timestampOffset
        self.maximumPacketSize = maximumPacketSize
        self.maximumPayloadSize = max(maximumPacketSize - RTPPacket.fixedHeaderSize, Self.minimumPayloadSize)
    }

    /// The same RTP stream (SSRC, next sequence number, packet size) for a changed track or on a
    /// shifted timeline, so receivers see no discontinuity.
    public func continuing(track: MediaTrack? = nil, timestampOffset: UInt32? = nil) -> RTPPacketizer {
        RTPPacketizer(
            track: track ?? self.track, payloadType: payloadType, ssrc: ssrc, initialSequenceNumber: nextSequenceNumber,
            timestampOffset: timestampOffset ?? self.timestampOffset, maximumPacketSize: maximumPacketSize
        )
    }

    /// The RTP timestamp of a presentation time in track clock units (RFC 3550 §5.1): the low
    /// 32 bits of the pts plus the random offset, wrapping as the RTP clock does.
    public func rtpTimestamp(forPTS pts: Int64) -> UInt32 {
        UInt32(truncatingIfNeeded: pts) &+ timestampOffset
    }

    /// Serializes one access unit into complete RTP packets (header and payload), in sending
    /// order. Returns no packets for an empty unit, or for an AAC frame larger than the 13-bit
    /// AU-size field of AAC-hbr can describe.
    public mutating func packetize(_ unit: AccessUnit) -> [ByteBuffer] {
        let timestamp = rtpTimestamp(forPTS: unit.pts)
        var packets: [ByteBuffer] = []
        switch track.codec {
        case .h264:
            packetizeH264(unit.payload, timestamp: timestamp, into: &packets)
        case .h265:
            packetizeH265(unit.payload, timestamp: timestamp, into: &packets)
        case .aac:
            packetizeAAC(unit.payload, timestamp: timestamp, into: &packets)
        case .opus:
            packetizeWhole(unit.payload, timestamp: timestamp, into: &packets)
        case .pcmu, .pcma:
            packetizeSamples(unit.payload, timestamp: timestamp, into: &packets)
        case .klv:
            packetizeKLV(unit.payload, timestamp: timestamp, into: &packets)
        }
        return packets
    }

    /// Appends one packet: the RTP header, then `prefix` (a payload-format header of a few
    /// bytes), then `body`. Consumes a sequence number.
    mutating func emit(
        prefix: some Collection<UInt8> = EmptyCollection(),
        body: ByteBuffer,
        marker: Bool,
        timestamp: UInt32,
        into packets: inout [ByteBuffer]
    ) {
        let header = RTPPacket(
            marker: marker,
            payloadType: payloadType,
            sequenceNumber: nextSequenceNumber,
            timestamp: timestamp,
            ssrc: ssrc,
            payload: noPayload
        )
        var packet = allocator.buffer(capacity: RTPPacket.fixedHeaderSize + prefix.count + body.readableBytes)
        header.writeHeader(to: &packet)
        packet.writeBytes(prefix)
        packet.writeImmutableBuffer(body)
        packets.append(packet)
        nextSequenceNumber &+= 1
    }

    /// Opus frames cannot be split (RFC 7587 §4.2), so a frame goes out whole, marker set.
    private mutating func packetizeWhole(_ payload: ByteBuffer, timestamp: UInt32, into packets: inout [ByteBuffer]) {
        guard payload.readableBytes > 0 else { return }
        emit(body: payload, marker: true, timestamp: timestamp, into: &packets)
    }

    /// G.711 samples are independent bytes (RFC 3551 §4.5.14), so a long frame is cut into
    /// packets whose timestamps advance by the samples before them.
    private mutating func packetizeSamples(_ payload: ByteBuffer, timestamp: UInt32, into packets: inout [ByteBuffer]) {
        let channels = max(track.channels ?? 1, 1)
        // Whole sample frames per packet, so every packet starts on channel 0.
        let chunk = max(maximumPayloadSize / channels, 1) * channels
        var offset = 0
        let total = payload.readableBytes
        while offset < total {
            let length = min(chunk, total - offset)
            guard let body = payload.getSlice(at: payload.readerIndex + offset, length: length) else { return }
            let advance = UInt32(truncatingIfNeeded: offset / channels)
            emit(body: body, marker: true, timestamp: timestamp &+ advance, into: &packets)
            offset += length
        }
    }

    /// RFC 6597 §4.2: a KLV unit spans as many packets as needed, the marker on the last.
    private mutating func packetizeKLV(_ payload: ByteBuffer, timestamp: UInt32, into packets: inout [ByteBuffer]) {
        var remaining = payload
        while remaining.readableBytes > 0 {
            let length = min(maximumPayloadSize, remaining.readableBytes)
            guard let body = remaining.readSlice(length: length) else { return }
            emit(body: body, marker: remaining.readableBytes == 0, timestamp: timestamp, into: &packets)
        }
    }
}
