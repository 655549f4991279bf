import Foundation
import Testing

/// How the server answers requests that real players rarely send: bad input gets the right
/// status code and never affects other sessions.
@Suite(.serialized) struct RTSPServerBehaviourTests {
    @Test func answersOptionsWithEveryMethod() async throws {
        try await GatewayHarness.with { harness in
            let client = try RawRTSPClient(port: harness.rtspPort)
            try client.send("OPTIONS rtsp://127.0.0.1/ RTSP/1.0\r\nCSeq: 1\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.headers["cseq"] == "1")
            for method in ["DESCRIBE", "ANNOUNCE", "SETUP", "PLAY", "RECORD", "TEARDOWN", "GET_PARAMETER"] {
                #expect(response.headers["public"]?.contains(method) == true)
            }
        }
    }

    @Test func answersStatusCodesForBadRequests() async throws {
        try await GatewayHarness.with { harness in
            let client = try RawRTSPClient(port: harness.rtspPort)
            let cases: [(String, Int)] = [
                ("DESCRIBE rtsp://127.0.0.1/nothing/here RTSP/1.0\r\nCSeq: 2\r\n\r\n", 404),
                ("DESCRIBE rtsp://127.0.0.1/x RTSP/1.0\r\n\r\n", 400),
                ("SETUP rtsp://127.0.0.1/x/trackID=0 RTSP/1.0\r\nCSeq: 3\r\n\r\n", 461),
                ("PLAY rtsp://127.0.0.1/x RTSP/1.0\r\nCSeq: 4\r\nSession: DEADBEEF\r\n\r\n", 454),
                ("PLAY rtsp://127.0.0.1/x RTSP/1.0\r\nCSeq: 5\r\n\r\n", 454),
                ("FROB rtsp://127.0.0.1/x RTSP/1.0\r\nCSeq: 6\r\n\r\n", 501),
                ("ANNOUNCE rtsp://127.0.0.1/u RTSP/1.0\r\nCSeq: 7\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi", 415),
                ("ANNOUNCE rtsp://127.0.0.1/u RTSP/1.0\r\nCSeq: 8\r\nContent-Type: application/sdp\r\nContent-Length: 7\r\n\r\ngarbage", 400),
                ("RECORD rtsp://127.0.0.1/u RTSP/1.0\r\nCSeq: 9\r\n\r\n", 454),
                ("ANNOUNCE rtsp://127.0.0.1/Units/U1 RTSP/1.0\r\nCSeq: 10\r\nContent-Type: application/sdp\r\nContent-Length: 3\r\n\r\nv=0", 400),
            ]
            for (request, status) in cases {
                try client.send(request)
                let response = try client.readResponse()
                #expect(response.status == status, "\(request.prefix(40)) → \(response.status) \(response.body)")
            }
        }
    }

    @Test func refusesASessionOfAnotherConnection() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(sources: [("cam", clip)]) { harness in
            try await harness.waitForStream("cam")
            let owner = try RawRTSPClient(port: harness.rtspPort)
            try owner.send("SETUP \(harness.url("cam"))/trackID=0 RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n")
            let setup = try owner.readResponse()
            #expect(setup.status == 200)
            let session = try #require(setup.headers["session"]?.split(separator: ";").first.map(String.init))
            #expect(setup.headers["session"]?.contains("timeout=60") == true)

            let intruder = try RawRTSPClient(port: harness.rtspPort)
            try intruder.send("PLAY \(harness.url("cam")) RTSP/1.0\r\nCSeq: 1\r\nSession: \(session)\r\n\r\n")
            #expect(try intruder.readResponse().status == 454)

            try owner.send("TEARDOWN \(harness.url("cam")) RTSP/1.0\r\nCSeq: 2\r\nSession: \(session)\r\n\r\n")
            #expect(try owner.readResponse().status == 200)
        }
    }

    @Test func limitsSessionsPerConnection() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(sources: [("cam", clip)]) { harness in
            try await harness.waitForStream("cam")
            let client = try RawRTSPClient(port: harness.rtspPort)
            var statuses: [Int] = []
            for sequence in 1...17 {
                try client.send("SETUP \(harness.url("cam"))/trackID=0 RTSP/1.0\r\nCSeq: \(sequence)\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n")
                statuses.append(try client.readResponse().status)
            }
            #expect(statuses == Array(repeating: 200, count: 16) + [503])
        }
    }

    @Test func closesTheConnectionAfterUnframeableInputButServesOthers() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(sources: [("cam", clip)]) { harness in
            try await harness.waitForStream("cam")
            let bad = try RawRTSPClient(port: harness.rtspPort)
            try bad.send("this is not rtsp at all\r\n\r\n")
            #expect(try bad.readResponse().status == 400)
            #expect(bad.isClosedByServer())

            let streams = try await Players.probe(harness.url("cam"), transport: "tcp")
            #expect(streams.count == 2)
        }
    }
}
