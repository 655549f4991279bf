import MusterSDP
import NIOCore
import Testing

@Suite("Parsing and writing session descriptions")
struct SDPParsingTests {
    @Test func readsFFmpegAnnounce() throws {
        let sdp = try SDPSessionDescription(parsing: SDPFixtures.ffmpegH264AAC)
        #expect(sdp.origin == SDPOrigin(username: "-", sessionID: "0", sessionVersion: "0", address: "127.0.0.1"))
        #expect(sdp.sessionName == "No Name")
        #expect(sdp.connection == SDPConnection(address: "127.0.0.1"))
        #expect(sdp.timing == "0 0")
        #expect(sdp.attribute("tool") == "libavformat 59.27.100")
        #expect(sdp.media.count == 2)

        let video = sdp.media[0]
        #expect(video.type == "video" && video.port == 0 && video.portCount == nil)
        #expect(video.proto == "RTP/AVP" && video.formats == ["96"])
        #expect(video.control == "streamid=0")
        #expect(video.rtpMap(for: 96) == SDPRTPMap(payloadType: 96, encodingName: "H264", clockRate: 90000))
        let fmtp = video.formatParameters(for: 96)
        #expect(fmtp["packetization-mode"] == "1")
        #expect(fmtp["PROFILE-LEVEL-ID"] == "64001F")
        #expect(fmtp["sprop-parameter-sets"] == "Z2QAH6zZQFAFuhAAAAMAEAAAAwMg8YMZYA==,aOvjyyLA")

        let audio = sdp.media[1]
        #expect(audio.bandwidths == ["AS:128"])
        #expect(audio.rtpMap(for: 97) == SDPRTPMap(payloadType: 97, encodingName: "MPEG4-GENERIC", clockRate: 44100, channels: 2))
        #expect(audio.formatParameters(for: 97)["config"] == "121056E500")
        #expect(audio.formatParameters(for: 96).isEmpty)
    }

    @Test func readsCameraDescribeWithQuirks() throws {
        let sdp = try SDPSessionDescription(parsing: SDPFixtures.camera)
        #expect(sdp.sessionName == "Media Presentation")
        #expect(sdp.origin.sessionID == "1109162014219182")
        #expect(sdp.attribute("control") == "*")
        #expect(sdp.attribute("range") == "npt=now-")
        #expect(sdp.media.map(\.type) == ["video", "audio", "application"])
        #expect(sdp.media[0].control == "rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=1")
        #expect(sdp.media[0].connection == SDPConnection(address: "0.0.0.0"))
        #expect(sdp.media[0].attribute("recvonly") == "")
        #expect(sdp.media[0].rtpMap(for: 96)?.encodingName == "H264")
        #expect(sdp.media[1].rtpMap(for: 0) == SDPRTPMap(payloadType: 0, encodingName: "PCMU", clockRate: 8000))
        #expect(sdp.media[2].attribute("Media_header")?.hasPrefix("MEDIAINFO=494D") == true)
    }

    @Test func readsByteBuffer() throws {
        let sdp = try SDPSessionDescription(parsing: ByteBuffer(string: SDPFixtures.ffmpegH264AAC))
        #expect(sdp == (try SDPSessionDescription(parsing: SDPFixtures.ffmpegH264AAC)))
    }

    @Test func fillsDefaultsForMissingSessionNameAndTiming() throws {
        let sdp = try SDPSessionDescription(parsing: SDPFixtures.h265)
        #expect(sdp.sessionName == "-")
        #expect(sdp.timing == "0 0")
    }

    @Test func synthesizesStaticPayloadTypes() throws {
        let sdp = try SDPSessionDescription(parsing: SDPFixtures.pcmuStatic)
        #expect(sdp.media[0].rtpMap(for: 0) == SDPRTPMap(payloadType: 0, encodingName: "PCMU", clockRate: 8000, channels: 1))
        let pcma = SDPMedia(type: "audio", formats: ["8"])
        #expect(pcma.rtpMap(for: 8) == SDPRTPMap(payloadType: 8, encodingName: "PCMA", clockRate: 8000, channels: 1))
        #expect(pcma.rtpMap(for: 96) == nil)
    }

    @Test func ignoresUnknownLineTypesAndKeepsFirstTiming() throws {
        let text = "v=0\ns=x\ni=info\nu=http://x\nt=1 2\nr=7d 1h 0 25h\nt=3 4\nz=0 0\nx=vendor\nm=audio 4000/2 RTP/AVP 0 8\ni=mic\nk=clear:x\n"
        let sdp = try SDPSessionDescription(parsing: text)
        #expect(sdp.timing == "1 2")
        #expect(sdp.media[0].port == 4000 && sdp.media[0].portCount == 2)
        #expect(sdp.media[0].formats == ["0", "8"])
    }

    @Test func serializesInRFCOrderWithCRLF() {
        var video = SDPMedia(type: "video", formats: ["96"], bandwidths: ["AS:500"])
        video.attributes = [SDPAttribute(name: "rtpmap", value: "96 H264/90000"), SDPAttribute(name: "recvonly")]
        video.control = "trackID=0"
        let sdp = SDPSessionDescription(
            origin: SDPOrigin(sessionID: "42", address: "10.0.0.1"),
            sessionName: "Muster",
            connection: SDPConnection(address: "0.0.0.0"),
            attributes: [SDPAttribute(name: "control", value: "*")],
            media: [video]
        )
        #expect(sdp.serialized() == "v=0\r\no=- 42 0 IN IP4 10.0.0.1\r\ns=Muster\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\na=control:*\r\nm=video 0 RTP/AVP 96\r\nb=AS:500\r\na=rtpmap:96 H264/90000\r\na=recvonly\r\na=control:trackID=0\r\n")
    }

    @Test(arguments: [SDPFixtures.ffmpegH264AAC, SDPFixtures.camera, SDPFixtures.h265, SDPFixtures.latm, SDPFixtures.pcmuStatic, SDPFixtures.klv])
    func serializationReadsBackEqual(fixture: String) throws {
        let sdp = try SDPSessionDescription(parsing: fixture)
        #expect(try SDPSessionDescription(parsing: sdp.serialized()) == sdp)
    }

    @Test func controlSetterReplacesAndRemoves() {
        var media = SDPMedia(type: "audio", formats: ["0"], attributes: [SDPAttribute(name: "control", value: "a")])
        media.control = "b"
        #expect(media.attributes == [SDPAttribute(name: "control", value: "b")])
        media.control = nil
        #expect(media.attributes.isEmpty && media.control == nil)
    }

    @Test func formatParametersKeepOrderAndTolerateSloppiness() {
        var fmtp = SDPFormatParameters(parsing: " streamtype=5;sizeLength=13 ; config=1210;; flag ; sprop=aGk= ")
        #expect(fmtp.parameters.map(\.key) == ["streamtype", "sizeLength", "config", "flag", "sprop"])
        #expect(fmtp["sizelength"] == "13")
        #expect(fmtp["flag"] == "")
        #expect(fmtp["sprop"] == "aGk=")
        fmtp["CONFIG"] = "1190"
        fmtp["mode"] = "AAC-hbr"
        fmtp["flag"] = nil
        #expect(fmtp.serialized() == "streamtype=5; sizeLength=13; config=1190; sprop=aGk=; mode=AAC-hbr")
        let literal: SDPFormatParameters = ["packetization-mode": "1", "profile-level-id": "42E01F"]
        #expect(literal.serialized() == "packetization-mode=1; profile-level-id=42E01F")
    }

    @Test func errorDescriptionNamesCodeAndLine() {
        let error = SDPError(.invalidMedia, line: 7, "port 'x' is not a number from 0 to 65535")
        #expect(error.description == "SDP invalidMedia at line 7: port 'x' is not a number from 0 to 65535")
    }
}
