@testable import MusterSDP
import MusterCore
import NIOCore
import Testing

@Suite("Base64, hex and AudioSpecificConfig")
struct SDPCodecConfigTests {
    @Test func base64RoundTripsEveryTailLength() {
        let bytes: [UInt8] = [0x00, 0xFF, 0x10, 0x83, 0x7E, 0xFB, 0xBF, 0x01]
        for count in 0...bytes.count {
            let encoded = SDPBinaryText.base64Encode(bytes.prefix(count))
            #expect(encoded.count == (count + 2) / 3 * 4)
            #expect(SDPBinaryText.base64Decode(encoded) == Array(bytes.prefix(count)))
        }
        #expect(SDPBinaryText.base64Encode(Array("Man".utf8) + [0x4D]) == "TWFuTQ==")
    }

    @Test func base64AcceptsMissingPaddingButNotStrayBits() {
        #expect(SDPBinaryText.base64Decode("aO48gA") == [0x68, 0xEE, 0x3C, 0x80])
        #expect(SDPBinaryText.base64Decode("aO48gB") == nil)
        #expect(SDPBinaryText.base64Decode("aO48g") == nil)
        #expect(SDPBinaryText.base64Decode("aO48gA===") == nil)
        #expect(SDPBinaryText.base64Decode("aO48=gA=") == nil)
    }

    @Test func hex() {
        #expect(SDPBinaryText.hexEncode([0x12, 0x10, 0xAB]) == "1210AB")
        #expect(SDPBinaryText.hexDecode("1210ab") == [0x12, 0x10, 0xAB])
        #expect(SDPBinaryText.hexDecode("121") == nil)
        #expect(SDPBinaryText.hexDecode("12G0") == nil)
    }

    @Test func plainAACLowComplexity() throws {
        let config = try AudioSpecificConfig(bytes: [0x11, 0x90])
        #expect(config.audioObjectType == 2 && config.sampleRate == 48000 && config.channels == 2)
    }

    @Test func explicitHEAACReportsExtensionRate() throws {
        let config = try AudioSpecificConfig(bytes: [0x2B, 0x11, 0x88, 0x00])
        #expect(config.audioObjectType == 2 && config.sampleRate == 48000 && config.channels == 2)
    }

    @Test func programConfigElementCountsChannels() throws {
        let bytes: [UInt8] = [0x11, 0x80, 0x04, 0xC8, 0x05, 0x00, 0x01, 0x08, 0x80, 0x00]
        #expect(try AudioSpecificConfig(bytes: bytes).channels == 6)
    }

    /// The PCE's byte alignment counts from the config's own start, which inside LATM is bit 15.
    @Test func latmWithProgramConfigElement() throws {
        let text = "v=0\nm=audio 0 RTP/AVP 96\na=rtpmap:96 MP4A-LATM/48000\na=fmtp:96 cpresent=0; config=4000230009900A00021100003FC0\n"
        let track = try MediaTrack(sdpMedia: SDPSessionDescription(parsing: text).media[0], id: 0)
        #expect(track.channels == 6)
        #expect(track.audioSpecificConfig == ByteBuffer(bytes: [0x11, 0x80, 0x04, 0xC8, 0x05, 0x00, 0x01, 0x08, 0x80, 0x00]))
    }

    @Test func latmRefusesMuxVersionOne() {
        let error = #expect(throws: SDPError.self) { try extractAudioSpecificConfig(fromStreamMuxConfig: [0x80, 0x00]) }
        #expect(error?.code == .unsupportedCodec)
    }

    @Test func reservedSampleRateIndex() {
        // AOT 2, frequency index 13.
        let error = #expect(throws: SDPError.self) { try AudioSpecificConfig(bytes: [0x16, 0x90]) }
        #expect(error?.code == .invalidCodecParameters)
    }
}
