import MusterCore
import NIOCore

/// Rebuilds the units of one track from its RTP packets, following the payload format of the
/// track's codec (see `RTPPacketizer` for the RFC sections), or for AAC the one the sender
/// announced (`RTPPayloadFormat`). Every format yields units in the same layout.
///
/// RTP arrives over lossy transports, so nothing here throws: a packet that is malformed, or
/// whose unit can no longer be completed after a loss, is discarded and counted in
/// `droppedPackets`. Reassembly is bounded so a hostile sender cannot grow memory without limit.
public struct RTPDepacketizer: Sendable {
    /// Largest video access unit reassembled; 8 MiB holds an intra picture of 8K video at high
    /// quality, anything larger is far more likely a sender that never sets the marker.
    public static let maximumVideoAccessUnitSize = 8 << 20
    /// Largest KLV unit reassembled (RFC 6597 units are rarely above a few kilobytes).
    public static let maximumKLVUnitSize = 1 << 20
    /// Samples in one AAC frame, the timestamp step between AUs of one packet (RFC 3640 §3.2.1).
    static let aacSamplesPerFrame: UInt32 = 1024

    public let track: MediaTrack
    /// The layout of the track's RTP payloads; only AAC has more than one.
    public let payloadFormat: RTPPayloadFormat
    /// Packets received but discarded: malformed, unsupported, or part of a unit lost to a
    /// sequence gap or an exceeded bound.
    public private(set) var droppedPackets = 0
    /// H.264: SPS then PPS; H.265: VPS, SPS, PPS. Starts from the track's (SDP) parameter sets,
    /// each kind replaced by the latest one seen in-band.
    public private(set) var parameterSets: [ByteBuffer]

    var lastSequenceNumber: UInt16? = nil
    var lastTimestamp: UInt32? = nil
    /// Whether the previous packet ended a unit, so the next one must begin a new unit.
    var lastPacketHadMarker = true
    var accessUnit = NALAccessUnit()
    /// A unit spread over several packets: an H.264/H.265 FU, an AAC fragment or LATM
    /// AudioMuxElement, a KLV unit.
    var reassembly: Reassembly? = nil
    var parameterSetsByType: [UInt8: ByteBuffer] = [:]

    public init(track: MediaTrack, payloadFormat: RTPPayloadFormat = .standard) {
        self.track = track
        self.payloadFormat = payloadFormat
        self.parameterSets = track.parameterSets
        for set in track.parameterSets {
            if let type = parameterSetType(of: set) { parameterSetsByType[type] = set }
        }
    }

    /// Feeds one packet and returns the units it completes, oldest first.
    public mutating func depacketize(_ packet: RTPPacket) -> [RTPDepacketizedUnit] {
        let contiguous = lastSequenceNumber.map { $0 &+ 1 == packet.sequenceNumber } ?? true
        let startsAfterBoundary = lastSequenceNumber == nil || (contiguous && lastPacketHadMarker)
        let sameTimestamp = lastTimestamp == packet.timestamp
        lastSequenceNumber = packet.sequenceNumber
        lastTimestamp = packet.timestamp
        lastPacketHadMarker = packet.marker
        switch track.codec {
        case .h264, .h265:
            return depacketizeNALUnits(packet, contiguous: contiguous)
        case .aac where payloadFormat == .mp4aLATM:
            return depacketizeLATM(packet, contiguous: contiguous, startsAfterBoundary: startsAfterBoundary, sameTimestamp: sameTimestamp)
        case .aac:
            return depacketizeAAC(packet, contiguous: contiguous)
        case .opus, .pcmu, .pcma:
            guard packet.payload.readableBytes > 0 else {
                droppedPackets += 1
                return []
            }
            return [RTPDepacketizedUnit(rtpTimestamp: packet.timestamp, payload: packet.payload, isKeyframe: true)]
        case .klv:
            return depacketizeKLV(packet, contiguous: contiguous, startsAfterBoundary: startsAfterBoundary)
        }
    }

    /// Counts the packets of an abandoned reassembly.
    mutating func dropReassembly() {
        if let reassembly { droppedPackets += reassembly.packetCount }
        reassembly = nil
    }

    /// Keeps the latest set of each kind, ordered VPS, SPS, PPS as decoders expect them.
    mutating func rememberParameterSet(_ unit: ByteBuffer, type: UInt8) {
        guard parameterSetsByType[type] != unit else { return }
        parameterSetsByType[type] = unit
        parameterSets = parameterSetsByType.keys.sorted().compactMap { parameterSetsByType[$0] }
    }

    mutating func countDropped(_ packets: Int = 1) {
        droppedPackets += packets
    }

    /// RFC 6597 §4.2: a KLV unit is every packet up to the one with the marker. A unit is only
    /// trusted when its first packet directly follows a marker, since a loss could have taken
    /// its beginning with no other sign.
    private mutating func depacketizeKLV(
        _ packet: RTPPacket,
        contiguous: Bool,
        startsAfterBoundary: Bool
    ) -> [RTPDepacketizedUnit] {
        if let current = reassembly, !contiguous || current.timestamp != packet.timestamp {
            dropReassembly()
            countDropped()
            return []
        }
        if reassembly == nil {
            guard startsAfterBoundary else {
                countDropped()
                return []
            }
            reassembly = Reassembly(timestamp: packet.timestamp, capacity: packet.payload.readableBytes)
        }
        guard var current = reassembly else { return [] }
        reassembly = nil // keeps the buffer uniquely referenced while appending
        guard current.append(packet.payload, limit: Self.maximumKLVUnitSize) else {
            countDropped(current.packetCount + 1)
            return []
        }
        guard packet.marker else {
            reassembly = current
            return []
        }
        return [RTPDepacketizedUnit(rtpTimestamp: current.timestamp, payload: current.buffer, isKeyframe: true)]
    }
}

/// Bytes of a unit collected across packets.
struct Reassembly: Sendable {
    var buffer: ByteBuffer
    var timestamp: UInt32
    var packetCount = 0
    /// The full size announced up front (AAC AU-size), when the format has one.
    var expectedSize: Int? = nil

    init(timestamp: UInt32, capacity: Int, expectedSize: Int? = nil) {
        self.buffer = ByteBufferAllocator().buffer(capacity: expectedSize ?? capacity)
        self.timestamp = timestamp
        self.expectedSize = expectedSize
    }

    /// Appends one packet's share; false when that would pass `limit` or the announced size.
    mutating func append(_ bytes: ByteBuffer, limit: Int) -> Bool {
        let total = buffer.readableBytes + bytes.readableBytes
        guard total <= min(limit, expectedSize ?? limit) else { return false }
        buffer.writeImmutableBuffer(bytes)
        packetCount += 1
        return true
    }
}
