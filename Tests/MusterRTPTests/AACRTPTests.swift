import MusterCore
import MusterRTP
import NIOCore
import Testing

@Suite struct AACRTPTests {
    static let track = MediaTrack(id: 1, codec: .aac, clockRate: 48_000, channels: 2, audioSpecificConfig: bytes("11 90"))

    @Test func singleFrameMatchesFixture() throws {
        var packetizer = RTPPacketizer(track: Self.track, payloadType: 97, ssrc: 9, initialSequenceNumber: 5, timestampOffset: 0)
        let frame = bytes("21 10 04 60 8c 1c 00 00 00")
        let packets = try parse(packetizer.packetize(AccessUnit(trackID: 1, pts: 1024, isKeyframe: true, payload: frame)))
        #expect(packets.count == 1)
        #expect(packets.first?.marker == true)
        #expect(packets.first?.timestamp == 1024)
        #expect(packets.first?.payload == bytes("""
            00 10   # AU-headers-length: 16 bits
            00 48   # AU-size 9, AU-index 0
            21 10 04 60 8c 1c 00 00 00
            """))

        var depacketizer = RTPDepacketizer(track: Self.track)
        let units = depacketize(packets, with: &depacketizer)
        #expect(units.map(\.payload) == [frame])
        #expect(units.map(\.rtpTimestamp) == [1024])
    }

    @Test func severalFramesInOnePacket() {
        var depacketizer = RTPDepacketizer(track: Self.track)
        let units = depacketizer.depacketize(rtp("""
            00 30            # AU-headers-length: 48 bits, three AU headers
            00 20 00 18 00 28 # sizes 4, 3, 5; index and index-delta 0
            a1 a2 a3 a4  b1 b2 b3  c1 c2 c3 c4 c5
            """, sequenceNumber: 1, timestamp: 10_000, marker: true))
        #expect(units.map(\.payload) == [bytes("a1 a2 a3 a4"), bytes("b1 b2 b3"), bytes("c1 c2 c3 c4 c5")])
        #expect(units.map(\.rtpTimestamp) == [10_000, 11_024, 12_048])
        #expect(units.allSatisfy { $0.isKeyframe })
    }

    @Test func largeFrameIsFragmentedAndReassembled() throws {
        var packetizer = RTPPacketizer(track: Self.track, payloadType: 97, ssrc: 9, initialSequenceNumber: 0, timestampOffset: 77)
        let frame = pattern(3000, seed: 3)
        let wire = packetizer.packetize(AccessUnit(trackID: 1, pts: 0, isKeyframe: true, payload: frame))
        #expect(wire.allSatisfy { $0.readableBytes <= 1400 })
        let packets = try parse(wire)
        #expect(packets.count == 3)
        #expect(packets.map(\.marker) == [false, false, true])
        // Every fragment repeats the full AU-size, 3000 (0x5dc0 = 3000 << 3).
        #expect(packets.allSatisfy { $0.payload.getBytes(at: $0.payload.readerIndex, length: 4) == [0x00, 0x10, 0x5D, 0xC0] })

        var depacketizer = RTPDepacketizer(track: Self.track)
        let units = depacketize(packets, with: &depacketizer)
        #expect(units.map(\.payload) == [frame])
        #expect(units.map(\.rtpTimestamp) == [77])
    }

    @Test func lostFragmentDropsTheFrame() throws {
        var packetizer = RTPPacketizer(track: Self.track, payloadType: 97, ssrc: 9, initialSequenceNumber: 0, timestampOffset: 0)
        var packets = try parse(packetizer.packetize(AccessUnit(trackID: 1, pts: 0, isKeyframe: true, payload: pattern(3000))))
        packets.remove(at: 1)
        let next = try parse(packetizer.packetize(AccessUnit(trackID: 1, pts: 1024, isKeyframe: true, payload: pattern(10))))
        var depacketizer = RTPDepacketizer(track: Self.track)
        let units = depacketize(packets + next, with: &depacketizer)
        #expect(units.map(\.payload) == [pattern(10)])
        #expect(depacketizer.droppedPackets == 2)
    }

    @Test func frameBeyondThirteenBitSizeIsNotSent() {
        var packetizer = RTPPacketizer(track: Self.track, payloadType: 97, ssrc: 9, initialSequenceNumber: 0, timestampOffset: 0)
        #expect(packetizer.packetize(AccessUnit(trackID: 1, pts: 0, isKeyframe: true, payload: pattern(8192))).isEmpty)
        #expect(packetizer.nextSequenceNumber == 0)
    }

    @Test(arguments: [
        "00 10 00 48 01 02",  // AU-size 9, only 2 bytes, marker set
        "00 11 00 48",        // header length not a multiple of 16 bits
        "00 30 00 20",        // three headers announced, one present
        "00 20 00 10 00 10 aa", // two AUs of 2 bytes, 1 byte present
        "00",
    ])
    func malformedPacketIsDropped(hex: String) {
        var depacketizer = RTPDepacketizer(track: Self.track)
        #expect(depacketizer.depacketize(rtp(hex, sequenceNumber: 1, marker: true)).isEmpty)
        #expect(depacketizer.droppedPackets == 1)
    }
}
