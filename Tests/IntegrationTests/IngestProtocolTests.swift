import Foundation
import NIOCore
import NIOPosix
import Testing

/// Every way a feed reaches Muster through libavformat, each with ffmpeg's own sender or server
/// on the other end; and sources that misbehave without disturbing anything else.
@Suite struct IngestProtocolTests {
    /// A loopback port nobody listens on at the moment (TCP and UDP alike, in practice).
    static func freePort() async throws -> Int {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    /// ffmpeg sending the test clip in a loop, in real time, restarted while it cannot connect
    /// yet (a caller starting before the listener).
    final class Sender: @unchecked Sendable {
        private var process: ExternalProcess?
        private let arguments: [String]
        private var task: Task<Void, Never>?

        init(clip: String, output: [String]) {
            arguments = ["-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", clip, "-c", "copy"] + output
        }

        func start() {
            task = Task { [self] in
                while !Task.isCancelled {
                    guard let process = try? ExternalProcess("ffmpeg", arguments) else { return }
                    self.process = process
                    try? process.start()
                    while process.isRunning, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(100)) }
                    try? await Task.sleep(for: .milliseconds(300))
                }
            }
        }

        func stop() async {
            task?.cancel()
            await task?.value
            process?.stop()
        }
    }

    /// Registers a pull channel and checks that players get its H.264 through Muster.
    static func relays(source: String, sender: Sender?, on harness: GatewayHarness, path: String = "field/feed") async throws {
        let created = try await harness.api().post("/api/v1/channels", json: ["path": path, "kind": "drone", "source": source])
        #expect(created.status == 201, "\(created.text)")
        sender?.start()
        try await harness.waitForStream(path, timeout: .seconds(30))
        let streams = try await Players.probe(harness.url(path), transport: "tcp")
        #expect(streams.first?.codec_name == "h264", "\(streams)")
        let decoded = try await Players.decodeFrames(harness.url(path), transport: "tcp", seconds: 1)
        #expect(decoded.video >= 10)
    }

    @Test func aDronePushesMPEGTSOverSRTToAListeningChannel() async throws {
        let clip = try await MediaFixtures.h264AAC()
        let port = try await Self.freePort()
        let sender = Sender(clip: clip, output: ["-f", "mpegts", "srt://127.0.0.1:\(port)?latency=120000"])
        try await GatewayHarness.with { harness in
            try await Self.relays(source: "srt://127.0.0.1:\(port)?mode=listener", sender: sender, on: harness)
        }
        await sender.stop()
    }

    @Test func aDronePushesRTMPToAListeningChannel() async throws {
        let clip = try await MediaFixtures.h264AAC()
        let port = try await Self.freePort()
        let sender = Sender(clip: clip, output: ["-f", "flv", "rtmp://127.0.0.1:\(port)/live/uav-7"])
        try await GatewayHarness.with { harness in
            try await Self.relays(source: "rtmp://127.0.0.1:\(port)/live/uav-7?ffmpeg.listen=1", sender: sender, on: harness)
        }
        await sender.stop()
    }

    @Test func mpegTSArrivesOverUDP() async throws {
        let clip = try await MediaFixtures.h264AAC()
        let port = try await Self.freePort()
        let sender = Sender(clip: clip, output: ["-f", "mpegts", "udp://127.0.0.1:\(port)?pkt_size=1316"])
        try await GatewayHarness.with { harness in
            try await Self.relays(source: "udp://127.0.0.1:\(port)", sender: sender, on: harness)
        }
        await sender.stop()
    }

    @Test func plainRTPIsReceivedThroughItsSDPFile() async throws {
        let clip = try await MediaFixtures.h264AAC()
        let port = try await Self.freePort()
        let sdp = FileManager.default.temporaryDirectory.appendingPathComponent("muster-unit-\(UUID().uuidString).sdp").path
        defer { try? FileManager.default.removeItem(atPath: sdp) }
        let sender = Sender(clip: clip, output: ["-an", "-f", "rtp", "-sdp_file", sdp, "rtp://127.0.0.1:\(port)"])
        sender.start()
        try await TrackingTests.eventually("ffmpeg to write the SDP") { FileManager.default.fileExists(atPath: sdp) }
        try await GatewayHarness.with { harness in
            try await Self.relays(source: sdp + "?ffmpeg.protocol_whitelist=file,udp,rtp", sender: nil, on: harness)
        }
        await sender.stop()
    }

    @Test func aCameraIsPulledFromAnRTMPServer() async throws {
        let clip = try await MediaFixtures.h264AAC()
        let port = try await Self.freePort()
        // ffmpeg as the RTMP server: it waits for Muster to connect and play.
        let server = Sender(clip: clip, output: ["-f", "flv", "-listen", "1", "rtmp://127.0.0.1:\(port)/live/cam"])
        server.start()
        try await Task.sleep(for: .milliseconds(500))
        try await GatewayHarness.with { harness in
            try await Self.relays(source: "rtmp://127.0.0.1:\(port)/live/cam", sender: nil, on: harness)
        }
        await server.stop()
    }

    /// A TCP server that answers every connection with `reply` (garbage), or with nothing at all.
    static func misbehavingServer(reply: [UInt8]?) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                guard let reply else { return channel.eventLoop.makeSucceededVoidFuture() }
                var buffer = channel.allocator.buffer(capacity: reply.count)
                buffer.writeBytes(reply)
                return channel.writeAndFlush(buffer)
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    @Test func sourcesThatNeverAnswerOrSendGarbageFailAloneWithAReason() async throws {
        let clip = try await MediaFixtures.h264AAC()
        let silent = try await Self.misbehavingServer(reply: nil)
        var generator = SystemRandomNumberGenerator()
        let garbage = try await Self.misbehavingServer(reply: (0..<65_536).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let silentPort = silent.localAddress?.port ?? 0
        let garbagePort = garbage.localAddress?.port ?? 0
        try await GatewayHarness.with(sources: [("hq/healthy", clip)], configure: { $0.ingest.openTimeout = .seconds(1) }) { harness in
            let api = harness.api()
            for (path, source) in [("bad/silent", "rtsp://127.0.0.1:\(silentPort)/cam"), ("bad/garbage", "tcp://127.0.0.1:\(garbagePort)")] {
                let created = try await api.post("/api/v1/channels", json: ["path": path, "kind": "camera", "source": source])
                #expect(created.status == 201, "\(created.text)")
            }
            for path in ["bad/silent", "bad/garbage"] {
                var source: [String: Any] = [:]
                try await TrackingTests.eventually("\(path) to fail with a reason", timeout: .seconds(20)) {
                    source = try await IngestLifecycleTests.state(path, on: harness)["source"] as? [String: Any] ?? [:]
                    return source["state"] as? String == "retrying"
                }
                #expect((source["last_error"] as? String)?.isEmpty == false, "\(path): \(source)")
                #expect(source["next_attempt_at"] is String)
            }
            // Nothing else noticed.
            try await harness.waitForStream("hq/healthy")
            let decoded = try await Players.decodeFrames(harness.url("hq/healthy"), transport: "tcp", seconds: 1)
            #expect(decoded.video >= 10)
        }
        try await silent.close()
        try await garbage.close()
    }
}
