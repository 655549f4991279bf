import Foundation
import Testing

/// The session list follows PLAY, PAUSE and TEARDOWN: a paused consumer receives nothing, so it
/// is not listed (nor counted on /metrics) until it plays again.
@Suite struct RTSPSessionListTests {
    @Test func pauseTakesAConsumerOffTheListAndPlayPutsItBack() async throws {
        let clip = try await MediaFixtures.h264AAC()
        try await GatewayHarness.with(sources: [("cam", clip)]) { harness in
            try await harness.waitForStream("cam")
            let sessions = harness.gateway.rtspServer.sessions
            let client = try RawRTSPClient(port: harness.rtspPort)
            try client.send("SETUP \(harness.url("cam"))/trackID=0 RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP;unicast;client_port=40000-40001\r\n\r\n")
            let setup = try await client.readResponse()
            #expect(setup.status == 200)
            let id = try #require(setup.headers["session"]?.split(separator: ";").first.map(String.init))

            func request(_ method: String, _ cSeq: Int) async throws -> Int {
                try client.send("\(method) \(harness.url("cam")) RTSP/1.0\r\nCSeq: \(cSeq)\r\nSession: \(id)\r\n\r\n")
                return try await client.readResponse().status
            }
            #expect(try await request("PLAY", 2) == 200)
            #expect(sessions.sessions.map(\.id) == [id])
            #expect(try await request("PAUSE", 3) == 200)
            #expect(sessions.sessions.isEmpty)
            #expect(try await request("PLAY", 4) == 200)
            #expect(sessions.sessions.map(\.id) == [id])
            #expect(try await request("TEARDOWN", 5) == 200)
            #expect(sessions.sessions.isEmpty)
        }
    }
}
