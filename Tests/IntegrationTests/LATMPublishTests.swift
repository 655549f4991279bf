import Foundation
import Testing

/// Publishers that send AAC as RFC 6416 MP4A-LATM (ffmpeg `-rtpflags latm`, GStreamer's
/// rtpmp4apay): the gateway takes the frames out of the LATM framing, and players get ordinary
/// AAC served as MPEG4-GENERIC.
@Suite(.serialized) struct LATMPublishTests {
    /// 3 s of 48 kHz AAC is 141 frames of 1024 samples (2 s, 94); fewer means lost or unsplit
    /// frames, more means frames read twice or timestamps that do not advance.
    static let audioFramesIn3Seconds = 120...150
    static let audioFramesIn2Seconds = 80...100

    @Test(arguments: ["tcp", "udp"])
    func ffmpegPublishesLATM(transport: String) async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with { harness in
            // -rtpflags is an option of the RTSP muxer too, which hands it to each stream's RTP
            // muxer and to the SDP writer; verbose logging shows the SDP of the ANNOUNCE.
            let publisher = try ExternalProcess("ffmpeg", [
                "-hide_banner", "-nostats", "-loglevel", "verbose", "-re", "-stream_loop", "-1", "-i", clip,
                "-c", "copy", "-f", "rtsp", "-rtsp_transport", transport, "-rtpflags", "latm", harness.url("units/latm"),
            ])
            try publisher.start()
            defer { publisher.stop() }
            try await harness.waitForStream("units/latm")
            #expect(publisher.standardError.contains("MP4A-LATM/48000/2"), "publisher: \(publisher.standardError.suffix(3000))")
            #expect(publisher.standardError.contains("cpresent=0"))

            let streams = try await Players.probe(harness.url("units/latm"), transport: "tcp")
            #expect(streams == RelayTests.expectedStreams, "publisher: \(publisher.standardError.suffix(2000))")

            let decoded = try await Players.decodeFrames(harness.url("units/latm"), transport: "tcp", seconds: 3)
            #expect(decoded.video >= 60, "decoded \(decoded.video) video frames: \(decoded.errors)")
            #expect(Self.audioFramesIn3Seconds.contains(decoded.audio), "decoded \(decoded.audio) audio frames: \(decoded.errors)")
            // The AAC decoder names itself in every complaint ("[aac @ 0x…] …").
            #expect(!decoded.errors.contains("[aac"), "\(decoded.errors)")
        }
    }

    @Test func gstreamerPublishesLATM() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with { harness in
            // rtspclientsink picks the payloader itself; -v prints the caps it negotiated, which
            // name the encoding the ANNOUNCE carries.
            let publisher = try ExternalProcess("gst-launch-1.0", [
                "-v", "filesrc", "location=\(clip)", "!", "qtdemux", "name=demux",
                "rtspclientsink", "name=sink", "location=\(harness.url("units/gst-latm"))", "protocols=tcp",
                "demux.video_0", "!", "queue", "!", "h264parse", "config-interval=-1", "!", "sink.",
                "demux.audio_0", "!", "queue", "!", "aacparse", "!", "sink.",
            ])
            try publisher.start()
            defer { publisher.stop() }
            try await harness.waitForStream("units/gst-latm")
            #expect(publisher.standardOutput.contains("encoding-name=(string)MP4A-LATM"), "publisher: \(publisher.standardOutput.suffix(3000))")

            // rtspclientsink announces its streams in the order their caps settle, often audio first.
            let streams = try await Players.probe(harness.url("units/gst-latm"), transport: "tcp")
            #expect(Set(streams.compactMap(\.codec_name)) == ["h264", "aac"], "publisher: \(publisher.standardError)")
            #expect(streams.first { $0.codec_type == "audio" } == RelayTests.expectedStreams[1])

            let decoded = try await Players.decodeFrames(harness.url("units/gst-latm"), transport: "tcp", seconds: 2, videoThenAudio: true)
            #expect(decoded.video >= 30, "decoded \(decoded.video) pictures: \(decoded.errors)")
            #expect(Self.audioFramesIn2Seconds.contains(decoded.audio), "decoded \(decoded.audio) audio frames: \(decoded.errors)")
            #expect(!decoded.errors.contains("[aac"), "\(decoded.errors)")
        }
    }

    /// cpresent=1 puts the StreamMuxConfig inside the stream, which Muster does not read: the
    /// ANNOUNCE is refused with a reason that says what to send instead.
    @Test func inBandConfigurationIsRefusedWithAReason() async throws {
        try await GatewayHarness.with { harness in
            let sdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=audio 0 RTP/AVP 96\r\na=rtpmap:96 MP4A-LATM/48000/2\r\na=fmtp:96 cpresent=1\r\na=control:streamid=0\r\n"
            let client = try RawRTSPClient(port: harness.rtspPort)
            try client.send("ANNOUNCE \(harness.url("units/inband")) RTSP/1.0\r\nCSeq: 1\r\nContent-Type: application/sdp\r\nContent-Length: \(sdp.utf8.count)\r\n\r\n\(sdp)")
            let response = try await client.readResponse()
            #expect(response.status == 415)
            #expect(response.body.contains("cpresent=0"), "\(response.body)")
        }
    }
}
