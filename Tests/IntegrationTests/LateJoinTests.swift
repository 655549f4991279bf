import Foundation
import Testing

/// A consumer that joins a long-running stream starts decoding at once and cleanly: the GOP cache
/// hands it the last keyframe with its parameter sets, so the decoder never complains.
@Suite(.serialized) struct LateJoinTests {
    /// What ffmpeg's H.264/H.265 decoders print when a stream starts without a keyframe or its
    /// parameter sets.
    static let decoderComplaints = ["PPS", "SPS", "reference", "error while decoding", "Invalid data", "concealing"]

    @Test(arguments: ["tcp", "udp"])
    func aLateConsumerDecodesFromItsFirstFrame(transport: String) async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(sources: [("hq/tower-3", clip)]) { harness in
            try await harness.waitForStream("hq/tower-3")
            // Past the first keyframe interval and across a loop of the 8 s clip.
            try await Task.sleep(for: .seconds(9))
            let process = try ExternalProcess("ffmpeg", [
                "-hide_banner", "-nostats", "-loglevel", "warning", "-rtsp_transport", transport,
                "-i", harness.url("hq/tower-3"), "-t", "2", "-f", "framecrc", "-",
            ])
            try process.start()
            #expect(try await process.wait(timeout: .seconds(30)) == 0)
            let complaints = process.standardError.split(separator: "\n").filter { line in
                Self.decoderComplaints.contains { line.localizedCaseInsensitiveContains($0) }
            }
            #expect(complaints.isEmpty, "decoder complained: \(complaints.joined(separator: "\n"))")
            let videoFrames = process.standardOutput.split(separator: "\n").filter { $0.hasPrefix("0,") }
            #expect(videoFrames.count >= 40, "decoded \(videoFrames.count) pictures")
        }
    }

    @Test func relaysH265PushedAndPlayedWithFFmpeg() async throws {
        let clip = try await MediaFixtures.h265AAC()
        try await GatewayHarness.with { harness in
            let publisher = try ExternalProcess("ffmpeg", [
                "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", clip,
                "-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", harness.url("units/h265"),
            ])
            try publisher.start()
            defer { publisher.stop() }
            try await harness.waitForStream("units/h265")
            try await Task.sleep(for: .seconds(1.5))  // join mid-GOP

            let streams = try await Players.probe(harness.url("units/h265"), transport: "tcp")
            #expect(streams.map(\.codec_name) == ["hevc", "aac"], "publisher: \(publisher.standardError)")
            #expect(streams.first?.width == 320 && streams.first?.height == 240)
            let decoded = try await Players.decodeFrames(harness.url("units/h265"), transport: "udp", seconds: 3)
            #expect(decoded.video >= 60, "decoded \(decoded.video) pictures: \(decoded.errors)")
            #expect(decoded.audio >= 100, "decoded \(decoded.audio) audio frames: \(decoded.errors)")
        }
    }
}
