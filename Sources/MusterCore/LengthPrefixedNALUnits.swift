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
    ///
    /// This runs over every byte of every ingested picture, so it looks at every third byte where
    /// it can: a byte above 1 cannot be part of a start code ending within the next two bytes.
    public static func splitAnnexB(_ stream: ByteBuffer) -> [ByteBuffer] {
        // (offset, length) of each unit within the readable bytes.
        let ranges = stream.withUnsafeReadableBytes { bytes -> [(Int, Int)] in
            var ranges: [(Int, Int)] = []
            var unitStart: Int? = nil
            func closeUnit(endingBefore codeStart: Int) {
                guard let begin = unitStart else { return }
                var unitEnd = codeStart
                // A four-byte start code's leading zero (and trailing_zero_8bits) is not the unit's.
                while unitEnd > begin, bytes[unitEnd - 1] == 0 { unitEnd -= 1 }
                if unitEnd > begin { ranges.append((begin, unitEnd - begin)) }
            }
            let count = bytes.count
            var index = 2
            while index < count {
                let byte = bytes[index]
                if byte == 0 {
                    index += 1
                } else if byte == 1, bytes[index - 1] == 0, bytes[index - 2] == 0 {
                    closeUnit(endingBefore: index - 2)
                    unitStart = index + 1
                    index += 3
                } else {
                    index += 3
                }
            }
            if let begin = unitStart, begin < count { ranges.append((begin, count - begin)) }
            return ranges
        }
        return ranges.map { stream.getSlice(at: stream.readerIndex + $0.0, length: $0.1)! }
    }
}
