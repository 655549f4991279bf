import MusterCore
import NIOCore

/// H.264 (RFC 6184) and H.265 (RFC 7798) packetization: both send small NAL units as they are
/// and cut large ones into fragmentation units; they differ in header sizes and type numbers.
extension RTPPacketizer {
    /// RFC 6184 §5.4 type of an FU-A packet.
    static let h264FragmentationUnitType: UInt8 = 28
    /// RFC 7798 §4.4.3 type of an FU packet.
    static let h265FragmentationUnitType: UInt8 = 49

    /// RFC 6184 §5.6 (single NAL unit) and §5.8 (FU-A), non-interleaved mode.
    mutating func packetizeH264(_ payload: ByteBuffer, timestamp: UInt32, into packets: inout [ByteBuffer]) {
        // Delimiters carry nothing the receiver needs: RTP framing already marks access units.
        var units = LengthPrefixedNALUnits.split(payload).filter { unit in
            guard let header = unit.getInteger(at: unit.readerIndex, as: UInt8.self) else { return false }
            return H264NALUnit.type(ofHeader: header) != H264NALUnit.accessUnitDelimiter
        }
        let types = units.compactMap { $0.getInteger(at: $0.readerIndex, as: UInt8.self).map(H264NALUnit.type(ofHeader:)) }
        if types.contains(H264NALUnit.idr) {
            units = missingParameterSets(present: Set(types), type: { H264NALUnit.type(ofHeader: $0) }) + units
        }
        for (index, unit) in units.enumerated() {
            sendNALUnit(unit, headerSize: 1, isLast: index == units.count - 1, timestamp: timestamp, into: &packets)
        }
    }

    /// RFC 7798 §4.4.1 (single NAL unit) and §4.4.3 (FU), without DONL (sprop-max-don-diff 0).
    mutating func packetizeH265(_ payload: ByteBuffer, timestamp: UInt32, into packets: inout [ByteBuffer]) {
        var units = LengthPrefixedNALUnits.split(payload).filter { unit in
            guard unit.readableBytes >= 2, let header = unit.getInteger(at: unit.readerIndex, as: UInt8.self) else {
                return false
            }
            return H265NALUnit.type(ofHeader: header) != H265NALUnit.accessUnitDelimiter
        }
        let types = units.compactMap { $0.getInteger(at: $0.readerIndex, as: UInt8.self).map(H265NALUnit.type(ofHeader:)) }
        if types.contains(where: H265NALUnit.isRandomAccessPoint) {
            units = missingParameterSets(present: Set(types), type: { H265NALUnit.type(ofHeader: $0) }) + units
        }
        for (index, unit) in units.enumerated() {
            sendNALUnit(unit, headerSize: 2, isLast: index == units.count - 1, timestamp: timestamp, into: &packets)
        }
    }

    /// The track's out-of-band parameter sets whose type the picture lacks. Sending them ahead
    /// of every random access point lets a receiver that joined late, or that never read the
    /// SDP, start decoding at that picture.
    private func missingParameterSets(present: Set<UInt8>, type: (UInt8) -> UInt8) -> [ByteBuffer] {
        track.parameterSets.filter { set in
            guard let header = set.getInteger(at: set.readerIndex, as: UInt8.self) else { return false }
            return !present.contains(type(header))
        }
    }

    /// Sends one NAL unit whole if it fits, else as fragmentation units; the marker goes on the
    /// unit's final packet when it is the access unit's last NAL unit.
    private mutating func sendNALUnit(
        _ unit: ByteBuffer,
        headerSize: Int,
        isLast: Bool,
        timestamp: UInt32,
        into packets: inout [ByteBuffer]
    ) {
        guard unit.readableBytes >= headerSize else { return }
        if unit.readableBytes <= maximumPayloadSize {
            emit(body: unit, marker: isLast, timestamp: timestamp, into: &packets)
            return
        }
        let view = unit.readableBytesView
        let first = view[view.startIndex]
        // Payload header of the fragments, then the FU header's type bits: the original NAL
        // header is not sent, the receiver rebuilds it from these (RFC 6184 §5.8, RFC 7798 §4.4.3).
        let payloadHeader: [UInt8]
        let originalType: UInt8
        if headerSize == 1 {
            payloadHeader = [first & 0xE0 | Self.h264FragmentationUnitType]
            originalType = H264NALUnit.type(ofHeader: first)
        } else {
            let second = view[view.startIndex + 1]
            payloadHeader = [first & 0x81 | Self.h265FragmentationUnitType << 1, second]
            originalType = H265NALUnit.type(ofHeader: first)
        }
        let fragmentSize = maximumPayloadSize - payloadHeader.count - 1
        var body = unit
        body.moveReaderIndex(forwardBy: headerSize)
        var isFirst = true
        while body.readableBytes > 0 {
            let length = min(fragmentSize, body.readableBytes)
            guard let fragment = body.readSlice(length: length) else { return }
            let isEnd = body.readableBytes == 0
            let fuHeader = (isFirst ? 0x80 : 0) | (isEnd ? 0x40 : 0) | originalType
            emit(
                prefix: payloadHeader + [fuHeader],
                body: fragment,
                marker: isEnd && isLast,
                timestamp: timestamp,
                into: &packets
            )
            isFirst = false
        }
    }
}
