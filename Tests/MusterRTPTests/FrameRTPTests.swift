import MusterCore
import MusterRTP
import NIOCore
import Testing

/// KLV, Opus and G.711: formats that carry their units without a payload header.
@Suite struct FrameRTPTests {
    static let klvTrack = MediaTrack(id: 2, codec: .klv, clockRate: 90_000)

    /// A MISB ST 0601 local set: 16-byte universal key, BER long-form length, then the value.
    static func klvPacket(valueLength: Int, seed: UInt8 = 0) -> ByteBuffer {
        var packet = bytes("06 0e 2b 34 02 0b 01 01 0e 01 03 01 01 00 00 00 | 82")
        packet.writeInteger(UInt16(valueLength))
        packet.writeImmutableBuffer(pattern(valueLength, seed: seed))
        return packet
    }

    @Test func klvSplitsAndReassembles() throws {
        var packetizer = RTPPacketizer(track: Self.klvTrack, payloadType: 100, ssrc: 3, initialSequenceNumber: 0, timestampOffset: 0)
        let klv = Self.klvPacket(valueLength: 3000)
        let wire = packetizer.packetize(AccessUnit(trackID: 2, pts: 3600, isKeyframe: true, payload: klv))
        #expect(wire.allSatisfy { $0.readableBytes <= 1400 })
        let packets = try parse(wire)
        #expect(packets.map(\.marker) == [false, false, true])
        var depacketizer = RTPDepacketizer(track: Self.klvTrack)
        let units = depacketize(packets, with: &depacketizer)
        #expect(units.map(\.payload) == [klv])
        #expect(units.map(\.rtpTimestamp) == [3600])
    }

    @Test func klvWithLostPacketIsDroppedAndTheNextOneSurvives() throws {
        var packetizer = RTPPacketizer(track: Self.klvTrack, payloadType: 100, ssrc: 3, initialSequenceNumber: 0, timestampOffset: 0)
        var first = try parse(packetizer.packetize(AccessUnit(trackID: 2, pts: 0, isKeyframe: true, payload: Self.klvPacket(valueLength: 3000))))
        first.remove(at: 1)
        let second = Self.klvPacket(valueLength: 50, seed: 9)
        let next = try parse(packetizer.packetize(AccessUnit(trackID: 2, pts: 3600, isKeyframe: true, payload: second)))
        var depacketizer = RTPDepacketizer(track: Self.klvTrack)
        #expect(depacketize(first + next, with: &depacketizer).map(\.payload) == [second])
        #expect(depacketizer.droppedPackets == 2)
    }

    @Test func klvStartingAfterALossIsNotTrusted() throws {
        var packetizer = RTPPacketizer(track: Self.klvTrack, payloadType: 100, ssrc: 3, initialSequenceNumber: 0, timestampOffset: 0)
        let small = try parse(packetizer.packetize(AccessUnit(trackID: 2, pts: 0, isKeyframe: true, payload: Self.klvPacket(valueLength: 10))))
        var big = try parse(packetizer.packetize(AccessUnit(trackID: 2, pts: 3600, isKeyframe: true, payload: Self.klvPacket(valueLength: 3000))))
        big.removeFirst() // the loss takes the beginning of the unit, which nothing else reveals
        var depacketizer = RTPDepacketizer(track: Self.klvTrack)
        #expect(depacketize(small + big, with: &depacketizer).count == 1)
        #expect(depacketizer.droppedPackets == 2)
    }

    @Test func opusFrameIsOnePacket() throws {
        let track = MediaTrack(id: 1, codec: .opus, clockRate: 48_000, channels: 2)
        var packetizer = RTPPacketizer(track: track, payloadType: 111, ssrc: 4, initialSequenceNumber: 9, timestampOffset: 0)
        let frame = bytes("fc ff fe 01 02")
        let packets = try parse(packetizer.packetize(AccessUnit(trackID: 1, pts: 960, isKeyframe: true, payload: frame)))
        #expect(packets.map(\.payload) == [frame])
        #expect(packets.map(\.marker) == [true])
        var depacketizer = RTPDepacketizer(track: track)
        #expect(depacketize(packets, with: &depacketizer).map(\.payload) == [frame])
    }

    @Test func pcmuFrameRoundTripsAndLongFramesSplitOnSamples() throws {
        let track = MediaTrack(id: 1, codec: .pcmu, clockRate: 8000, channels: 1)
        var packetizer = RTPPacketizer(track: track, payloadType: 0, ssrc: 4, initialSequenceNumber: 0, timestampOffset: 0)
        let short = pattern(160)
        let shortPackets = try parse(packetizer.packetize(AccessUnit(trackID: 1, pts: 0, isKeyframe: true, payload: short)))
        #expect(shortPackets.map(\.payload) == [short])

        let long = pattern(2000)
        let longPackets = try parse(packetizer.packetize(AccessUnit(trackID: 1, pts: 160, isKeyframe: true, payload: long)))
        #expect(longPackets.map(\.timestamp) == [160, 160 + 1388])
        var depacketizer = RTPDepacketizer(track: track)
        var joined = ByteBuffer()
        for unit in depacketize(longPackets, with: &depacketizer) { joined.writeImmutableBuffer(unit.payload) }
        #expect(joined == long)
    }
}
