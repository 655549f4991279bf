import NIOCore

/// The video payload layout of `AccessUnit`: NAL units each preceded by a 4-byte big-endian length.
public enum LengthPrefixedNALUnits {
    /// Splits a payload into its NAL units as slices of the same storage (no copy).
    /// A truncated trailing unit is dropped: it cannot be decoded anyway.
    public static func split(_ payload: ByteBuffer) -> [ByteBuffer] {
        var buffer = payload
        var units: [ByteBuffer] = []
        while let length = buffer.readInteger(as: UInt32.self) {
            guard length > 0, let unit = buffer.readSlice(length: Int(length)) else { break }
            units.append(unit)
        }
        return units
    }

    /// Joins NAL units into one payload.
    public static func join<Units: Sequence<ByteBuffer>>(_ units: Units, allocator: ByteBufferAllocator = .init()) -> ByteBuffer {
        var payload = allocator.buffer(capacity: units.reduce(0) { $0 + 4 + $1.readableBytes })
        for unit in units {
            payload.writeInteger(UInt32(unit.readableBytes))
            payload.writeImmutableBuffer(unit)
        }
        return payload
    }

    /// Converts an Annex-B byte stream (start codes 00 00 01 or 00 00 00 01) into NAL units.
    public static func splitAnnexB(_ stream: ByteBuffer) -> [ByteBuffer] {
        let view = stream.readableBytesView
        let start = view.startIndex
        var units: [ByteBuffer] = []
        var unitStart: Int? = nil
        var index = start
        let end = view.endIndex
        while index + 2 < end {
            if view[index] == 0, view[index + 1] == 0, view[index + 2] == 1 {
                if let begin = unitStart {
                    var unitEnd = index
                    while unitEnd > begin, view[unitEnd - 1] == 0 { unitEnd -= 1 }
                    if unitEnd > begin {
                        units.append(stream.getSlice(at: stream.readerIndex + begin - start, length: unitEnd - begin)!)
                    }
                }
                index += 3
                unitStart = index
            } else {
                index += 1
            }
        }
        if let begin = unitStart, begin < end {
            units.append(stream.getSlice(at: stream.readerIndex + begin - start, length: end - begin)!)
        }
        return units
    }
}
