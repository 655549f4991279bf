import MusterCore
import NIOCore

/// The NAL units of the access unit being collected: every NAL unit with one RTP timestamp.
struct NALAccessUnit: Sendable {
    var timestamp: UInt32? = nil
    var units: [ByteBuffer] = []
    /// Bytes of the length-prefixed payload so far, checked against the bound.
    var byteCount = 0
    var packetCount = 0
    var isKeyframe = false
    /// Set when the bound was exceeded: the rest of this access unit is discarded.
    var isDiscarding = false
}

/// H.264 (RFC 6184 §5.6–5.8) and H.265 (RFC 7798 §4.4) depacketization, non-interleaved.
extension RTPDepacketizer {
    /// Collects the NAL units of the packet into the current access unit. An access unit ends
    /// at its marker bit (RFC 6184 §5.1) or, when that packet was lost, at the first packet of
    /// the next timestamp.
    mutating func depacketizeNALUnits(_ packet: RTPPacket, contiguous: Bool) -> [RTPDepacketizedUnit] {
        var output: [RTPDepacketizedUnit] = []
        if let timestamp = accessUnit.timestamp, timestamp != packet.timestamp {
            flushAccessUnit(into: &output)
        }
        accessUnit.timestamp = packet.timestamp
        if accessUnit.isDiscarding {
            countDropped()
        } else {
            let accepted = track.codec == .h264
                ? readH264Payload(packet.payload, contiguous: contiguous)
                : readH265Payload(packet.payload, contiguous: contiguous)
            if !accepted { countDropped() }
        }
        if packet.marker { flushAccessUnit(into: &output) }
        return output
    }

    /// RFC 6184 §5.2 payload types 1–23 (single NAL unit), 24 (STAP-A), 28 (FU-A).
    private mutating func readH264Payload(_ payload: ByteBuffer, contiguous: Bool) -> Bool {
        guard let header = payload.getInteger(at: payload.readerIndex, as: UInt8.self) else { return false }
        switch header & 0x1F {
        case 1...23:
            return addNALUnits([payload], packets: 1)
        case 24:
            guard let units = splitAggregationPacket(payload, headerSize: 1, minimumUnitSize: 1) else { return false }
            return addNALUnits(units, packets: 1)
        case 28:
            guard let fuHeader = payload.getInteger(at: payload.readerIndex + 1, as: UInt8.self) else { return false }
            // The original header: F and NRI from the FU indicator, type from the FU header.
            let nalHeader = [header & 0xE0 | fuHeader & 0x1F]
            return readFragment(payload, prefixSize: 2, fuHeader: fuHeader, nalHeader: nalHeader, contiguous: contiguous)
        default:
            // STAP-B, MTAP and FU-B belong to the interleaved mode, which SDP never negotiates.
            return false
        }
    }

    /// RFC 7798 §4.4 payload types 0–47 (single NAL unit), 48 (AP), 49 (FU).
    private mutating func readH265Payload(_ payload: ByteBuffer, contiguous: Bool) -> Bool {
        guard let first = payload.getInteger(at: payload.readerIndex, as: UInt8.self),
              let second = payload.getInteger(at: payload.readerIndex + 1, as: UInt8.self)
        else { return false }
        switch H265NALUnit.type(ofHeader: first) {
        case 0...47:
            return addNALUnits([payload], packets: 1)
        case 48:
            guard let units = splitAggregationPacket(payload, headerSize: 2, minimumUnitSize: 2) else { return false }
            return addNALUnits(units, packets: 1)
        case 49:
            guard let fuHeader = payload.getInteger(at: payload.readerIndex + 2, as: UInt8.self) else { return false }
            // The original header: F, layer and TID from the payload header, type from the FU header.
            let nalHeader = [first & 0x81 | (fuHeader & 0x3F) << 1, second]
            return readFragment(payload, prefixSize: 3, fuHeader: fuHeader, nalHeader: nalHeader, contiguous: contiguous)
        default:
            // PACI (50) carries extensions this relay does not negotiate.
            return false
        }
    }

    /// The NAL units of a STAP-A (RFC 6184 §5.7.1) or AP (RFC 7798 §4.4.2): 16-bit sizes, each
    /// followed by a NAL unit. Nil when any size is zero or runs past the packet, so a damaged
    /// packet is dropped whole rather than yielding a partial NAL unit.
    private func splitAggregationPacket(_ payload: ByteBuffer, headerSize: Int, minimumUnitSize: Int) -> [ByteBuffer]? {
        var body = payload
        body.moveReaderIndex(forwardBy: headerSize)
        var units: [ByteBuffer] = []
        while body.readableBytes > 0 {
            guard let size = body.readInteger(as: UInt16.self), Int(size) >= minimumUnitSize,
                  let unit = body.readSlice(length: Int(size))
            else { return nil }
            units.append(unit)
        }
        return units.isEmpty ? nil : units
    }

    /// One fragmentation unit (RFC 6184 §5.8, RFC 7798 §4.4.3). A fragment that does not directly
    /// follow its predecessor means one in between was lost, and the NAL unit can no longer be
    /// rebuilt: it is dropped whole, together with its remaining fragments.
    private mutating func readFragment(
        _ payload: ByteBuffer,
        prefixSize: Int,
        fuHeader: UInt8,
        nalHeader: [UInt8],
        contiguous: Bool
    ) -> Bool {
        let isStart = fuHeader & 0x80 != 0
        let isEnd = fuHeader & 0x40 != 0
        guard let body = payload.getSlice(at: payload.readerIndex + prefixSize, length: payload.readableBytes - prefixSize)
        else { return false }
        if isStart {
            dropReassembly()
            var fragment = Reassembly(timestamp: accessUnit.timestamp ?? 0, capacity: 2 * Int(UInt16.max))
            fragment.buffer.writeBytes(nalHeader)
            reassembly = fragment
        } else if reassembly == nil || !contiguous {
            dropReassembly()
            return false
        }
        guard var fragment = reassembly else { return false }
        reassembly = nil // keeps the buffer uniquely referenced while appending
        let room = Self.maximumVideoAccessUnitSize - accessUnit.byteCount - 4
        guard fragment.append(body, limit: room) else {
            countDropped(fragment.packetCount)
            return false
        }
        guard isEnd else {
            reassembly = fragment
            return true
        }
        return addNALUnits([fragment.buffer], packets: fragment.packetCount)
    }

    /// Adds complete NAL units to the access unit, or starts discarding it at the size bound.
    private mutating func addNALUnits(_ units: [ByteBuffer], packets: Int) -> Bool {
        let bytes = units.reduce(0) { $0 + 4 + $1.readableBytes }
        guard accessUnit.byteCount + bytes <= Self.maximumVideoAccessUnitSize else {
            countDropped(accessUnit.packetCount + packets - 1)
            accessUnit.units = []
            accessUnit.isDiscarding = true
            return false
        }
        for unit in units {
            guard let header = unit.getInteger(at: unit.readerIndex, as: UInt8.self) else { continue }
            if track.codec == .h264 {
                if H264NALUnit.type(ofHeader: header) == H264NALUnit.idr { accessUnit.isKeyframe = true }
            } else if H265NALUnit.isRandomAccessPoint(H265NALUnit.type(ofHeader: header)) {
                accessUnit.isKeyframe = true
            }
            if let type = parameterSetType(of: unit) { rememberParameterSet(unit, type: type) }
            accessUnit.units.append(unit)
        }
        accessUnit.byteCount += bytes
        accessUnit.packetCount += packets
        return true
    }

    /// Emits the collected access unit, if any survived, and starts a new one. A fragmented NAL
    /// unit still open here lost its end fragment.
    mutating func flushAccessUnit(into output: inout [RTPDepacketizedUnit]) {
        dropReassembly()
        if let timestamp = accessUnit.timestamp, !accessUnit.isDiscarding, !accessUnit.units.isEmpty {
            output.append(RTPDepacketizedUnit(
                rtpTimestamp: timestamp,
                payload: LengthPrefixedNALUnits.join(accessUnit.units),
                isKeyframe: accessUnit.isKeyframe
            ))
        }
        accessUnit = NALAccessUnit()
    }

    /// The NAL type of a parameter set (H.264 SPS/PPS, H.265 VPS/SPS/PPS), nil for others.
    func parameterSetType(of unit: ByteBuffer) -> UInt8? {
        guard let header = unit.getInteger(at: unit.readerIndex, as: UInt8.self) else { return nil }
        switch track.codec {
        case .h264:
            let type = H264NALUnit.type(ofHeader: header)
            return type == H264NALUnit.sps || type == H264NALUnit.pps ? type : nil
        case .h265:
            let type = H265NALUnit.type(ofHeader: header)
            return (H265NALUnit.vps...H265NALUnit.pps).contains(type) ? type : nil
        default:
            return nil
        }
    }
}
