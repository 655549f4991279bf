import MusterCore
import MusterRTP
import NIOCore
import Testing

@Suite struct H265RTPTests {
    static let vps = bytes("40 01 0c 01 ff ff 01 60 00 00 03 00 b0")
    static let sps = bytes("42 01 01 01 60 00 00 03 00 b0 00 00 03 00 00 03 00 5d a0")
    static let pps = bytes("44 01 c1 72 b4 62 40")
    static let track = MediaTrack(id: 0, codec: .h265, clockRate: 90_000, parameterSets: [vps, sps, pps])

    @Test func irapPictureRoundTripsWithParameterSetsAndFU() throws {
        var packetizer = RTPPacketizer(
            track: Self.track, payloadType: 98, ssrc: 7, initialSequenceNumber: 100, timestampOffset: 0
        )
        let idr = pattern(4000, header: [0x26, 0x01]) // IDR_W_RADL (19), layer 0, TID 1
        let delimiter = bytes("46 01 10")
        let unit = AccessUnit(trackID: 0, pts: 180_000, isKeyframe: true, payload: LengthPrefixedNALUnits.join([delimiter, idr]))
        let wire = packetizer.packetize(unit)
        #expect(wire.allSatisfy { $0.readableBytes <= 1400 })
        let packets = try parse(wire)
        #expect(packets.prefix(3).map(\.payload) == [Self.vps, Self.sps, Self.pps])
        let fragments = packets.dropFirst(3)
        #expect(fragments.count == 3) // 3998 bytes after the NAL header, 1385 per fragment
        // Payload header type 49 with layer and TID of the original; FU header S/E + type 19.
        #expect(fragments.map { $0.payload.getBytes(at: $0.payload.readerIndex, length: 3) ?? [] } == [
            [0x62, 0x01, 0x93], [0x62, 0x01, 0x13], [0x62, 0x01, 0x53],
        ])
        #expect(packets.map(\.marker) == [false, false, false, false, false, true])

        var depacketizer = RTPDepacketizer(track: MediaTrack(id: 0, codec: .h265, clockRate: 90_000))
        let units = depacketize(packets, with: &depacketizer)
        #expect(units.map(\.payload) == [LengthPrefixedNALUnits.join([Self.vps, Self.sps, Self.pps, idr])])
        #expect(units.first?.isKeyframe == true)
        #expect(depacketizer.parameterSets == [Self.vps, Self.sps, Self.pps])
    }

    @Test func trailingPictureIsNotAKeyframe() throws {
        var packetizer = RTPPacketizer(track: Self.track, payloadType: 98, ssrc: 7, initialSequenceNumber: 0, timestampOffset: 0)
        let trail = bytes("02 01 d0 09 7e")
        let unit = AccessUnit(trackID: 0, pts: 0, isKeyframe: false, payload: LengthPrefixedNALUnits.join([trail]))
        let packets = try parse(packetizer.packetize(unit))
        #expect(packets.map(\.payload) == [trail])
        var depacketizer = RTPDepacketizer(track: Self.track)
        #expect(depacketize(packets, with: &depacketizer).map(\.isKeyframe) == [false])
    }

    @Test func aggregationPacket() {
        var depacketizer = RTPDepacketizer(track: MediaTrack(id: 0, codec: .h265, clockRate: 90_000))
        let units = depacketizer.depacketize(rtp("""
            60 01                   # AP (48), TID 1
            00 07 44 01 c1 72 b4 62 40 # PPS
            00 05 28 01 af 1d 80    # CRA (21)
            """, sequenceNumber: 1, marker: true))
        #expect(units.map { LengthPrefixedNALUnits.split($0.payload) } == [[Self.pps, bytes("28 01 af 1d 80")]])
        #expect(units.first?.isKeyframe == true)
        #expect(depacketizer.parameterSets == [Self.pps])
    }

    @Test(arguments: ["60 01 00 09 44 01", "60 01 00 01 44", "62 01", "26", "64 01 00"])
    func malformedPayloadIsDropped(hex: String) {
        var depacketizer = RTPDepacketizer(track: Self.track)
        #expect(depacketizer.depacketize(rtp(hex, sequenceNumber: 1, marker: true)).isEmpty)
        #expect(depacketizer.droppedPackets == 1)
    }
}
