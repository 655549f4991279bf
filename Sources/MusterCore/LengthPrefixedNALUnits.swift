#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
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
        var ranges: [Range<Int>] = []
        stream.withUnsafeReadableBytes { bytes in
            forEachAnnexBUnit(in: bytes) { ranges.append($0) }
        }
        return ranges.map { stream.getSlice(at: stream.readerIndex + $0.lowerBound, length: $0.count)! }
    }

    /// Rewrites an Annex-B byte stream as length-prefixed NAL units with a single copy and no
    /// intermediate buffers: every ingested picture passes through here. Nil when the stream
    /// holds no NAL unit.
    public static func fromAnnexB(_ bytes: UnsafeRawBufferPointer, allocator: ByteBufferAllocator = .init()) -> ByteBuffer? {
        // A start code is at least three bytes and its length field four: room for a few
        // three-byte codes; more make the buffer grow once.
        var payload = allocator.buffer(capacity: bytes.count + 16)
        forEachAnnexBUnit(in: bytes) { unit in
            payload.writeInteger(UInt32(unit.count))
            payload.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[unit]))
        }
        return payload.readableBytes > 0 ? payload : nil
    }

    /// Whether any NAL unit of a length-prefixed payload has a header byte that `matches`.
    public static func containsUnit(in payload: ByteBuffer, withHeader matches: (UInt8) -> Bool) -> Bool {
        var offset = payload.readerIndex
        while let length = payload.getInteger(at: offset, as: UInt32.self), length > 0,
              let header = payload.getInteger(at: offset + 4, as: UInt8.self) {
            if matches(header) { return true }
            offset += 4 + Int(length)
        }
        return false
    }

    /// Calls `body` with the range of each NAL unit of an Annex-B stream, in order. Bytes before
    /// the first start code belong to no unit.
    ///
    /// A start code ends with the only 01 byte of the three, so `memchr` (many bytes per
    /// instruction) finds the candidates; compressed pictures have few 01 bytes.
    static func forEachAnnexBUnit(in bytes: UnsafeRawBufferPointer, _ body: (Range<Int>) -> Void) {
        guard let base = bytes.baseAddress else { return }
        let count = bytes.count
        var unitStart: Int? = nil
        func closeUnit(endingBefore codeStart: Int) {
            guard let begin = unitStart else { return }
            var unitEnd = codeStart
            // A four-byte start code's leading zero (and trailing_zero_8bits) is not the unit's.
            while unitEnd > begin, bytes[unitEnd - 1] == 0 { unitEnd -= 1 }
            if unitEnd > begin { body(begin..<unitEnd) }
        }
        var searchFrom = 2
        while searchFrom < count, let found = memchr(base + searchFrom, 1, count - searchFrom) {
            let index = base.distance(to: UnsafeRawPointer(found))
            guard bytes[index - 1] == 0, bytes[index - 2] == 0 else {
                searchFrom = index + 1
                continue
            }
            closeUnit(endingBefore: index - 2)
            unitStart = index + 1
            // The next start code cannot end within two bytes of this one's 01.
            searchFrom = index + 3
        }
        if let begin = unitStart, begin < count { body(begin..<count) }
    }
}
