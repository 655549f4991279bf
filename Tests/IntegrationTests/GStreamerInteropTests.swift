import Foundation
import Testing

/// GStreamer as a consumer and as a publisher, next to ffmpeg: a second independent RTSP stack.
@Suite(.serialized) struct GStreamerInteropTests {
    /// Plays a stream with rtspsrc until avdec_h264 has decoded `pictures` pictures; returns how
    /// many reached the sink and GStreamer's log.
    static func decodePictures(_ url: String, transport: String, pictures: Int) async throws -> (Int, String) {
        // Multicast groups are joined on loopback, where the test gateway sends them.
        let multicastInterface = transport == "udp-mcast" ? ["multicast-iface=lo"] : []
        let gstreamer = try ExternalProcess("gst-launch-1.0", [
            "-v", "rtspsrc", "location=\(url)", "protocols=\(transport)", "latency=200",
        ] + multicastInterface + [
            "!", "rtph264depay", "!", "h264parse", "!", "avdec_h264",
            // identity turns its Nth buffer into the end of stream instead of passing it on.
            "!", "identity", "eos-after=\(pictures + 1)",
            "!", "fakesink", "name=pictures", "silent=false", "sync=false",
        ])
        try gstreamer.start()
        let status = try await gstreamer.wait(timeout: .seconds(60))
        let lines = gstreamer.standardOutput.split(separator: "\n").filter { $0.contains("GstFakeSink:pictures") }
        let decoded = lines.filter { $0.contains("chain") }.count
        // The pictures count only if the stream then ended where identity ended it. The exit status
        // is not required: under load rtspsrc sometimes fails its own PAUSE after that injected
        // end of stream ("Received end-of-file"), with every picture already decoded.
        let reachedEnd = lines.contains { $0.contains("type: eos") }
        let log = "exit \(status): " + gstreamer.standardError + gstreamer.standardOutput.suffix(1500)
        return (reachedEnd ? decoded : 0, log)
    }

    @Test(arguments: ["tcp", "udp"])
    func gstreamerPlaysAServedSource(transport: String) async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(sources: [("cam", clip)]) { harness in
            try await harness.waitForStream("cam")
            // 60 pictures are 2.4 s of the 25 fps clip; a broken relay decodes none.
            let (pictures, log) = try await Self.decodePictures(harness.url("cam"), transport: transport, pictures: 60)
            #expect(pictures >= 60, "GStreamer decoded \(pictures) pictures: \(log)")
        }
    }

    /// Two players share one multicast copy of the stream while a third plays over TCP.
    @Test func gstreamerPlaysOverMulticastBesideATCPPlayer() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(sources: [("cam", clip)]) { harness in
            try await harness.waitForStream("cam")
            async let first = Self.decodePictures(harness.url("cam"), transport: "udp-mcast", pictures: 60)
            async let second = Self.decodePictures(harness.url("cam"), transport: "udp-mcast", pictures: 60)
            async let overTCP = Self.decodePictures(harness.url("cam"), transport: "tcp", pictures: 60)
            for (pictures, log) in try await [first, second, overTCP] {
                #expect(pictures >= 60, "GStreamer decoded \(pictures) pictures: \(log)")
            }
            let started = harness.log.text.split(separator: "\n").filter { $0.contains("consumer started") }
            #expect(started.filter { $0.contains("transport=multicast") }.count == 2, "\(started)")
        }
    }

    @Test func gstreamerPublishesAndFFmpegPlays() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with { harness in
            let publisher = try ExternalProcess("gst-launch-1.0", [
                "-q", "filesrc", "location=\(clip)", "!", "qtdemux", "name=demux",
                "demux.video_0", "!", "queue", "!", "h264parse", "config-interval=-1",
                "!", "rtspclientsink", "location=\(harness.url("units/gst"))", "protocols=tcp",
            ])
            try publisher.start()
            defer { publisher.stop() }
            try await harness.waitForStream("units/gst")

            let streams = try await Players.probe(harness.url("units/gst"), transport: "tcp")
            #expect(streams.map(\.codec_name) == ["h264"], "publisher: \(publisher.standardError)")
            #expect(streams.first?.width == 320)
            let decoded = try await Players.decodeFrames(harness.url("units/gst"), transport: "tcp", seconds: 2)
            #expect(decoded.video >= 30, "decoded \(decoded.video) pictures: \(decoded.errors)")
        }
    }
}
