import NIOCore

/// The header extension of an RTP packet (RFC 3550 §5.3.1): a profile-defined 16-bit identifier
/// and a body whose length is a whole number of 32-bit words.
///
/// One-byte and two-byte element formats (RFC 8285) live inside `data`; this type does not
/// interpret them because the relay forwards extensions opaquely.
public struct RTPHeaderExtension: Sendable, Hashable {
    /// "defined by profile": 0xBEDE for RFC 8285 one-byte elements, 0x100x for two-byte ones.
    public var profile: UInt16
    /// The extension body, without the 4-byte extension header.
    public var data: ByteBuffer

    public init(profile: UInt16, data: ByteBuffer) {
        self.profile = profile
        self.data = data
    }

    /// Bytes the extension occupies on the wire, including its 4-byte header and the zero
    /// padding `write(to:)` adds to reach a 32-bit boundary.
    public var encodedSize: Int { 4 + wordCount * 4 }

    /// The length field can count at most 65 535 words; a longer body is cut there rather than
    /// letting the field wrap and misframe the rest of the packet.
    private var wordCount: Int { min((data.readableBytes + 3) / 4, Int(UInt16.max)) }

    /// Writes the extension header and body, zero-padding the body to a 32-bit boundary because
    /// the length field counts whole words.
    public func write(to buffer: inout ByteBuffer) {
        let words = wordCount
        let bodyBytes = min(data.readableBytes, words * 4)
        buffer.writeInteger(profile)
        buffer.writeInteger(UInt16(words))
        buffer.writeImmutableBuffer(data.getSlice(at: data.readerIndex, length: bodyBytes) ?? data)
        let padding = words * 4 - bodyBytes
        if padding > 0 { buffer.writeRepeatingByte(0, count: padding) }
    }
}
