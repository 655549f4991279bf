import Foundation
import MusterRTSP
import Testing

/// How the server answers requests that real players rarely send: bad input gets the right
/// status code and never affects other sessions.
@Suite(.serialized) struct RTSPServerBehaviourTests {
    @Test func answersOptionsWithEveryMethod() async throws {
        try await GatewayHarness.with { harness in
            let client = try RawRTSPClient(port: harness.rtspPort)
            try client.send("OPTIONS rtsp://127.0.0.1/ RTSP/1.0\r\nCSeq: 1\r\n\r\n")
            let response = try await client.readResponse()
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
                let response = try await client.readResponse()
                #expect(response.status == status, "\(request.prefix(40)) → \(response.status) \(response.body)")
            }
        }
    }

    @Test func neverEchoesAMistypedURIThatCarriesCredentials() async throws {
        try await GatewayHarness.with { harness in
            let client = try RawRTSPClient(port: harness.rtspPort)
            try client.send("DESCRIBE http://wall:s3cret-word@127.0.0.1/cam RTSP/1.0\r\nCSeq: 1\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.status == 400)
            #expect(!response.body.contains("s3cret") && !harness.log.text.contains("s3cret"))
        }
    }

    @Test func refusesASessionOfAnotherConnection() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(sources: [("cam", clip)]) { harness in
            try await harness.waitForStream("cam")
            let owner = try RawRTSPClient(port: harness.rtspPort)
            try owner.send("SETUP \(harness.url("cam"))/trackID=0 RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n")
            let setup = try await owner.readResponse()
            #expect(setup.status == 200)
            let session = try #require(setup.headers["session"]?.split(separator: ";").first.map(String.init))
            #expect(setup.headers["session"]?.contains("timeout=60") == true)

            let intruder = try RawRTSPClient(port: harness.rtspPort)
            try intruder.send("PLAY \(harness.url("cam")) RTSP/1.0\r\nCSeq: 1\r\nSession: \(session)\r\n\r\n")
            #expect(try await intruder.readResponse().status == 454)

            try owner.send("TEARDOWN \(harness.url("cam")) RTSP/1.0\r\nCSeq: 2\r\nSession: \(session)\r\n\r\n")
            #expect(try await owner.readResponse().status == 200)
        }
    }

    /// Interleaved frames on channels no SETUP made are dropped, a repeated SETUP of a track
    /// replaces its transport, and the connection goes on serving requests throughout.
    @Test func ignoresStrayInterleavedFramesAndTakesARepeatedSetup() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(sources: [("cam", clip)]) { harness in
            try await harness.waitForStream("cam")
            let client = try RawRTSPClient(port: harness.rtspPort)
            let strayFrame: [UInt8] = [0x24, 5, 0, 4, 0x80, 0x60, 0, 1]
            try client.send(bytes: strayFrame)
            try client.send("OPTIONS \(harness.url("cam")) RTSP/1.0\r\nCSeq: 1\r\n\r\n")
            #expect(try await client.readResponse().status == 200)

            try client.send("SETUP \(harness.url("cam"))/trackID=0 RTSP/1.0\r\nCSeq: 2\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n")
            let first = try await client.readResponse()
            #expect(first.status == 200)
            let session = try #require(first.headers["session"]?.split(separator: ";").first.map(String.init))
            try client.send("SETUP \(harness.url("cam"))/trackID=0 RTSP/1.0\r\nCSeq: 3\r\nSession: \(session)\r\nTransport: RTP/AVP/TCP;unicast;interleaved=6-7\r\n\r\n")
            let again = try await client.readResponse()
            #expect(again.status == 200)
            #expect(again.headers["transport"]?.contains("interleaved=6-7") == true, "\(again.headers)")

            try client.send(bytes: [0x24, 9, 0, 2, 0xFF, 0xFF] + strayFrame)
            try client.send("TEARDOWN \(harness.url("cam")) RTSP/1.0\r\nCSeq: 4\r\nSession: \(session)\r\n\r\n")
            #expect(try await client.readResponse().status == 200)
        }
    }

    /// Multicast SETUPs get a group of the configured block and its port pair; every session of
    /// one track shares the group; publishers and servers with multicast off refuse it.
    @Test func answersMulticastSetupsWithTheTracksGroup() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(sources: [("cam", clip)]) { harness in
            try await harness.waitForStream("cam")
            let port = try #require(harness.multicastPort)
            var groups: [String] = []
            var clients: [RawRTSPClient] = []  // a closed connection would give its group back
            for _ in 0..<2 {
                let client = try RawRTSPClient(port: harness.rtspPort)
                clients.append(client)
                try client.send("SETUP \(harness.url("cam"))/trackID=0 RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP;multicast;destination=10.9.9.9;port=4000-4001\r\n\r\n")
                let setup = try await client.readResponse()
                #expect(setup.status == 200, "\(setup)")
                let transport = try #require(setup.headers["transport"])
                #expect(transport.contains("multicast") && transport.contains("port=\(port)-\(port + 1)") && transport.contains("ttl=1"), "\(transport)")
                let destination = try #require(transport.split(separator: ";").first { $0.hasPrefix("destination=") })
                #expect(destination.hasPrefix("destination=239.255.42."), "the client's destination must not be used: \(transport)")
                groups.append(String(destination))
            }
            #expect(groups[0] == groups[1], "one group per track: \(groups)")

            let audio = try RawRTSPClient(port: harness.rtspPort)
            try audio.send("SETUP \(harness.url("cam"))/trackID=1 RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP;multicast\r\n\r\n")
            let audioSetup = try await audio.readResponse()
            #expect(audioSetup.status == 200)
            #expect(audioSetup.headers["transport"]?.contains(groups[0] + ";") == false, "each track has a group of its own")
            #expect(clients.count == 2)

            let publisher = try RawRTSPClient(port: harness.rtspPort)
            try publisher.send("SETUP \(harness.url("cam"))/trackID=0 RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP;multicast;mode=record\r\n\r\n")
            #expect(try await publisher.readResponse().status == 461)
        }
        try await GatewayHarness.with(sources: [("cam", clip)], configure: { $0.rtsp.multicast = nil }) { harness in
            try await harness.waitForStream("cam")
            #expect(harness.multicastPort == nil)
            let client = try RawRTSPClient(port: harness.rtspPort)
            try client.send("SETUP \(harness.url("cam"))/trackID=0 RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP;multicast\r\n\r\n")
            #expect(try await client.readResponse().status == 461)
        }
    }

    /// A block with one group serves one track; the group comes back when its session ends.
    @Test func answers453WhenEveryGroupIsTakenAndFreesGroupsWithTheirSessions() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(sources: [("cam", clip)], configure: {
            $0.rtsp.multicast?.groups = IPv4AddressBlock("239.255.43.9/32")!
        }) { harness in
            try await harness.waitForStream("cam")
            func setUp(track: Int, on client: RawRTSPClient) async throws -> Int {
                try client.send("SETUP \(harness.url("cam"))/trackID=\(track) RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP;multicast\r\n\r\n")
                return try await client.readResponse().status
            }
            var holder: RawRTSPClient? = try RawRTSPClient(port: harness.rtspPort)
            #expect(try await setUp(track: 0, on: holder!) == 200)
            let latecomer = try RawRTSPClient(port: harness.rtspPort)
            #expect(try await setUp(track: 1, on: latecomer) == 453)
            holder = nil
            var status = 0
            for _ in 0..<50 where status != 200 {
                status = try await setUp(track: 1, on: try RawRTSPClient(port: harness.rtspPort))
                if status != 200 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(status == 200, "the group of a closed session must be free again")
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
                statuses.append(try await client.readResponse().status)
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
            #expect(try await bad.readResponse().status == 400)
            #expect(try await bad.isClosedByServer())

            let streams = try await Players.probe(harness.url("cam"), transport: "tcp")
            #expect(streams.count == 2)
        }
    }
}
