import Foundation
import Testing

/// The first relay path end to end with the real ffmpeg and ffprobe: a served source, and a
/// pushed stream played by others, over TCP and UDP.
@Suite(.serialized) struct RelayTests {
    static let expectedStreams = [
        ProbedStream(codec_type: "video", codec_name: "h264", width: 320, height: 240, sample_rate: nil, channels: nil),
        ProbedStream(codec_type: "audio", codec_name: "aac", width: nil, height: nil, sample_rate: "48000", channels: 2),
    ]

    @Test(arguments: ["tcp", "udp"])
    func servesAFileSource(transport: String) async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(sources: [("drill/cam-1", clip)]) { harness in
            try await harness.waitForStream("drill/cam-1")

            let streams = try await Players.probe(harness.url("drill/cam-1"), transport: transport)
            #expect(streams == Self.expectedStreams)

            let decoded = try await Players.decodeFrames(harness.url("drill/cam-1"), transport: transport, seconds: 3)
            // 3 s at 25 fps is 75 pictures; 48 kHz AAC is about 47 frames a second. Loss on loopback
            // would show as far fewer, and a broken depacketizer as none.
            #expect(decoded.video >= 60, "decoded \(decoded.video) video frames: \(decoded.errors)")
            #expect(decoded.audio >= 100, "decoded \(decoded.audio) audio frames: \(decoded.errors)")
        }
    }

    @Test(arguments: [("tcp", "tcp"), ("udp", "udp"), ("tcp", "udp")])
    func relaysAPushedStream(publishTransport: String, playTransport: String) async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with { harness in
            let publisher = try ExternalProcess("ffmpeg", [
                "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", clip,
                "-c", "copy", "-f", "rtsp", "-rtsp_transport", publishTransport, harness.url("units/u1"),
            ])
            try publisher.start()
            defer { publisher.stop() }
            try await harness.waitForStream("units/u1")

            let streams = try await Players.probe(harness.url("units/u1"), transport: playTransport)
            #expect(streams == Self.expectedStreams, "publisher: \(publisher.standardError)")

            let decoded = try await Players.decodeFrames(harness.url("units/u1"), transport: playTransport, seconds: 3)
            #expect(decoded.video >= 60, "decoded \(decoded.video) video frames: \(decoded.errors)")
            #expect(decoded.audio >= 100, "decoded \(decoded.audio) audio frames: \(decoded.errors)")
        }
    }
}
