import Foundation
import MusterRTP
import NIOCore
import Testing

@Suite struct RTCPTests {
    /// 2022-01-01T00:00:00.5Z: 3 849 984 000 s after 1900 (0xe57a1800), half a second.
    static let ntp: UInt64 = 0xE57A_1800_8000_0000

    static let senderReport = """
        80 c8 00 06  # V=2 P=0 RC=0, PT=200 (SR), length 6 words + 1
        de ad be ef  # SSRC
        e5 7a 18 00  # NTP seconds
        80 00 00 00  # NTP fraction
        00 01 e2 40  # RTP timestamp 123456
        00 00 00 64  # packet count 100
        00 01 86 a0  # octet count 100000
        """

    static let sourceDescription = """
        81 ca 00 03  # V=2 P=0 SC=1, PT=202 (SDES), length 3
        de ad be ef  # SSRC of the chunk
        01 04 6d 75 73 74 00 00 # CNAME "must", end of list, pad to a word
        """

    @Test func senderReportMatchesFixture() throws {
        let report = RTCPSenderReport(ssrc: 0xDEAD_BEEF, ntpTimestamp: Self.ntp, rtpTimestamp: 123_456, packetCount: 100, octetCount: 100_000)
        var wire = ByteBuffer()
        report.write(to: &wire)
        #expect(wire == bytes(Self.senderReport))
        #expect(wire.readableBytes == RTCPSenderReport.encodedSize)

        let compound = try RTCPCompoundPacket(parsing: wire)
        #expect(compound.items.count == 1)
        #expect(try compound.items.first.map(RTCPSenderReport.init(parsing:)) == report)
    }

    @Test func ntpTimestampOfDate() {
        #expect(NTPTimestamp.timestamp(for: Date(timeIntervalSince1970: 1_640_995_200.5)) == Self.ntp)
        #expect(NTPTimestamp.timestamp(seconds: 1_640_995_200, nanoseconds: 500_000_000) == Self.ntp)
        #expect(NTPTimestamp.middle32(Self.ntp) == 0x1800_8000)
        // Now is after 2022 and, until 2036, within NTP era 0.
        #expect(NTPTimestamp.now() > Self.ntp)
    }

    @Test func compoundPacketSplitsIntoItems() throws {
        let compound = try RTCPCompoundPacket(parsing: bytes(Self.senderReport + "\n" + Self.sourceDescription))
        #expect(compound.items.map(\.packetType) == [200, 202])
        #expect(compound.items.map(\.count) == [0, 1])
        #expect(compound.items.map(\.length) == [6, 3])
        #expect(compound.items.last?.payload == bytes("de ad be ef 01 04 6d 75 73 74 00 00"))

        var wire = ByteBuffer()
        compound.write(to: &wire)
        #expect(wire == bytes(Self.senderReport + "\n" + Self.sourceDescription))
    }

    @Test func paddingOnTheLastPacketIsRemoved() throws {
        let compound = try RTCPCompoundPacket(parsing: bytes("""
            a1 c9 00 02 de ad be ef # V=2 P=1 RC=1 RR (report block left out for brevity)
            00 00 00 04             # padding: 4 bytes, count includes itself
            """))
        #expect(compound.items.first?.payload == bytes("de ad be ef"))
    }

    @Test(arguments: [
        ("short", "80 c8 00", RTPError.Code.truncated),
        ("version 1", "40 c8 00 00", .badVersion),
        ("length past the datagram", "80 c8 00 06 de ad be ef", .badLength),
        ("trailing bytes", "80 c9 00 01 de ad be ef 00 00", .badLength),
        ("RTP payload type", "80 60 00 01 de ad be ef", .badPacketType),
        ("BYE first", "81 cb 00 01 de ad be ef", .badPacketType),
        ("padding before the last packet", "a0 c9 00 01 00 00 00 04 | 81 cb 00 01 de ad be ef", .badPadding),
        ("padding count 0", "a0 c9 00 01 de ad be 00", .badPadding),
        ("padding count past the body", "a0 c9 00 01 de ad be 09", .badPadding),
    ])
    func rejectsMalformedCompound(name: String, hex: String, code: RTPError.Code) {
        let error = #expect(throws: RTPError.self, "\(name)") {
            try RTCPCompoundPacket(parsing: bytes(hex))
        }
        #expect(error?.code == code, "\(name)")
    }

    @Test func reducedSizeRTCPMayStartWithFeedback() throws {
        let pli = bytes("81 ce 00 02 de ad be ef 00 00 00 01") // PSFB FMT=1 (PLI)
        #expect(throws: RTPError.self) { try RTCPCompoundPacket(parsing: pli) }
        #expect(try RTCPCompoundPacket(parsing: pli, requireReportFirst: false).items.first?.count == 1)
    }

    @Test func senderReportParsingChecksTypeAndSize() {
        let sdes = RTCPCompoundPacket.Item(packetType: 202, count: 0, length: 0, payload: ByteBuffer())
        #expect(throws: RTPError.self) { try RTCPSenderReport(parsing: sdes) }
        let short = RTCPCompoundPacket.Item(packetType: 200, count: 0, length: 1, payload: bytes("de ad be ef"))
        #expect(throws: RTPError.self) { try RTCPSenderReport(parsing: short) }
    }
}

@Suite struct RTCPSourceDescriptionTests {
    @Test func writesAPaddedCNAMEChunkThatParsesAsACompoundWithASenderReport() throws {
        var buffer = ByteBuffer()
        RTCPSenderReport(ssrc: 0x0102_0304, ntpTimestamp: 1, rtpTimestamp: 2, packetCount: 3, octetCount: 4).write(to: &buffer)
        RTCPSourceDescription(ssrc: 0x0102_0304, cname: "muster").write(to: &buffer)
        let sdes = Array(buffer.readableBytesView.dropFirst(RTCPSenderReport.encodedSize))
        // 81 CA 00 04 | SSRC 01 02 03 04 | CNAME 01, length 06, "muster" | 00 00 00 00: the item
        // list ends with a null octet, and the chunk already ended on a 32-bit boundary, so four.
        #expect(sdes == [0x81, 0xCA, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04, 0x01, 0x06] + Array("muster".utf8) + [0, 0, 0, 0])
        let compound = try RTCPCompoundPacket(parsing: buffer)
        #expect(compound.items.map(\.packetType) == [RTCPPacketType.senderReport, RTCPPacketType.sourceDescription])
    }
}
