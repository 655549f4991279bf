import MusterRTSP
import Testing

@Suite struct RTSPTransportTests {
    @Test func parsesTCPInterleaved() throws {
        let transport = try RTSPTransport(parsing: "RTP/AVP/TCP;unicast;interleaved=2-3;mode=record")
        #expect(transport.lowerTransport == .tcp)
        #expect(transport.interleaved == 2...3)
        #expect(transport.isRecord)
        #expect(transport.description == "RTP/AVP/TCP;unicast;interleaved=2-3;mode=record")
    }

    @Test func parsesUDPClientPorts() throws {
        let transport = try RTSPTransport(parsing: "RTP/AVP/UDP;unicast;client_port=5000-5001;mode=\"PLAY\"")
        #expect(transport.lowerTransport == .udp)
        #expect(transport.clientPorts == 5000...5001)
        #expect(!transport.isRecord)
    }

    @Test func keepsTheClientsOrderOfAlternatives() throws {
        let alternatives = try RTSPTransport.parseAlternatives("RTP/AVP;multicast, RTP/AVP;unicast;client_port=6970-6971, RTP/AVP/TCP;interleaved=0-1")
        #expect(alternatives.map(\.isMulticast) == [true, false, false])
        #expect(alternatives.last?.lowerTransport == .tcp)
    }

    @Test func aSinglePortMeansAPair() throws {
        #expect(try RTSPTransport(parsing: "RTP/AVP;client_port=7000").clientPorts == 7000...7001)
    }

    @Test(arguments: [
        "", "RAW/RAW/UDP;unicast", "RTP/AVP/SCTP", "RTP/AVP;client_port=0-1", "RTP/AVP;client_port=9-3",
        "RTP/AVP/TCP;interleaved=300-301", "RTP/AVP;client_port=70000-70001", "RTP/AVP;client_port=a-b",
    ])
    func rejectsWhatCannotBeServed(header: String) {
        #expect(throws: RTSPTransportError.self) { try RTSPTransport.parseAlternatives(header) }
    }
}

@Suite struct RTSPURLTests {
    @Test func splitsPathAndTrackControl() throws {
        let url = try #require(RTSPURL("rtsp://127.0.0.1:8554/units/u1/streamid=0"))
        #expect(url.path == "units/u1/streamid=0")
        #expect(url.trackControl == "streamid=0")
        #expect(url.streamPath == "units/u1")
    }

    @Test func ignoresQueryAndTrailingSlash() throws {
        let url = try #require(RTSPURL("rtsp://host/hq/gate-1/?token=x"))
        #expect(url.path == "hq/gate-1")
        #expect(url.trackControl == nil)
    }

    @Test func refusesOtherSchemesAndDotDot() {
        #expect(RTSPURL("http://host/x") == nil)
        #expect(RTSPURL("rtsp://host/a/../b") == nil)
    }
}
