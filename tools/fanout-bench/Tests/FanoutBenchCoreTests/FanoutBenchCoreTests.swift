import FanoutBenchCore
import NIOCore
import XCTest

final class RTPPacketSummaryTests: XCTestCase {
    private func packet(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }

    func testSingleIDRNALUnitWithMarker() {
        // V=2, M=1 PT=96, seq 0x1234, ts 0x00000010, ssrc, then NAL header 0x65 (type 5).
        let buffer = packet([0x80, 0xE0, 0x12, 0x34, 0, 0, 0, 0x10, 1, 2, 3, 4, 0x65, 0x88])
        let summary = RTPPacketSummary.read(from: buffer, at: 0, length: buffer.readableBytes)
        XCTAssertEqual(summary, RTPPacketSummary(sequenceNumber: 0x1234, timestamp: 0x10, marker: true, startsIDR: true))
    }

    func testFUAStartOfIDRAndContinuation() {
        // FU indicator 0x7C (type 28), FU header 0x85 (S=1, type 5), then 0x05 (continuation).
        let start = packet([0x80, 0x60, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4, 0x7C, 0x85, 0xAA])
        let middle = packet([0x80, 0x60, 0, 2, 0, 0, 0, 0, 1, 2, 3, 4, 0x7C, 0x05, 0xAA])
        XCTAssertEqual(RTPPacketSummary.read(from: start, at: 0, length: 15)?.startsIDR, true)
        XCTAssertEqual(RTPPacketSummary.read(from: middle, at: 0, length: 15)?.startsIDR, false)
    }

    func testSTAPAHoldingSPSPPSAndIDR() {
        // STAP-A 0x78: SPS (size 2: 0x67 0x42), PPS (size 1: 0x68), IDR (size 2: 0x65 0x88).
        let buffer = packet([0x80, 0x60, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4, 0x78, 0, 2, 0x67, 0x42, 0, 1, 0x68, 0, 2, 0x65, 0x88])
        XCTAssertEqual(RTPPacketSummary.read(from: buffer, at: 0, length: buffer.readableBytes)?.startsIDR, true)
    }

    func testCSRCAndExtensionAreSkippedAndNonIDRIsNot() {
        // CC=1, X=1: one CSRC, extension of 1 word, then a non-IDR slice 0x41.
        let buffer = packet([0x91, 0x60, 0, 9, 0, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9, 9, 0xBE, 0xDE, 0, 1, 7, 7, 7, 7, 0x41, 0x9A])
        let summary = RTPPacketSummary.read(from: buffer, at: 0, length: buffer.readableBytes)
        XCTAssertEqual(summary?.sequenceNumber, 9)
        XCTAssertEqual(summary?.startsIDR, false)
    }

    func testNotRTPVersion2() {
        XCTAssertNil(RTPPacketSummary.read(from: packet([0x40, 0x60, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4, 0x65]), at: 0, length: 13))
    }
}

final class RTSPResponseHeadTests: XCTestCase {
    func testSetupAnswerFields() throws {
        let text = "RTSP/1.0 200 OK\r\nCSeq: 3\r\nSession: 12345678;timeout=60\r\nTransport: RTP/AVP/TCP;unicast;interleaved=2-3\r\n\r\nrest"
        let (head, length) = try XCTUnwrap(RTSPResponseHead.parse(ByteBuffer(string: text)))
        XCTAssertEqual(head.statusCode, 200)
        XCTAssertEqual(head.sessionID, "12345678")
        XCTAssertEqual(head.interleavedChannel, 2)
        XCTAssertEqual(length, text.utf8.count - 4)
    }

    func testIncompleteHeadNeedsMoreBytes() throws {
        XCTAssertNil(try RTSPResponseHead.parse(ByteBuffer(string: "RTSP/1.0 200 OK\r\nCSeq: 1\r\n")))
    }

    func testBadStatusLine() {
        XCTAssertThrowsError(try RTSPResponseHead.parse(ByteBuffer(string: "HTTP/1.1 200 OK\r\n\r\n")))
    }
}

final class SDPVideoTrackTests: XCTestCase {
    func testFindsH264TrackAndBuildsSetupURL() {
        let sdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\na=control:*\r\nm=audio 0 RTP/AVP 97\r\na=rtpmap:97 MPEG4-GENERIC/48000/2\r\na=control:trackID=1\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=0\r\n"
        let track = SDPVideoTrack.find(in: sdp)
        XCTAssertEqual(track, SDPVideoTrack(payloadType: 96, control: "trackID=0"))
        XCTAssertEqual(track?.setupURL(base: "rtsp://127.0.0.1:1/a/"), "rtsp://127.0.0.1:1/a/trackID=0")
        XCTAssertEqual(track?.setupURL(base: "rtsp://127.0.0.1:1/a"), "rtsp://127.0.0.1:1/a/trackID=0")
        XCTAssertEqual(SDPVideoTrack(payloadType: 96, control: "rtsp://h/x/stream=0").setupURL(base: "rtsp://h/x/"), "rtsp://h/x/stream=0")
    }
}

final class ReportTests: XCTestCase {
    func testProcStatCPUWithSpacesInName() {
        let line = "1234 (my (odd) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 4 0 100 1000 50"
        XCTAssertEqual(ProcessSample.cpuSeconds(statLine: line, ticksPerSecond: 100), 4.0)
        XCTAssertEqual(ProcessSample.rssKiB(status: "Name:\tx\nVmRSS:\t   20480 kB\n"), 20480)
    }

    func testPercentiles() {
        let values = (1...100).map(Double.init)
        XCTAssertEqual(Statistics.percentile(values, 95), 95)
        XCTAssertEqual(Statistics.median([3, 1, 2, 10]), 2.5)
    }

    func testTargetsVerdicts() {
        var m = BenchResult(server: "muster", url: "", readers: 500)
        m.serverCPUPerSecond = 0.1
        m.serverRSSKiB = 40_000
        m.keyframeMsP95 = 12
        m.withKeyframe = 500
        m.playing = 500
        var p = BenchResult(server: "peer", url: "", readers: 500)
        p.serverCPUPerSecond = 0.4
        p.playing = 500
        let verdicts = BenchReport(results: [m, p]).verdicts()
        XCTAssertEqual(verdicts.map(\.met), [true, true, nil, true])
    }
}
