import MusterCore
import NIOCore

/// How a container stores H.264/H.265 NAL units, and the parameter sets it carries out of band.
struct NALUnitConfiguration: Sendable, Hashable {
    /// Raw parameter set NAL units (no start codes, no lengths), in decoding order.
    var parameterSets: [ByteBuffer]
    /// Size of each packet's NAL unit length fields (1, 2 or 4) for avcC/hvcC streams;
    /// nil when packets are Annex-B byte streams with start codes.
    var lengthSize: Int?

    /// Reads avcC (ISO 14496-15 §5.3.3.1), or Annex-B extradata as MPEG-TS and raw streams have.
    static func h264(extradata: [UInt8]) -> NALUnitConfiguration? {
        guard let first = extradata.first else { return NALUnitConfiguration(parameterSets: [], lengthSize: nil) }
        guard first == 1 else { return annexB(extradata, isParameterSet: { [7, 8].contains($0 & 0x1F) }) }
        var reader = ByteBuffer(bytes: extradata)
        guard reader.moveReaderIndexIfPossible(by: 4), let lengthByte = reader.readInteger(as: UInt8.self),
              let spsCount = reader.readInteger(as: UInt8.self) else { return nil }
        var sets: [ByteBuffer] = []
        for _ in 0..<(spsCount & 0x1F) {
            guard let set = reader.readLengthPrefixedUnit() else { return nil }
            sets.append(set)
        }
        guard let ppsCount = reader.readInteger(as: UInt8.self) else { return nil }
        for _ in 0..<ppsCount {
            guard let set = reader.readLengthPrefixedUnit() else { return nil }
            sets.append(set)
        }
        return NALUnitConfiguration(parameterSets: sets, lengthSize: Int(lengthByte & 0x03) + 1)
    }

    /// Reads hvcC (ISO 14496-15 §8.3.3.1: 22 fixed bytes, then arrays of NAL units by type), or
    /// Annex-B extradata.
    static func h265(extradata: [UInt8]) -> NALUnitConfiguration? {
        guard extradata.count >= 23, extradata[0] == 1 else {
            if extradata.isEmpty { return NALUnitConfiguration(parameterSets: [], lengthSize: nil) }
            return annexB(extradata, isParameterSet: { (32...34).contains(($0 >> 1) & 0x3F) })
        }
        var reader = ByteBuffer(bytes: extradata)
        reader.moveReaderIndex(forwardBy: 21)
        guard let lengthByte = reader.readInteger(as: UInt8.self),
              let arrayCount = reader.readInteger(as: UInt8.self) else { return nil }
        var setsByType: [(type: UInt8, unit: ByteBuffer)] = []
        for _ in 0..<arrayCount {
            guard let typeByte = reader.readInteger(as: UInt8.self),
                  let unitCount = reader.readInteger(as: UInt16.self) else { return nil }
            for _ in 0..<unitCount {
                guard let unit = reader.readLengthPrefixedUnit() else { return nil }
                setsByType.append((typeByte & 0x3F, unit))
            }
        }
        // VPS, SPS, PPS order, whatever order the arrays came in; SEI arrays are not parameter sets.
        let sets = setsByType.filter { (32...34).contains($0.type) }.sorted { $0.type < $1.type }.map(\.unit)
        return NALUnitConfiguration(parameterSets: sets, lengthSize: Int(lengthByte & 0x03) + 1)
    }

    private static func annexB(_ extradata: [UInt8], isParameterSet: (UInt8) -> Bool) -> NALUnitConfiguration? {
        let units = LengthPrefixedNALUnits.splitAnnexB(ByteBuffer(bytes: extradata))
        guard !units.isEmpty else { return nil }
        let sets = units.filter { unit in unit.getInteger(at: unit.readerIndex, as: UInt8.self).map(isParameterSet) ?? false }
        return NALUnitConfiguration(parameterSets: sets, lengthSize: nil)
    }
}

private extension ByteBuffer {
    /// A 16-bit length and that many bytes, as in avcC and hvcC parameter set lists.
    mutating func readLengthPrefixedUnit() -> ByteBuffer? {
        guard let length = getInteger(at: readerIndex, as: UInt16.self),
              readableBytes >= 2 + Int(length) else { return nil }
        moveReaderIndex(forwardBy: 2)
        return readSlice(length: Int(length))
    }

    mutating func moveReaderIndexIfPossible(by count: Int) -> Bool {
        guard readableBytes >= count else { return false }
        moveReaderIndex(forwardBy: count)
        return true
    }
}

/// The 7- or 9-byte header MPEG-TS and raw AAC streams put before every frame (ISO 14496-3 §1.A.2).
struct ADTSHeader: Sendable, Hashable {
    var audioObjectType: UInt8
    var samplingFrequencyIndex: UInt8
    var channelConfiguration: UInt8
    /// 7, or 9 when a CRC follows.
    var headerLength: Int
    /// Header plus raw frame.
    var frameLength: Int

    init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= 7, bytes[0] == 0xFF, bytes[1] & 0xF6 == 0xF0 else { return nil }
        headerLength = bytes[1] & 0x01 == 1 ? 7 : 9
        audioObjectType = (bytes[2] >> 6) + 1
        samplingFrequencyIndex = (bytes[2] >> 2) & 0x0F
        channelConfiguration = (bytes[2] & 0x01) << 2 | bytes[3] >> 6
        frameLength = Int(bytes[3] & 0x03) << 11 | Int(bytes[4]) << 3 | Int(bytes[5]) >> 5
        guard frameLength > headerLength, samplingFrequencyIndex < 13 else { return nil }
    }

    /// The 2-byte AudioSpecificConfig describing the same stream (ISO 14496-3 §1.6.2.1).
    var audioSpecificConfig: ByteBuffer {
        let value = UInt16(audioObjectType) << 11 | UInt16(samplingFrequencyIndex) << 7 | UInt16(channelConfiguration) << 3
        return ByteBuffer(integer: value)
    }

    /// Raw AAC frames of a packet holding one or more ADTS frames; nil if it does not start with one.
    static func frames(in bytes: UnsafeRawBufferPointer) -> [ByteBuffer]? {
        var frames: [ByteBuffer] = []
        var offset = 0
        while offset < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            guard let header = ADTSHeader(rest) else { break }
            let end = min(header.frameLength, rest.count)
            frames.append(ByteBuffer(bytes: rest[header.headerLength..<end]))
            offset += header.frameLength
        }
        return frames.isEmpty ? nil : frames
    }
}
