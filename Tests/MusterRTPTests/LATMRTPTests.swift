import MusterCore
import MusterRTP
import NIOCore
import Testing

/// RFC 6416 MP4A-LATM (cpresent=0) as ffmpeg `-rtpflags latm` and GStreamer rtpmp4apay send it.
@Suite struct LATMRTPTests {
    static let track = MediaTrack(id: 1, codec: .aac, clockRate: 44_100, channels: 2, audioSpecificConfig: bytes("12 10"))

    static func depacketizer() -> RTPDepacketizer {
        RTPDepacketizer(track: track, payloadFormat: .mp4aLATM)
    }

    @Test func encodingNameSelectsTheFormat() {
        #expect(RTPPayloadFormat(encodingName: "MP4A-LATM") == .mp4aLATM)
        #expect(RTPPayloadFormat(encodingName: "mp4a-latm") == .mp4aLATM)
        #expect(RTPPayloadFormat(encodingName: "MPEG4-GENERIC") == .standard)
        #expect(RTPPayloadFormat(encodingName: "H264") == .standard)
        #expect(RTPDepacketizer(track: Self.track).payloadFormat == .standard)
    }

    @Test func singleFrame() {
        var depacketizer = Self.depacketizer()
        let units = depacketizer.depacketize(rtp("""
            09                           # PayloadLengthInfo: 9 bytes
            21 10 04 60 8c 1c 00 00 00   # raw AAC frame
            """, sequenceNumber: 7, timestamp: 10_000, marker: true))
        #expect(units.map(\.payload) == [bytes("21 10 04 60 8c 1c 00 00 00")])
        #expect(units.map(\.rtpTimestamp) == [10_000])
        #expect(units.allSatisfy { $0.isKeyframe })
        #expect(depacketizer.droppedPackets == 0)
    }

    /// 255 is written as FF 00 and 300 as FF 2D: a byte of 255 never ends the length.
    @Test(arguments: [(255, [UInt8(0xFF), 0x00]), (300, [0xFF, 0x2D]), (510, [0xFF, 0xFF, 0x00]), (254, [0xFE])])
    func lengthsAtAndAboveTwoFiftyFive(length: Int, header: [UInt8]) {
        var depacketizer = Self.depacketizer()
        let payload = pattern(header.count + length, header: header, seed: 5)
        let packet = RTPPacket(marker: true, payloadType: 96, sequenceNumber: 1, timestamp: 0, ssrc: 1, payload: payload)
        let units = depacketizer.depacketize(packet)
        #expect(units.map(\.payload.readableBytes) == [length])
        #expect(units.first?.payload == payload.getSlice(at: payload.readerIndex + header.count, length: length))
    }

    @Test func severalFramesInOnePacket() {
        var depacketizer = Self.depacketizer()
        let units = depacketizer.depacketize(rtp("""
            04 a1 a2 a3 a4      # first AudioMuxElement
            03 b1 b2 b3         # second
            05 c1 c2 c3 c4 c5   # third
            """, sequenceNumber: 1, timestamp: 4_294_966_000, marker: true))
        #expect(units.map(\.payload) == [bytes("a1 a2 a3 a4"), bytes("b1 b2 b3"), bytes("c1 c2 c3 c4 c5")])
        // One AAC frame (1024 samples) apart, wrapping like every RTP timestamp.
        #expect(units.map(\.rtpTimestamp) == [4_294_966_000, 4_294_967_024, 752])
    }

    /// A 3000-byte frame as ffmpeg fragments it: 11 bytes of 255 and 195 (= 3000), then the
    /// frame over three packets with one timestamp, the marker on the last.
    static func fragmentedFrame(firstSequenceNumber: UInt16 = 10, timestamp: UInt32 = 5_000) -> (frame: ByteBuffer, packets: [RTPPacket]) {
        let header = [UInt8](repeating: 0xFF, count: 11) + [0xC3]
        let element = pattern(header.count + 3000, header: header, seed: 9)
        let frame = element.getSlice(at: element.readerIndex + header.count, length: 3000)!
        let cuts = [0, 1400, 2800, element.readableBytes]
        let packets = (0..<3).map { index in
            RTPPacket(
                marker: index == 2, payloadType: 96, sequenceNumber: firstSequenceNumber &+ UInt16(index), timestamp: timestamp,
                ssrc: 1, payload: element.getSlice(at: element.readerIndex + cuts[index], length: cuts[index + 1] - cuts[index])!
            )
        }
        return (frame, packets)
    }

    @Test func fragmentedFrameIsReassembled() {
        let (frame, packets) = Self.fragmentedFrame()
        var depacketizer = Self.depacketizer()
        let units = depacketize(packets, with: &depacketizer)
        #expect(units.map(\.payload) == [frame])
        #expect(units.map(\.rtpTimestamp) == [5_000])
        #expect(depacketizer.droppedPackets == 0)
    }

    @Test func lostFragmentDropsTheFrameAndTheNextFrameIsKept() {
        var (_, packets) = Self.fragmentedFrame()
        packets.remove(at: 1)
        var depacketizer = Self.depacketizer()
        var units = depacketize(packets, with: &depacketizer)
        units += depacketizer.depacketize(rtp("02 d1 d2", sequenceNumber: 13, timestamp: 6_024, marker: true))
        #expect(units.map(\.payload) == [bytes("d1 d2")])
        #expect(depacketizer.droppedPackets == 2)
    }

    /// One frame per packet with one packet lost: the packet after the gap has the marker and a
    /// new timestamp and splits exactly, so it is kept; only the lost frame is missing.
    @Test func singleFramePacketAfterALossIsKept() {
        var depacketizer = Self.depacketizer()
        let units = depacketize([
            rtp("02 a1 a2", sequenceNumber: 1, timestamp: 0, marker: true),
            rtp("02 c1 c2", sequenceNumber: 3, timestamp: 2048, marker: true),
        ], with: &depacketizer)
        #expect(units.map(\.payload) == [bytes("a1 a2"), bytes("c1 c2")])
        #expect(depacketizer.droppedPackets == 0)
    }

    /// Fragments whose first packet was lost: the middle one cannot be placed, the last one has
    /// the element's timestamp, and a last fragment with a new timestamp does not split exactly.
    @Test func fragmentsWithoutTheirStartAreDropped() {
        var depacketizer = Self.depacketizer()
        let units = depacketize([
            rtp("02 a1 a2", sequenceNumber: 1, timestamp: 0, marker: true),
            // sequence number 2, the first fragment of the element at 1024, is lost
            rtp("b1 b2 b3 b4", sequenceNumber: 3, timestamp: 1024),
            rtp("b5 b6", sequenceNumber: 4, timestamp: 1024, marker: true),
            // 5 and 6 are lost: the start and middle of the element at 2048
            rtp("c7 c8 c9", sequenceNumber: 7, timestamp: 2048, marker: true),
            rtp("02 d1 d2", sequenceNumber: 8, timestamp: 3072, marker: true),
        ], with: &depacketizer)
        #expect(units.map(\.payload) == [bytes("a1 a2"), bytes("d1 d2")])
        #expect(depacketizer.droppedPackets == 3)
    }

    /// A sender that never sets the marker cannot grow the reassembly past its bound.
    @Test func oversizeReassemblyIsDropped() {
        var depacketizer = Self.depacketizer()
        let count = RTPDepacketizer.maximumLATMPayloadSize / 1400 + 5
        var packets = (0..<count).map { index in
            RTPPacket(marker: false, payloadType: 96, sequenceNumber: UInt16(index), timestamp: 0, ssrc: 1, payload: pattern(1400, header: [0xFF]))
        }
        packets.append(RTPPacket(marker: true, payloadType: 96, sequenceNumber: UInt16(count), timestamp: 0, ssrc: 1, payload: pattern(10)))
        var units = depacketize(packets, with: &depacketizer)
        #expect(units.isEmpty)
        #expect(depacketizer.droppedPackets == count + 1)
        units = depacketizer.depacketize(rtp("01 e1", sequenceNumber: UInt16(count + 1), timestamp: 1024, marker: true))
        #expect(units.map(\.payload) == [bytes("e1")])
    }

    @Test func changedTimestampAbandonsTheElement() {
        var depacketizer = Self.depacketizer()
        let units = depacketize([
            rtp("20 a1 a2 a3", sequenceNumber: 1, timestamp: 0),               // first fragment of 32 bytes
            rtp("03 b1 b2 b3", sequenceNumber: 2, timestamp: 1024, marker: true), // a new element instead
        ], with: &depacketizer)
        #expect(units.map(\.payload) == [bytes("b1 b2 b3")])
        #expect(depacketizer.droppedPackets == 1)
    }

    @Test(arguments: [
        "0a 01 02",                 // 10 bytes announced, 2 present
        "04 a1 a2 a3 a4 05 b1",     // the second frame runs past the end
        "ff ff ff ff",              // a run of 255s that never ends
        "ff 00",                    // a 255-byte frame with no bytes
        "",                         // nothing at all
        "00",                       // only an empty frame
    ])
    func malformedPacketIsDropped(hex: String) {
        var depacketizer = Self.depacketizer()
        #expect(depacketizer.depacketize(rtp(hex, sequenceNumber: 1, marker: true)).isEmpty)
        #expect(depacketizer.droppedPackets == 1)
    }

    @Test func longRunOfTwoFiftyFivesIsDropped() {
        var depacketizer = Self.depacketizer()
        let packet = RTPPacket(marker: true, payloadType: 96, sequenceNumber: 1, timestamp: 0, ssrc: 1,
                               payload: ByteBuffer(bytes: [UInt8](repeating: 0xFF, count: 1400)))
        #expect(depacketizer.depacketize(packet).isEmpty)
        #expect(depacketizer.droppedPackets == 1)
    }

    /// Random payloads, markers and losses: never a trap, and never more bytes out than in.
    @Test func arbitraryInputNeverCrashes() {
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: seed >> 33)
        }
        var depacketizer = Self.depacketizer()
        var sequenceNumber: UInt16 = 0
        var bytesIn = 0, bytesOut = 0
        for _ in 0..<5000 {
            sequenceNumber &+= next() % 10 == 0 ? 2 : 1
            let size = next() % 40
            let payload = ByteBuffer(bytes: (0..<size).map { _ in next() % 3 == 0 ? 0xFF : UInt8(truncatingIfNeeded: next() % 48) })
            bytesIn += size
            let packet = RTPPacket(marker: next() % 3 != 0, payloadType: 96, sequenceNumber: sequenceNumber,
                                   timestamp: UInt32(next() % 4) * 1024, ssrc: 1, payload: payload)
            bytesOut += depacketizer.depacketize(packet).reduce(0) { $0 + $1.payload.readableBytes }
        }
        #expect(bytesOut < bytesIn)
        #expect(depacketizer.droppedPackets > 0)
    }
}
