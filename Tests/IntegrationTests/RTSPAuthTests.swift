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

    static func basic(_ credentials: String) -> String {
        "Authorization: Basic \(Data(credentials.utf8).base64EncodedString())\r\n"
    }

    /// The Digest header ffmpeg sends (no qop) for `credentials` ("name:password").
    static func digest(_ credentials: String, nonce: String, method: String, uri: String) -> String {
        let name = String(credentials.prefix { $0 != ":" })
        let password = String(credentials.drop { $0 != ":" }.dropFirst())
        let ha1 = MD5.hex("\(name):Muster:\(password)"), ha2 = MD5.hex("\(method):\(uri)")
        return "Authorization: Digest username=\"\(name)\", realm=\"Muster\", nonce=\"\(nonce)\", uri=\"\(uri)\", "
            + "response=\"\(MD5.hex("\(ha1):\(nonce):\(ha2)"))\", algorithm=\"MD5\"\r\n"
    }

    /// The nonce of a Digest challenge.
    static func nonce(of challenge: String?) throws -> String {
        let challenge = try #require(challenge)
        let start = try #require(challenge.range(of: "nonce=\"")).upperBound
        return String(challenge[start...].prefix { $0 != "\"" })
    }

    /// Ten wrong passwords from one address lock it out: even the right password is refused
    /// there, unchecked, while another address signs in as usual. Each failure is answered late.
    @Test func repeatedFailuresLockOutTheirAddressOnly() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(sources: [("hq/gate-1", clip)], users: Self.users) { harness in
            try await harness.waitForStream("hq/gate-1")
            let url = harness.url("hq/gate-1")
            let policy = RTSPAuthenticationPolicy.standard
            let started = ContinuousClock.now
            let guessers = try (0..<policy.failuresBeforeLockout).map { _ in try RawRTSPClient(port: harness.rtspPort) }
            for (index, guesser) in guessers.enumerated() {
                try guesser.send("DESCRIBE \(url) RTSP/1.0\r\nCSeq: 1\r\n\(Self.basic("viewer:guess-\(index)"))\r\n")
            }
            for guesser in guessers {
                #expect(try guesser.readResponse().status == 401)
            }
            #expect(ContinuousClock.now - started >= policy.pauseAfterFailure * 0.9, "failures are answered after a pause")

            let locked = try RawRTSPClient(port: harness.rtspPort)
            try locked.send("DESCRIBE \(url) RTSP/1.0\r\nCSeq: 1\r\n\(Self.basic("viewer:v-secret-1"))\r\n")
            let refusal = try locked.readResponse()
            #expect(refusal.status == 403)
            #expect(refusal.body.contains("too many failed authentications"))
            let ffprobe = try ExternalProcess("ffprobe", ["-v", "error", "-rtsp_transport", "tcp", Self.url(harness, "viewer:v-secret-1", "hq/gate-1")])
            try ffprobe.start()
            #expect(try await ffprobe.wait(timeout: .seconds(20)) != 0)
            #expect(ffprobe.standardError.contains("403"), "\(ffprobe.standardError)")

            let elsewhere = try RawRTSPClient(port: harness.rtspPort, sourceAddress: "127.0.0.2")
            try elsewhere.send("DESCRIBE \(url) RTSP/1.0\r\nCSeq: 1\r\n\(Self.basic("viewer:v-secret-1"))\r\n")
            #expect(try elsewhere.readResponse().status == 200, "another address is not affected")

            let log = harness.log.text
            #expect(log.contains("address_locked_out=true"))
            #expect(log.components(separatedBy: "authentication failed").count - 1 <= policy.logLinesPerInterval)
            for secret in ["v-secret-1", "guess-", Data("viewer:guess-0".utf8).base64EncodedString(), "viewer:"] {
                #expect(!log.contains(secret), "credential material reached the log: \(secret)")
            }
        }
    }

    /// A Digest response made with an expired nonce gets 401 with a new nonce and stale=true
    /// (RFC 2617 §3.2.1), and is not counted as a failure; a wrong password with it is.
    @Test func anExpiredNonceIsAnsweredWithStaleAndANewNonce() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(
            sources: [("hq/gate-1", clip)], users: Self.users, configure: { $0.rtsp.authentication.nonceLifetime = .seconds(2) }
        ) { harness in
            try await harness.waitForStream("hq/gate-1")
            let url = harness.url("hq/gate-1")
            let client = try RawRTSPClient(port: harness.rtspPort)
            try client.send("DESCRIBE \(url) RTSP/1.0\r\nCSeq: 1\r\n\r\n")
            let challenge = try client.readResponse()
            #expect(challenge.status == 401)
            #expect(challenge.headers["www-authenticate"]?.contains("stale") == false)
            let first = try Self.nonce(of: challenge.headers["www-authenticate"])
            try client.send("DESCRIBE \(url) RTSP/1.0\r\nCSeq: 2\r\n\(Self.digest("viewer:v-secret-1", nonce: first, method: "DESCRIBE", uri: url))\r\n")
            #expect(try client.readResponse().status == 200)

            try await Task.sleep(for: .milliseconds(2200))
            let track = url + "/trackID=0", transport = "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n"
            try client.send("SETUP \(track) RTSP/1.0\r\nCSeq: 3\r\n\(transport)\(Self.digest("viewer:v-secret-1", nonce: first, method: "SETUP", uri: track))\r\n")
            let stale = try client.readResponse()
            #expect(stale.status == 401)
            #expect(stale.headers["www-authenticate"]?.hasSuffix(", stale=true") == true, "\(stale.headers)")
            let second = try Self.nonce(of: stale.headers["www-authenticate"])
            #expect(second != first)

            try client.send("SETUP \(track) RTSP/1.0\r\nCSeq: 4\r\n\(transport)\(Self.digest("viewer:wrong", nonce: first, method: "SETUP", uri: track))\r\n")
            let wrong = try client.readResponse()
            #expect(wrong.status == 401)
            #expect(wrong.headers["www-authenticate"]?.contains("stale") == false, "a wrong password is no stale nonce")

            try client.send("SETUP \(track) RTSP/1.0\r\nCSeq: 5\r\n\(transport)\(Self.digest("viewer:v-secret-1", nonce: second, method: "SETUP", uri: track))\r\n")
            #expect(try client.readResponse().status == 200)
            #expect(harness.log.text.components(separatedBy: "authentication failed").count - 1 == 1, "only the wrong password counted")
        }
    }
}
