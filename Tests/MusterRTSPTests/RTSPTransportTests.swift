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

    @Test func parsesAndWritesMulticastParameters() throws {
        let transport = try RTSPTransport(parsing: "RTP/AVP;multicast;destination=239.255.42.1;port=8002-8003;ttl=4")
        #expect(transport.isMulticast)
        #expect(transport.destination == "239.255.42.1")
        #expect(transport.multicastPorts == 8002...8003)
        #expect(transport.ttl == 4)
        #expect(transport.description == "RTP/AVP;multicast;destination=239.255.42.1;port=8002-8003;ttl=4")
    }

    @Test(arguments: ["RTP/AVP;multicast;ttl=256", "RTP/AVP;multicast;ttl=-1", "RTP/AVP;multicast;port=0-1", "RTP/AVP;multicast;port=x"])
    func rejectsBadMulticastParameters(header: String) {
        #expect(throws: RTSPTransportError.self) { try RTSPTransport(parsing: header) }
    }

    @Test func aSinglePortMeansAPair() throws {
        #expect(try RTSPTransport(parsing: "RTP/AVP;client_port=7000").clientPorts == 7000...7001)
    }

    @Test(arguments: [
        "", "RAW/RAW/UDP;unicast", "RTP/AVP/SCTP", "RTP/AVP;client_port=0-1", "RTP/AVP;client_port=9-3",
        "RTP/AVP/TCP;interleaved=300-301", "RTP/AVP;client_port=70000-70001", "RTP/AVP;client_port=a-b",
        "RTP/AVP;client_port=65535", "RTP/AVP;client_port=0", "RTP/AVP;client_port=65535-0",
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

@Suite struct IPv4AddressBlockTests {
    @Test func parsesABlockAndClearsHostBits() throws {
        let block = try #require(IPv4AddressBlock("239.255.42.17/24"))
        #expect(block.description == "239.255.42.0/24")
        #expect(block.count == 256)
        #expect(block.isMulticast)
        #expect(block.address(at: 5) == "239.255.42.5")
    }

    @Test func knowsWhatIsNotMulticast() throws {
        #expect(try #require(IPv4AddressBlock("10.0.0.0/8")).isMulticast == false)
        #expect(try #require(IPv4AddressBlock("224.0.0.0/3")).isMulticast == false)
        #expect(try #require(IPv4AddressBlock("224.0.0.0/4")).isMulticast)
    }

    @Test(arguments: ["239.255.42.0", "239.255.42.0/33", "239.255.42/24", "239.255.42.256/24", "239.255.42.0/-1", "a.b.c.d/8", "239.255.42.0/24/1", "0239.1.1.1/8", ""])
    func refusesMalformedBlocks(text: String) {
        #expect(IPv4AddressBlock(text) == nil)
    }
}
