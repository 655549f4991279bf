import MusterRTP
import NIOCore
import Testing

@Suite struct RTPPacketTests {
    @Test func parsesPlainPacket() throws {
        let packet = try RTPPacket(parsing: bytes("""
            80 e0 1a 2b  # V=2 P=0 X=0 CC=0, M=1 PT=96, seq 0x1a2b
            00 01 e2 40  # timestamp 123456
            de ad be ef  # SSRC
            65 88 84 00  # payload: start of an IDR slice
            """))
        #expect(packet.marker)
        #expect(packet.payloadType == 96)
        #expect(packet.sequenceNumber == 0x1A2B)
        #expect(packet.timestamp == 123_456)
        #expect(packet.ssrc == 0xDEAD_BEEF)
        #expect(packet.csrcs.isEmpty)
        #expect(packet.extensionHeader == nil)
        #expect(packet.payload == bytes("65 88 84 00"))
    }

    @Test func parsesCSRCExtensionAndPadding() throws {
        let packet = try RTPPacket(parsing: bytes("""
            b2 08 00 07  # V=2 P=1 X=1 CC=2, M=0 PT=8 (PCMA), seq 7
            00 00 00 a0  # timestamp 160
            01 02 03 04  # SSRC
            11 11 11 11  # CSRC 1
            22 22 22 22  # CSRC 2
            be de 00 02  # extension: RFC 8285 one-byte profile, 2 words
            10 ff 22 aa bb 00 00 00
            d5 d5 d5     # payload
            00 00 03     # padding, count 3 includes itself
            """))
        #expect(!packet.marker)
        #expect(packet.payloadType == 8)
        #expect(packet.csrcs == [0x1111_1111, 0x2222_2222])
        #expect(packet.extensionHeader?.profile == 0xBEDE)
        #expect(packet.extensionHeader?.data == bytes("10 ff 22 aa bb 00 00 00"))
        #expect(packet.payload == bytes("d5 d5 d5"))
    }

    @Test func parsingDoesNotCopyThePayload() throws {
        let datagram = bytes("80 60 00 01 00 00 00 00 00 00 00 01 aa bb cc dd")
        let packet = try RTPPacket(parsing: datagram)
        let datagramBase = datagram.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        let payloadBase = packet.payload.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(payloadBase == datagramBase + 12)
    }

    @Test(arguments: [
        ("short", "80 60 00 01 00 00 00 00 00 00 00", RTPError.Code.truncated),
        ("version 1", "40 60 00 01 00 00 00 00 00 00 00 01 aa", .badVersion),
        ("15 CSRCs, room for 1", "8f 60 00 01 00 00 00 00 00 00 00 01 | 00 00 00 02", .badCSRCCount),
        ("extension header cut", "90 60 00 01 00 00 00 00 00 00 00 01 | be de", .badExtension),
        ("extension of 16 words, 1 present", "90 60 00 01 00 00 00 00 00 00 00 01 | be de 00 10 | 10 ff 00 00", .badExtension),
        ("padding count 0", "a0 60 00 01 00 00 00 00 00 00 00 01 | aa bb 00", .badPadding),
        ("padding longer than payload", "a0 60 00 01 00 00 00 00 00 00 00 01 | aa bb 09", .badPadding),
        ("padding bit, no payload", "a0 60 00 01 00 00 00 00 00 00 00 01", .badPadding),
    ])
    func rejectsMalformedPacket(name: String, hex: String, code: RTPError.Code) {
        let error = #expect(throws: RTPError.self, "\(name)") {
            try RTPPacket(parsing: bytes(hex))
        }
        #expect(error?.code == code, "\(name)")
    }

    @Test func writesWhatItParses() throws {
        let packet = RTPPacket(
            marker: true,
            payloadType: 111,
            sequenceNumber: 65_535,
            timestamp: 0xFFFF_FFFF,
            ssrc: 42,
            csrcs: [1, 2, 3],
            extensionHeader: RTPHeaderExtension(profile: 0x1000, data: bytes("01 02 03 04 05 06 07 08")),
            payload: bytes("fc ff fe")
        )
        var wire = ByteBuffer()
        packet.write(to: &wire)
        #expect(wire.readableBytes == packet.headerSize + 3)
        #expect(try RTPPacket(parsing: wire) == packet)
    }

    @Test func writesKnownBytes() {
        let packet = RTPPacket(marker: true, payloadType: 96, sequenceNumber: 0x1A2B, timestamp: 123_456, ssrc: 0xDEAD_BEEF, payload: bytes("65 88"))
        var wire = ByteBuffer()
        packet.write(to: &wire)
        #expect(wire == bytes("80 e0 1a 2b 00 01 e2 40 de ad be ef 65 88"))
    }

    @Test func padsExtensionToWholeWords() throws {
        let packet = RTPPacket(
            payloadType: 96, sequenceNumber: 1, timestamp: 2, ssrc: 3,
            extensionHeader: RTPHeaderExtension(profile: 0xBEDE, data: bytes("10 ff 22")),
            payload: bytes("aa")
        )
        var wire = ByteBuffer()
        packet.write(to: &wire)
        #expect(wire == bytes("90 60 00 01 00 00 00 02 00 00 00 03 | be de 00 01 | 10 ff 22 00 | aa"))
        #expect(try RTPPacket(parsing: wire).extensionHeader?.data == bytes("10 ff 22 00"))
    }
}
