/// Reads the building blocks of SMPTE ST 336 KLV: BER lengths and BER-OID tags over a byte slice.
struct KLVReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    let end: Int

    init(_ bytes: [UInt8], from offset: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.offset = offset
        self.end = end ?? bytes.count
    }

    var isAtEnd: Bool { offset >= end }

    mutating func byte() throws(KLVError) -> UInt8 {
        guard offset < end else { throw KLVError(.truncated, "the packet ends in the middle of an item") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func bytes(_ count: Int) throws(KLVError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= end - offset else {
            throw KLVError(.truncated, "an item claims \(count) bytes but \(end - offset) remain")
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    /// A BER length (ST 336 §6.3.1): short form below 128, else 0x80 | n followed by n bytes.
    mutating func berLength() throws(KLVError) -> Int {
        let first = try byte()
        guard first & 0x80 != 0 else { return Int(first) }
        let count = Int(first & 0x7F)
        // Lengths beyond 4 bytes cannot fit any real metadata packet; refusing them keeps Int safe.
        guard (1...4).contains(count) else { throw KLVError(.badLength, "a BER length of \(count) bytes is not supported") }
        var value = 0
        for _ in 0..<count { value = value << 8 | Int(try byte()) }
        return value
    }

    /// A BER-OID tag (ST 0601 local set tags): 7 bits per byte, high bit set on all but the last.
    mutating func berOID() throws(KLVError) -> Int {
        var value = 0
        for _ in 0..<4 {
            let next = try byte()
            value = value << 7 | Int(next & 0x7F)
            if next & 0x80 == 0 { return value }
        }
        throw KLVError(.badLength, "a tag is longer than 4 bytes")
    }
}
