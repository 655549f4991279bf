import MusterRTP
import NIOCore
import Testing

@Suite struct SRTPSessionTests {
    /// 16-byte master key then 14-byte master salt (RFC 3711 §8.2).
    static let key: [UInt8] = Array(0..<30)

    static func rtpPacket(sequenceNumber: UInt16) -> ByteBuffer {
        var wire = ByteBuffer()
        RTPPacket(marker: true, payloadType: 96, sequenceNumber: sequenceNumber, timestamp: 3000, ssrc: 0xCAFE_BABE, payload: pattern(100))
            .write(to: &wire)
        return wire
    }

    @Test func protectThenUnprotectRoundTrips() throws {
        let sender = try SRTPSession(masterKeyAndSalt: Self.key, direction: .outbound)
        let receiver = try SRTPSession(masterKeyAndSalt: Self.key, direction: .inbound)
        for sequenceNumber: UInt16 in 1...3 {
            let plain = Self.rtpPacket(sequenceNumber: sequenceNumber)
            var packet = plain
            try sender.protect(&packet)
            #expect(packet.readableBytes == plain.readableBytes + 10) // 80-bit tag
            #expect(packet.getSlice(at: packet.readerIndex, length: 12) == plain.getSlice(at: plain.readerIndex, length: 12))
            #expect(packet.getSlice(at: packet.readerIndex + 12, length: 100) != plain.getSlice(at: plain.readerIndex + 12, length: 100))
            #expect(plain == Self.rtpPacket(sequenceNumber: sequenceNumber), "the caller's copy is untouched")
            try receiver.unprotect(&packet)
            #expect(packet == plain)
        }
    }

    @Test func shortTagProfile() throws {
        let sender = try SRTPSession(profile: .aesCM128HMACSHA1_32, masterKeyAndSalt: Self.key, direction: .outbound)
        let receiver = try SRTPSession(profile: .aesCM128HMACSHA1_32, masterKeyAndSalt: Self.key, direction: .inbound)
        let plain = Self.rtpPacket(sequenceNumber: 1)
        var packet = plain
        try sender.protect(&packet)
        #expect(packet.readableBytes == plain.readableBytes + 4)
        try receiver.unprotect(&packet)
        #expect(packet == plain)
    }

    @Test func tamperedPacketFailsAuthentication() throws {
        let sender = try SRTPSession(masterKeyAndSalt: Self.key, direction: .outbound)
        let receiver = try SRTPSession(masterKeyAndSalt: Self.key, direction: .inbound)
        var packet = Self.rtpPacket(sequenceNumber: 1)
        try sender.protect(&packet)
        var tampered = packet
        let index = tampered.readerIndex + 20
        tampered.setInteger((tampered.getInteger(at: index, as: UInt8.self) ?? 0) ^ 0x01, at: index)
        let error = #expect(throws: SRTPError.self) { try receiver.unprotect(&tampered) }
        #expect(error?.name == "auth_fail")
        #expect(error?.isAuthenticationFailure == true)
        #expect(error?.isDropAndCount == true)
        // The session survives: the genuine packet still decrypts.
        try receiver.unprotect(&packet)
        #expect(packet == Self.rtpPacket(sequenceNumber: 1))
    }

    @Test func replayedPacketIsRejected() throws {
        let sender = try SRTPSession(masterKeyAndSalt: Self.key, direction: .outbound)
        let receiver = try SRTPSession(masterKeyAndSalt: Self.key, direction: .inbound)
        var packet = Self.rtpPacket(sequenceNumber: 7)
        try sender.protect(&packet)
        var first = packet
        try receiver.unprotect(&first)
        var replay = packet
        let error = #expect(throws: SRTPError.self) { try receiver.unprotect(&replay) }
        #expect(error?.name == "replay_fail")
        #expect(error?.isReplay == true)
        #expect(error?.isDropAndCount == true)
    }

    @Test func rtcpRoundTripsAndWrongKeyFails() throws {
        let sender = try SRTPSession(masterKeyAndSalt: Self.key, direction: .outbound)
        let receiver = try SRTPSession(masterKeyAndSalt: Self.key, direction: .inbound)
        let stranger = try SRTPSession(masterKeyAndSalt: Array(repeating: 7, count: 30), direction: .inbound)
        var plain = ByteBuffer()
        RTCPSenderReport(ssrc: 0xCAFE_BABE, ntpTimestamp: 1, rtpTimestamp: 2, packetCount: 3, octetCount: 4).write(to: &plain)
        var packet = plain
        try sender.protectRTCP(&packet)
        #expect(packet.readableBytes == plain.readableBytes + 4 + 10) // E flag + index, 80-bit tag
        var forged = packet
        #expect(throws: SRTPError.self) { try stranger.unprotectRTCP(&forged) }
        try receiver.unprotectRTCP(&packet)
        #expect(packet == plain)
    }

    @Test func rejectsWrongKeyLength() {
        let error = #expect(throws: SRTPError.self) {
            try SRTPSession(masterKeyAndSalt: Array(repeating: 0, count: 16), direction: .outbound)
        }
        #expect(error?.name == "bad_key_length")
    }

    @Test func protectsASliceOfALargerBuffer() throws {
        let sender = try SRTPSession(masterKeyAndSalt: Self.key, direction: .outbound)
        let receiver = try SRTPSession(masterKeyAndSalt: Self.key, direction: .inbound)
        var datagrams = Self.rtpPacket(sequenceNumber: 1)
        datagrams.writeImmutableBuffer(Self.rtpPacket(sequenceNumber: 2))
        let length = Self.rtpPacket(sequenceNumber: 1).readableBytes
        // An odd offset also exercises the realignment path.
        var shifted = bytes("00")
        shifted.writeImmutableBuffer(datagrams)
        shifted.moveReaderIndex(forwardBy: 1 + length)
        var second = shifted
        try sender.protect(&second)
        try receiver.unprotect(&second)
        #expect(second == Self.rtpPacket(sequenceNumber: 2))
    }
}
