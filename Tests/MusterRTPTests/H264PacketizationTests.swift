import MusterCore
import MusterRTP
import NIOCore
import Testing

@Suite struct H264PacketizationTests {
    private func packetizer(maximumPacketSize: Int = 1400) -> RTPPacketizer {
        RTPPacketizer(
            track: H264Fixture.track(), payloadType: 96, ssrc: 0xDEAD_BEEF,
            initialSequenceNumber: 65_534, timestampOffset: 1000, maximumPacketSize: maximumPacketSize
        )
    }

    @Test func smallIDRGoesOutAsSingleNALPacketsAfterParameterSets() throws {
        var packetizer = packetizer()
        let unit = AccessUnit(
            trackID: 0, pts: 3000, isKeyframe: true,
            payload: LengthPrefixedNALUnits.join([H264Fixture.delimiter, H264Fixture.idr])
        )
        let wire = packetizer.packetize(unit)
        // SPS, PPS from the track, then the IDR; the delimiter is dropped.
        #expect(wire.count == 3)
        #expect(wire.first == bytes("""
            80 60 ff fe  # M=0 PT=96 seq 65534
            00 00 0f a0  # timestamp 3000 + 1000
            de ad be ef  # SSRC
            67 42 c0 1f da 01 40 16 ec 04
            """))
        let packets = try parse(wire)
        #expect(packets.map(\.payload) == [H264Fixture.sps, H264Fixture.pps, H264Fixture.idr])
        #expect(packets.map(\.marker) == [false, false, true])
        #expect(packets.map(\.sequenceNumber) == [65_534, 65_535, 0])
        #expect(packets.allSatisfy { $0.timestamp == 4000 })
        #expect(packetizer.nextSequenceNumber == 1)
        #expect(packetizer.rtpTimestamp(forPTS: 3000) == 4000)
    }

    @Test func inBandParameterSetsAreNotRepeated() throws {
        var packetizer = packetizer()
        let unit = AccessUnit(
            trackID: 0, pts: 0, isKeyframe: true,
            payload: LengthPrefixedNALUnits.join([H264Fixture.sps, H264Fixture.pps, H264Fixture.idr])
        )
        #expect(try parse(packetizer.packetize(unit)).map(\.payload) == [H264Fixture.sps, H264Fixture.pps, H264Fixture.idr])
    }

    @Test func nonIDRPictureGetsNoParameterSets() throws {
        var packetizer = packetizer()
        let unit = AccessUnit(trackID: 0, pts: 0, isKeyframe: false, payload: LengthPrefixedNALUnits.join([H264Fixture.nonIDR]))
        let packets = try parse(packetizer.packetize(unit))
        #expect(packets.map(\.payload) == [H264Fixture.nonIDR])
        #expect(packets.first?.marker == true)
    }

    @Test func largeNALUnitRoundTripsThroughFUA() throws {
        var packetizer = packetizer()
        let idr = pattern(5000, header: [0x65])
        let unit = AccessUnit(
            trackID: 0, pts: 90_000, isKeyframe: true,
            payload: LengthPrefixedNALUnits.join([H264Fixture.sps, H264Fixture.pps, idr])
        )
        let wire = packetizer.packetize(unit)
        #expect(wire.allSatisfy { $0.readableBytes <= 1400 })
        let packets = try parse(wire)
        let fragments = packets.dropFirst(2)
        #expect(fragments.count == 4) // 4999 bytes after the NAL header, 1386 per fragment
        // FU indicator keeps NRI 3 with type 28; FU headers: start, middle, middle, end; type 5.
        #expect(fragments.map { $0.payload.getInteger(at: $0.payload.readerIndex, as: UInt8.self) } == Array(repeating: 0x7C, count: 4))
        #expect(fragments.map { $0.payload.getInteger(at: $0.payload.readerIndex + 1, as: UInt8.self) } == [0x85, 0x05, 0x05, 0x45])
        #expect(packets.map(\.marker) == [false, false, false, false, false, true])

        var depacketizer = RTPDepacketizer(track: H264Fixture.track(parameterSets: []))
        let units = depacketize(packets, with: &depacketizer)
        #expect(units.count == 1)
        #expect(units.first?.payload == unit.payload)
        #expect(units.first?.isKeyframe == true)
        #expect(units.first?.rtpTimestamp == 91_000)
        #expect(depacketizer.parameterSets == [H264Fixture.sps, H264Fixture.pps])
        #expect(depacketizer.droppedPackets == 0)
    }

    @Test func respectsSmallMaximumPacketSize() throws {
        var packetizer = packetizer(maximumPacketSize: 200)
        let unit = AccessUnit(trackID: 0, pts: 0, isKeyframe: false, payload: LengthPrefixedNALUnits.join([pattern(1000, header: [0x41])]))
        let wire = packetizer.packetize(unit)
        #expect(wire.allSatisfy { $0.readableBytes <= 200 })
        var depacketizer = RTPDepacketizer(track: H264Fixture.track())
        #expect(depacketize(try parse(wire), with: &depacketizer).map(\.payload) == [unit.payload])
    }
}

@Suite struct H264DepacketizationTests {
    @Test func stapAWithParameterSets() {
        var depacketizer = RTPDepacketizer(track: H264Fixture.track(parameterSets: []))
        let units = depacketizer.depacketize(rtp("""
            18                               # STAP-A
            00 0a 67 42 c0 1f da 01 40 16 ec 04 # SPS, 10 bytes
            00 04 68 ce 3c 80                # PPS, 4 bytes
            """, sequenceNumber: 1, marker: true))
        #expect(units.count == 1)
        #expect(units.first.map { LengthPrefixedNALUnits.split($0.payload) } == [H264Fixture.sps, H264Fixture.pps])
        #expect(units.first?.isKeyframe == false)
        #expect(depacketizer.parameterSets == [H264Fixture.sps, H264Fixture.pps])
    }

    @Test func inBandParameterSetsReplaceTheTracks() {
        var depacketizer = RTPDepacketizer(track: H264Fixture.track())
        let newSPS = bytes("67 64 00 28 ac")
        _ = depacketizer.depacketize(RTPPacket(marker: true, payloadType: 96, sequenceNumber: 1, timestamp: 0, ssrc: 1, payload: newSPS))
        #expect(depacketizer.parameterSets == [newSPS, H264Fixture.pps])
    }

    @Test func lostMiddleFragmentDropsTheNALUnit() {
        var depacketizer = RTPDepacketizer(track: H264Fixture.track())
        let start = rtp("7c 85 | 01 02 03", sequenceNumber: 10)
        // sequence number 11, the middle fragment "7c 05 | 04 05 06", is lost
        let end = rtp("7c 45 | 07 08 09", sequenceNumber: 12, marker: true)
        #expect(depacketize([start, end], with: &depacketizer).isEmpty)
        #expect(depacketizer.droppedPackets == 2)

        // The next access unit is unaffected.
        let next = rtp("41 9a 24 6c 42", sequenceNumber: 13, timestamp: 93_000, marker: true)
        #expect(depacketizer.depacketize(next).map(\.payload) == [LengthPrefixedNALUnits.join([H264Fixture.nonIDR])])
    }

    @Test func lostFragmentKeepsTheOtherNALUnitsOfTheAccessUnit() {
        var depacketizer = RTPDepacketizer(track: H264Fixture.track())
        let packets = [
            rtp("06 05 01 aa 80", sequenceNumber: 1), // SEI
            rtp("7c 85 | 01 02", sequenceNumber: 2),
            rtp("7c 45 | 05 06", sequenceNumber: 4, marker: true),
        ]
        let units = depacketize(packets, with: &depacketizer)
        #expect(units.map(\.payload) == [LengthPrefixedNALUnits.join([bytes("06 05 01 aa 80")])])
        #expect(units.first?.isKeyframe == false)
        #expect(depacketizer.droppedPackets == 2)
    }

    @Test(arguments: [
        "18 00 0a 67 42",            // size runs past the packet
        "18 00 04 68 ce 3c 80 00",   // one stray byte where a size belongs
        "18 00 00 00 04 68 ce 3c 80", // zero size
        "18",                        // no units at all
        "7c",                        // FU-A without FU header
        "",                          // empty payload
        "19 00 00 00 04 68 ce 3c 80", // STAP-B, interleaved mode only
    ])
    func malformedPayloadIsDroppedWithoutTrapping(hex: String) {
        var depacketizer = RTPDepacketizer(track: H264Fixture.track())
        #expect(depacketizer.depacketize(rtp(hex, sequenceNumber: 1, marker: true)).isEmpty)
        #expect(depacketizer.droppedPackets == 1)
    }

    @Test func timestampChangeFlushesAccessUnitWithoutMarker() {
        var depacketizer = RTPDepacketizer(track: H264Fixture.track())
        // The marker packet of the first picture was lost.
        #expect(depacketizer.depacketize(rtp("65 88 84 00 33 ff", sequenceNumber: 1, timestamp: 1000)).isEmpty)
        let units = depacketizer.depacketize(rtp("41 9a 24 6c 42", sequenceNumber: 3, timestamp: 4000))
        #expect(units.count == 1)
        #expect(units.first?.rtpTimestamp == 1000)
        #expect(units.first?.isKeyframe == true)
        #expect(units.first?.payload == LengthPrefixedNALUnits.join([H264Fixture.idr]))
        let last = depacketizer.depacketize(rtp("", sequenceNumber: 4, timestamp: 4000, marker: true))
        #expect(last.map(\.payload) == [LengthPrefixedNALUnits.join([H264Fixture.nonIDR])])
    }

    @Test func oversizedAccessUnitIsDropped() {
        var depacketizer = RTPDepacketizer(track: H264Fixture.track())
        var sequenceNumber: UInt16 = 0
        let chunk = pattern(60_000, seed: 1)
        var fragments: [RTPPacket] = [RTPPacket(payloadType: 96, sequenceNumber: 0, timestamp: 0, ssrc: 1, payload: bytes("7c 85"))]
        // 150 × 60 kB passes the 8 MiB bound long before the end fragment.
        for _ in 0..<150 {
            sequenceNumber &+= 1
            var payload = bytes("7c 05")
            payload.writeImmutableBuffer(chunk)
            fragments.append(RTPPacket(payloadType: 96, sequenceNumber: sequenceNumber, timestamp: 0, ssrc: 1, payload: payload))
        }
        fragments.append(RTPPacket(marker: true, payloadType: 96, sequenceNumber: sequenceNumber &+ 1, timestamp: 0, ssrc: 1, payload: bytes("7c 45 00")))
        #expect(depacketize(fragments, with: &depacketizer).isEmpty)
        #expect(depacketizer.droppedPackets == fragments.count)
    }
}
