import Foundation
import MusterRTSP
import Testing

/// Configured users with per-path permissions, exercised with the real ffmpeg (Digest) and a raw
/// client (Basic); credentials never reach the log.
@Suite(.serialized) struct RTSPAuthTests {
    static let users = [
        RTSPUser(name: "viewer", password: "v-secret-1", read: [RTSPPathPattern("hq/*")], publish: []),
        RTSPUser(name: "unit7", password: "u-secret-2", read: [], publish: [RTSPPathPattern("units/*")]),
    ]

    static func url(_ harness: GatewayHarness, _ credentials: String, _ path: String) -> String {
        "rtsp://\(credentials)@127.0.0.1:\(harness.rtspPort)/\(path)"
    }

    @Test func ffmpegPlaysAndPublishesOnlyWithTheRightCredentials() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(sources: [("hq/gate-1", clip)], users: Self.users) { harness in
            try await harness.waitForStream("hq/gate-1")

            let streams = try await Players.probe(Self.url(harness, "viewer:v-secret-1", "hq/gate-1"), transport: "tcp")
            #expect(streams.map(\.codec_name) == ["h264", "aac"])

            let refusals: [(String, String)] = [
                (harness.url("hq/gate-1"), "401"),
                (Self.url(harness, "viewer:wrong", "hq/gate-1"), "401"),
                (Self.url(harness, "unit7:u-secret-2", "hq/gate-1"), "403"),
            ]
            for (url, status) in refusals {
                await #expect(throws: TestFailure.self) { try await Players.probe(url, transport: "tcp") }
                let process = try ExternalProcess("ffprobe", ["-v", "error", "-rtsp_transport", "tcp", url])
                try process.start()
                #expect(try await process.wait(timeout: .seconds(20)) != 0)
                #expect(process.standardError.contains(status), "\(url): \(process.standardError)")
            }

            let publisher = try ExternalProcess("ffmpeg", [
                "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", clip,
                "-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", Self.url(harness, "unit7:u-secret-2", "units/u7"),
            ])
            try publisher.start()
            defer { publisher.stop() }
            try await harness.waitForStream("units/u7")

            let intruder = try ExternalProcess("ffmpeg", [
                "-hide_banner", "-loglevel", "error", "-re", "-i", clip,
                "-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", Self.url(harness, "viewer:v-secret-1", "units/u8"),
            ])
            try intruder.start()
            #expect(try await intruder.wait(timeout: .seconds(20)) != 0)
            #expect(intruder.standardError.contains("403"), "\(intruder.standardError)")
            #expect(harness.gateway.hubs.hub(at: "units/u8")?.tracks == nil)

            for secret in ["v-secret-1", "u-secret-2"] {
                #expect(!harness.log.text.contains(secret), "a password reached the log")
            }
            #expect(harness.log.text.contains("authentication failed"))
        }
    }

    @Test func basicCredentialsWorkAndChallengesOfferDigestFirst() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(sources: [("hq/gate-1", clip)], users: Self.users) { harness in
            try await harness.waitForStream("hq/gate-1")
            let client = try RawRTSPClient(port: harness.rtspPort)
            try client.send("DESCRIBE \(harness.url("hq/gate-1")) RTSP/1.0\r\nCSeq: 1\r\n\r\n")
            let challenge = try client.readResponse()
            #expect(challenge.status == 401)
            #expect(challenge.headers["www-authenticate"]?.hasPrefix("Digest realm=\"Muster\", nonce=") == true)

            let basic = Data("viewer:v-secret-1".utf8).base64EncodedString()
            try client.send("DESCRIBE \(harness.url("hq/gate-1")) RTSP/1.0\r\nCSeq: 2\r\nAuthorization: Basic \(basic)\r\n\r\n")
            let described = try client.readResponse()
            #expect(described.status == 200)
            #expect(described.body.contains("m=video"))
        }
    }
}
