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
            let challenge = try await client.readResponse()
            #expect(challenge.status == 401)
            #expect(challenge.headers["www-authenticate"]?.hasPrefix("Digest realm=\"Muster\", nonce=") == true)

            let basic = Data("viewer:v-secret-1".utf8).base64EncodedString()
            try client.send("DESCRIBE \(harness.url("hq/gate-1")) RTSP/1.0\r\nCSeq: 2\r\nAuthorization: Basic \(basic)\r\n\r\n")
            let described = try await client.readResponse()
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

    /// Before this, PLAY, PAUSE, RECORD, TEARDOWN and GET/SET_PARAMETER acted on a session with
    /// no credentials at all, and with those of a user without the permission: only DESCRIBE,
    /// ANNOUNCE and SETUP were checked. Now each request acting on a session, or naming a path,
    /// needs a user allowed what the session does there.
    @Test func everyRequestOnASessionNeedsCredentialsWithThePermission() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(sources: [("hq/gate-1", clip)], users: Self.users) { harness in
            try await harness.waitForStream("hq/gate-1")
            let url = harness.url("hq/gate-1")
            let viewer = Self.basic("viewer:v-secret-1"), unit7 = Self.basic("unit7:u-secret-2")
            let client = try RawRTSPClient(port: harness.rtspPort)
            var sequence = 0
            func request(_ method: String, _ uri: String, _ extra: String = "") async throws -> (status: Int, headers: [String: String], body: String) {
                sequence += 1
                try client.send("\(method) \(uri) RTSP/1.0\r\nCSeq: \(sequence)\r\n\(extra)\r\n")
                return try await client.readResponse()
            }

            #expect(try await request("OPTIONS", url).status == 200, "OPTIONS tells nothing about a path")
            #expect(try await request("GET_PARAMETER", url).status == 401, "a path without a session")
            #expect(try await request("GET_PARAMETER", url, unit7).status == 403)
            #expect(try await request("GET_PARAMETER", url, viewer).status == 200)

            let setup = try await request("SETUP", url + "/trackID=0", "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n" + viewer)
            #expect(setup.status == 200)
            let session = "Session: " + (setup.headers["session"]?.split(separator: ";").first.map(String.init) ?? "") + "\r\n"
            for method in ["PLAY", "PAUSE", "RECORD", "GET_PARAMETER", "SET_PARAMETER", "TEARDOWN"] {
                let anonymous = try await request(method, url, session)
                #expect(anonymous.status == 401, "\(method) without credentials")
                #expect(anonymous.headers["www-authenticate"]?.hasPrefix("Digest ") == true)
                #expect(try await request(method, url, session + unit7).status == 403, "\(method) by a user who may not read hq/gate-1")
            }
            #expect(try await request("GET_PARAMETER", url, session + viewer).status == 200)
            #expect(try await request("PAUSE", url, session + viewer).status == 200)
            // Last: after PLAY, interleaved media follows on this connection.
            let play = try await request("PLAY", url, session + viewer)
            #expect(play.status == 200)
            #expect(harness.gateway.rtspServer.sessions.sessions.first { $0.path == "hq/gate-1" }?.user == "viewer")

            // The same for a publisher's session.
            let sdp = """
                v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=No Name\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\n\
                a=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1; \
                sprop-parameter-sets=Z2QAFqzZQKA9sBEAAAMAAQAAAwAUDxYtlg==,aOvjyyLA; profile-level-id=640016\r\na=control:streamid=0\r\n
                """
            let publisher = try RawRTSPClient(port: harness.rtspPort)
            let unitURL = harness.url("units/u9")
            try publisher.send("ANNOUNCE \(unitURL) RTSP/1.0\r\nCSeq: 1\r\n\(unit7)Content-Type: application/sdp\r\nContent-Length: \(sdp.utf8.count)\r\n\r\n\(sdp)")
            #expect(try await publisher.readResponse().status == 200)
            try publisher.send("SETUP \(unitURL)/streamid=0 RTSP/1.0\r\nCSeq: 2\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1;mode=record\r\n\(unit7)\r\n")
            let recordSetup = try await publisher.readResponse()
            #expect(recordSetup.status == 200)
            let recordSession = "Session: " + (recordSetup.headers["session"]?.split(separator: ";").first.map(String.init) ?? "") + "\r\n"
            for (cSeq, credentials, status) in [(3, "", 401), (4, viewer, 403), (5, unit7, 200)] {
                try publisher.send("RECORD \(unitURL) RTSP/1.0\r\nCSeq: \(cSeq)\r\n\(recordSession)\(credentials)\r\n")
                #expect(try await publisher.readResponse().status == status, "RECORD with '\(credentials)'")
            }
            #expect(harness.gateway.hubs.hub(at: "units/u9")?.tracks?.count == 1)
        }
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
                #expect(try await guesser.readResponse().status == 401)
            }
            #expect(ContinuousClock.now - started >= policy.pauseAfterFailure * 0.9, "failures are answered after a pause")

            let locked = try RawRTSPClient(port: harness.rtspPort)
            try locked.send("DESCRIBE \(url) RTSP/1.0\r\nCSeq: 1\r\n\(Self.basic("viewer:v-secret-1"))\r\n")
            let refusal = try await locked.readResponse()
            #expect(refusal.status == 403)
            #expect(refusal.body.contains("too many failed authentications"))
            let ffprobe = try ExternalProcess("ffprobe", ["-v", "error", "-rtsp_transport", "tcp", Self.url(harness, "viewer:v-secret-1", "hq/gate-1")])
            try ffprobe.start()
            #expect(try await ffprobe.wait(timeout: .seconds(20)) != 0)
            #expect(ffprobe.standardError.contains("403"), "\(ffprobe.standardError)")

            let elsewhere = try RawRTSPClient(port: harness.rtspPort, sourceAddress: "127.0.0.2")
            try elsewhere.send("DESCRIBE \(url) RTSP/1.0\r\nCSeq: 1\r\n\(Self.basic("viewer:v-secret-1"))\r\n")
            #expect(try await elsewhere.readResponse().status == 200, "another address is not affected")

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
            let challenge = try await client.readResponse()
            #expect(challenge.status == 401)
            #expect(challenge.headers["www-authenticate"]?.contains("stale") == false)
            let first = try Self.nonce(of: challenge.headers["www-authenticate"])
            try client.send("DESCRIBE \(url) RTSP/1.0\r\nCSeq: 2\r\n\(Self.digest("viewer:v-secret-1", nonce: first, method: "DESCRIBE", uri: url))\r\n")
            #expect(try await client.readResponse().status == 200)

            try await Task.sleep(for: .milliseconds(2200))
            let track = url + "/trackID=0", transport = "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n"
            try client.send("SETUP \(track) RTSP/1.0\r\nCSeq: 3\r\n\(transport)\(Self.digest("viewer:v-secret-1", nonce: first, method: "SETUP", uri: track))\r\n")
            let stale = try await client.readResponse()
            #expect(stale.status == 401)
            #expect(stale.headers["www-authenticate"]?.hasSuffix(", stale=true") == true, "\(stale.headers)")
            let second = try Self.nonce(of: stale.headers["www-authenticate"])
            #expect(second != first)

            try client.send("SETUP \(track) RTSP/1.0\r\nCSeq: 4\r\n\(transport)\(Self.digest("viewer:wrong", nonce: first, method: "SETUP", uri: track))\r\n")
            let wrong = try await client.readResponse()
            #expect(wrong.status == 401)
            #expect(wrong.headers["www-authenticate"]?.contains("stale") == false, "a wrong password is no stale nonce")

            try client.send("SETUP \(track) RTSP/1.0\r\nCSeq: 5\r\n\(transport)\(Self.digest("viewer:v-secret-1", nonce: second, method: "SETUP", uri: track))\r\n")
            #expect(try await client.readResponse().status == 200)
            #expect(harness.log.text.components(separatedBy: "authentication failed").count - 1 == 1, "only the wrong password counted")
        }
    }

    /// ffmpeg sends a keep-alive GET_PARAMETER every half session timeout; when its nonce has
    /// expired it gets stale=true and must retry at once with the new nonce, not carry on with
    /// the old one (which would be answered stale again, every time) or give up.
    @Test func ffmpegRetriesSilentlyWhenItsNonceExpires() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(sources: [("hq/gate-1", clip)], users: Self.users, configure: {
            $0.rtsp.sessionTimeout = .seconds(2)
            $0.rtsp.authentication.nonceLifetime = .seconds(3)
        }) { harness in
            try await harness.waitForStream("hq/gate-1")
            let decoded = try await Players.decodeFrames(Self.url(harness, "viewer:v-secret-1", "hq/gate-1"), transport: "tcp", seconds: 8)
            #expect(decoded.video >= 150, "decoded \(decoded.video) pictures: \(decoded.errors)")
            let log = harness.log.text
            // About one expiry every 3 s of the 8: 2 or 3 stale answers. An ffmpeg that ignored
            // stale=true would get one for each keep-alive (every second) after the first expiry.
            let staleAnswers = log.components(separatedBy: "challenged again with stale=true").count - 1
            #expect((1...3).contains(staleAnswers), "\(staleAnswers) stale answers")
            #expect(!log.contains("authentication failed"))
        }
    }

    /// GStreamer's rtspsrc and rtspclientsink with credentials: Digest on every request after the
    /// first 401, PLAY and RECORD included.
    @Test func gstreamerPlaysAndPublishesWithCredentials() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(sources: [("hq/gate-1", clip)], users: Self.users) { harness in
            try await harness.waitForStream("hq/gate-1")
            let (pictures, log) = try await GStreamerInteropTests.decodePictures(
                Self.url(harness, "viewer:v-secret-1", "hq/gate-1"), transport: "tcp", pictures: 30
            )
            #expect(pictures >= 30, "GStreamer decoded \(pictures) pictures: \(log)")

            let publisher = try ExternalProcess("gst-launch-1.0", [
                "-q", "filesrc", "location=\(clip)", "!", "qtdemux", "name=demux",
                "demux.video_0", "!", "queue", "!", "h264parse", "config-interval=-1",
                "!", "rtspclientsink", "location=\(Self.url(harness, "unit7:u-secret-2", "units/gst"))", "protocols=tcp",
            ])
            try publisher.start()
            defer { publisher.stop() }
            try await harness.waitForStream("units/gst")
            #expect(!harness.log.text.contains("authentication failed"))
        }
    }
}
