import MusterCore
import MusterSDP
import NIOCore
import Testing

@Suite("Mapping media sections to tracks")
struct MediaTrackSDPTests {
    static let sps = ByteBuffer(bytes: [0x67, 0x64, 0x00, 0x1F, 0xAC, 0xD9, 0x40, 0x50, 0x05, 0xBA, 0x10])
    static let pps = ByteBuffer(bytes: [0x68, 0xEB, 0xE3, 0xCB, 0x22, 0xC0])
    static let vps = ByteBuffer(bytes: [0x40, 0x01, 0x0C, 0x01, 0xFF, 0xFF, 0x01, 0x60])
    static let hevcSPS = ByteBuffer(bytes: [0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03])
    static let hevcPPS = ByteBuffer(bytes: [0x44, 0x01, 0xC1, 0x72, 0xB4, 0x62, 0x40])
    static let aacLC44100Stereo = ByteBuffer(bytes: [0x12, 0x10])

    private func tracks(_ text: String) throws -> [(track: MediaTrack, payloadType: UInt8)] {
        let sdp = try SDPSessionDescription(parsing: text)
        return try sdp.media.enumerated().map { index, media throws(SDPError) in try media.mediaTrack(id: index) }
    }

    private func trackError(_ media: String) -> SDPError? {
        #expect(throws: SDPError.self) {
            let sdp = try SDPSessionDescription(parsing: "v=0\r\n" + media)
            _ = try MediaTrack(sdpMedia: sdp.media[0], id: 0)
        }
    }

    @Test func ffmpegH264AndAAC() throws {
        let result = try tracks(SDPFixtures.ffmpegH264AAC)
        #expect(result.map(\.payloadType) == [96, 97])
        let video = result[0].track
        #expect(video.codec == .h264 && video.clockRate == 90000 && video.id == 0)
        #expect(video.parameterSets.count == 2)
        #expect(video.parameterSets[0].readableBytesView.prefix(4).elementsEqual([0x67, 0x64, 0x00, 0x1F]))
        #expect(video.parameterSets[1] == Self.pps)
        let audio = result[1].track
        #expect(audio == MediaTrack(id: 1, codec: .aac, clockRate: 44100, channels: 2,
                                    audioSpecificConfig: ByteBuffer(bytes: [0x12, 0x10, 0x56, 0xE5, 0x00])))
    }

    @Test func cameraTracksAndUnsupportedMetadata() throws {
        let sdp = try SDPSessionDescription(parsing: SDPFixtures.camera)
        let video = try MediaTrack(sdpMedia: sdp.media[0], id: 0)
        #expect(video.codec == .h264 && video.width == 1920 && video.height == 1080)
        let audio = try sdp.media[1].mediaTrack(id: 1)
        #expect(audio.payloadType == 0)
        #expect(audio.track == MediaTrack(id: 1, codec: .pcmu, clockRate: 8000, channels: 1))
        let error = #expect(throws: SDPError.self) { try MediaTrack(sdpMedia: sdp.media[2], id: 2) }
        #expect(error?.code == .unsupportedCodec)
        #expect(error?.message.contains("isapi-metadata") == true)
    }

    @Test func h265ParameterSetsInVPSSPSPPSOrder() throws {
        let track = try tracks(SDPFixtures.h265)[0].track
        #expect(track.codec == .h265 && track.clockRate == 90000)
        #expect(track.parameterSets.compactMap(\.readableBytesView.first).map(H265NALUnit.type(ofHeader:))
                == [H265NALUnit.vps, H265NALUnit.sps, H265NALUnit.pps])
    }

    @Test func latmYieldsAudioSpecificConfigAndChannels() throws {
        let (track, payloadType) = try tracks(SDPFixtures.latm)[0]
        #expect(payloadType == 96)
        #expect(track == MediaTrack(id: 0, codec: .aac, clockRate: 44100, channels: 2, audioSpecificConfig: Self.aacLC44100Stereo))
    }

    @Test func staticPCMUWithoutRTPMap() throws {
        let (track, payloadType) = try tracks(SDPFixtures.pcmuStatic)[0]
        #expect(payloadType == 0)
        #expect(track == MediaTrack(id: 0, codec: .pcmu, clockRate: 8000, channels: 1))
    }

    @Test func klvCaseInsensitive() throws {
        let result = try tracks(SDPFixtures.klv)
        #expect(result[1].track == MediaTrack(id: 1, codec: .klv, clockRate: 90000))
        #expect(result[1].payloadType == 97)
        #expect(result[0].track.parameterSets.isEmpty)
    }

    @Test func picksFirstSupportedFormat() throws {
        let sdp = try SDPSessionDescription(parsing: "v=0\nm=audio 0 RTP/AVP 101 8\na=rtpmap:101 telephone-event/8000\n")
        let (track, payloadType) = try sdp.media[0].mediaTrack(id: 3)
        #expect(payloadType == 8 && track == MediaTrack(id: 3, codec: .pcma, clockRate: 8000, channels: 1))
    }

    @Test func writesH264AsRFC6184() {
        let track = MediaTrack(id: 0, codec: .h264, clockRate: 90000, parameterSets: [Self.sps, Self.pps])
        let media = SDPMedia(track: track, payloadType: 96, control: "trackID=0")
        #expect(media.type == "video" && media.formats == ["96"] && media.port == 0 && media.proto == "RTP/AVP")
        #expect(media.attributes == [
            SDPAttribute(name: "rtpmap", value: "96 H264/90000"),
            SDPAttribute(name: "fmtp", value: "96 packetization-mode=1; profile-level-id=64001F; sprop-parameter-sets=Z2QAH6zZQFAFuhA=,aOvjyyLA"),
            SDPAttribute(name: "control", value: "trackID=0"),
        ])
    }

    @Test func writesAACAsRFC3640() {
        let track = MediaTrack(id: 1, codec: .aac, clockRate: 44100, audioSpecificConfig: Self.aacLC44100Stereo)
        let media = SDPMedia(track: track, payloadType: 97, control: "trackID=1")
        #expect(media.attribute("rtpmap") == "97 MPEG4-GENERIC/44100/2")
        #expect(media.attribute("fmtp") == "97 streamtype=5; profile-level-id=1; mode=AAC-hbr; sizelength=13; indexlength=3; indexdeltalength=3; config=1210")
    }

    @Test func writesOpusG711AndKLV() {
        #expect(SDPMedia(track: MediaTrack(id: 0, codec: .opus, clockRate: 48000, channels: 2), payloadType: 111, control: "a")
            .attributes.first?.value == "111 opus/48000/2")
        #expect(SDPMedia(track: MediaTrack(id: 0, codec: .pcma, clockRate: 8000), payloadType: 8, control: "a")
            .attribute("rtpmap") == "8 PCMA/8000/1")
        let klv = SDPMedia(track: MediaTrack(id: 2, codec: .klv, clockRate: 90000), payloadType: 98, control: "c")
        #expect(klv.type == "application" && klv.attribute("rtpmap") == "98 smpte336m/90000" && klv.attribute("fmtp") == nil)
    }

    static let roundTripTracks: [MediaTrack] = [
        MediaTrack(id: 0, codec: .h264, clockRate: 90000, parameterSets: [sps, pps], width: 1280, height: 720),
        MediaTrack(id: 1, codec: .h265, clockRate: 90000, parameterSets: [vps, hevcSPS, hevcPPS]),
        MediaTrack(id: 2, codec: .aac, clockRate: 44100, channels: 2, audioSpecificConfig: aacLC44100Stereo),
        MediaTrack(id: 3, codec: .opus, clockRate: 48000, channels: 1),
        MediaTrack(id: 4, codec: .opus, clockRate: 48000, channels: 2),
        MediaTrack(id: 5, codec: .pcmu, clockRate: 8000, channels: 1),
        MediaTrack(id: 6, codec: .pcma, clockRate: 8000, channels: 1),
        MediaTrack(id: 7, codec: .klv, clockRate: 90000),
    ]

    @Test(arguments: roundTripTracks)
    func trackToSDPToTrack(track: MediaTrack) throws {
        let media = SDPMedia(track: track, payloadType: track.rtpPayloadType, control: "trackID=\(track.id)")
        let text = SDPSessionDescription(sessionName: "Muster", media: [media]).serialized()
        let parsed = try SDPSessionDescription(parsing: text)
        let (readBack, payloadType) = try parsed.media[0].mediaTrack(id: track.id)
        #expect(readBack == track)
        #expect(payloadType == track.rtpPayloadType)
    }

    @Test func servingPayloadTypes() {
        #expect(MediaTrack(id: 0, codec: .pcmu, clockRate: 8000).rtpPayloadType == 0)
        #expect(MediaTrack(id: 1, codec: .pcma, clockRate: 8000).rtpPayloadType == 8)
        #expect(MediaTrack(id: 2, codec: .h264, clockRate: 90000).rtpPayloadType == 98)
        #expect(MediaTrack(id: 40, codec: .h264, clockRate: 90000).rtpPayloadType <= 127)
    }

    @Test func unsupportedEncodingIsNamed() {
        let error = trackError("m=video 0 RTP/AVP 96\na=rtpmap:96 VP8/90000\n")
        #expect(error?.code == .unsupportedCodec)
        #expect(error?.message.contains("VP8") == true)
    }

    @Test func dynamicPayloadTypeWithoutRTPMap() {
        #expect(trackError("m=video 0 RTP/AVP 96\n")?.code == .missingRTPMap)
    }

    @Test(arguments: [
        "sprop-parameter-sets=Z2QAH6zZQ,aOvjyyLA",  // cut inside a group: impossible length
        "sprop-parameter-sets=Z2QAH6zZQFAFuhA=,aOvjyyL",  // cut so the last group has stray bits
        "sprop-parameter-sets=Z2QA*6zZ",
    ])
    func truncatedBase64(fmtp: String) {
        let error = trackError("m=video 0 RTP/AVP 96\na=rtpmap:96 H264/90000\na=fmtp:96 \(fmtp)\n")
        #expect(error?.code == .invalidCodecParameters)
    }

    @Test(arguments: ["mode=AAC-hbr", "mode=AAC-hbr; config=121", "mode=AAC-hbr; config=XY10", "config=12"])
    func badAACConfig(fmtp: String) {
        let error = trackError("m=audio 0 RTP/AVP 97\na=rtpmap:97 MPEG4-GENERIC/44100/2\na=fmtp:97 \(fmtp)\n")
        #expect(error?.code == .invalidCodecParameters)
    }

    /// RFC 6416 §7.1: cpresent defaults to 1, the StreamMuxConfig inside every AudioMuxElement,
    /// which Muster does not depacketize; the refusal must say so and how to send instead.
    @Test(arguments: ["cpresent=1", "cpresent=1; config=400024203FC0", "config=400024203FC0", "profile-level-id=1"])
    func latmWithConfigInTheStreamIsRefused(fmtp: String) {
        let error = trackError("m=audio 0 RTP/AVP 96\na=rtpmap:96 MP4A-LATM/44100/2\na=fmtp:96 \(fmtp)\n")
        #expect(error?.code == .unsupportedCodec)
        #expect(error?.message.contains("cpresent=0") == true)
    }

    @Test func latmWithoutConfig() {
        let error = trackError("m=audio 0 RTP/AVP 96\na=rtpmap:96 MP4A-LATM/44100/2\na=fmtp:96 cpresent=0\n")
        #expect(error?.code == .invalidCodecParameters)
    }

    /// allStreamsSameTimeFraming 0 makes the frame lengths bit fields: the ffmpeg fixture
    /// `40 00 24 20 3F C0` with its second bit cleared.
    @Test func latmWithoutSameTimeFramingIsRefused() {
        let error = trackError("m=audio 0 RTP/AVP 96\na=rtpmap:96 MP4A-LATM/44100/2\na=fmtp:96 cpresent=0; config=000024203FC0\n")
        #expect(error?.code == .unsupportedCodec)
        #expect(error?.message.contains("allStreamsSameTimeFraming") == true)
    }

    /// GStreamer's rtpmp4apay (1.22) copies the 5-byte AudioSpecificConfig of ffmpeg's AAC
    /// encoder (`11 90 56 E5 00`, with its SBR sync extension) into the StreamMuxConfig and
    /// writes nothing after it; the config is still read as AAC-LC at 48 kHz, stereo.
    @Test func latmAsGStreamerWritesIt() throws {
        let sdp = try SDPSessionDescription(parsing: "v=0\r\nm=audio 0 RTP/AVP 96\r\na=rtpmap:96 MP4A-LATM/48000\r\na=fmtp:96 cpresent=0;config=40002320adca00\r\n")
        let (track, payloadType) = try sdp.media[0].mediaTrack(id: 1)
        #expect(payloadType == 96)
        #expect(track == MediaTrack(id: 1, codec: .aac, clockRate: 48000, channels: 2, audioSpecificConfig: ByteBuffer(bytes: [0x11, 0x90])))
    }

    @Test func mpeg4GenericVideoIsRefused() {
        let error = trackError("m=video 0 RTP/AVP 96\na=rtpmap:96 mpeg4-generic/90000\na=fmtp:96 streamtype=4; mode=generic\n")
        #expect(error?.code == .unsupportedCodec)
    }
}
