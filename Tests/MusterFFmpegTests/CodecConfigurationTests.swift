@testable import MusterFFmpeg
import MusterCore
import NIOCore
import Testing

/// Parsing decoder configuration records and ADTS headers, and redacting URLs, from fixed bytes.
@Suite struct CodecConfigurationTests {
    @Test func readsAvcC() throws {
        let record: [UInt8] = [1, 0x64, 0, 0x1F, 0xFD, 0xE1, 0, 3, 0x67, 0xAA, 0xBB, 1, 0, 2, 0x68, 0xCC]
        let configuration = try #require(NALUnitConfiguration.h264(extradata: record))
        #expect(configuration.lengthSize == 2)
        #expect(configuration.parameterSets.map { Array($0.readableBytesView) } == [[0x67, 0xAA, 0xBB], [0x68, 0xCC]])
    }

    @Test func rejectsTruncatedAvcC() {
        #expect(NALUnitConfiguration.h264(extradata: [1, 0x64, 0, 0x1F, 0xFF, 0xE1, 0, 9, 0x67]) == nil)
    }

    @Test func readsAnnexBExtradata() throws {
        let stream: [UInt8] = [0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 1, 0x06, 9]
        let configuration = try #require(NALUnitConfiguration.h264(extradata: stream))
        #expect(configuration.lengthSize == nil)
        #expect(configuration.parameterSets.map { Array($0.readableBytesView) } == [[0x67, 1, 2], [0x68, 3]])
    }

    @Test func readsHvcCInParameterSetOrder() throws {
        var record = [UInt8](repeating: 0, count: 21)
        record[0] = 1
        record += [0xF3, 3]  // 4-byte lengths, three arrays
        record += [0x22, 0, 1, 0, 2, 0x44, 0x01]  // PPS first, to check reordering
        record += [0x20, 0, 1, 0, 2, 0x40, 0x01]
        record += [0x21, 0, 1, 0, 3, 0x42, 0x01, 0x05]
        let configuration = try #require(NALUnitConfiguration.h265(extradata: record))
        #expect(configuration.lengthSize == 4)
        #expect(configuration.parameterSets.map { $0.readableBytesView.first } == [0x40, 0x42, 0x44])
    }

    @Test func readsADTSAndStripsHeaders() throws {
        // AAC-LC, 44.1 kHz (index 4), 2 channels, no CRC, frame length 7 + 3.
        let frame: [UInt8] = [0xFF, 0xF1, 0x50, 0x80, 0x01, 0x5F, 0xFC, 0x21, 0x22, 0x23]
        let header = try frame.withUnsafeBytes { try #require(ADTSHeader($0)) }
        #expect(header.audioObjectType == 2 && header.samplingFrequencyIndex == 4 && header.channelConfiguration == 2)
        #expect(Array(header.audioSpecificConfig.readableBytesView) == [0x12, 0x10])
        let frames = (frame + frame).withUnsafeBytes { ADTSHeader.frames(in: $0) }
        #expect(frames?.map { Array($0.readableBytesView) } == [[0x21, 0x22, 0x23], [0x21, 0x22, 0x23]])
        #expect([UInt8]([0x21, 0x10, 0x05]).withUnsafeBytes { ADTSHeader.frames(in: $0) } == nil)
    }

    @Test func convertsTwoByteLengthsAndAnnexBToFourByteLengths() throws {
        let twoByte: [UInt8] = [0, 2, 0x65, 1, 0, 1, 0x06]
        let units = try #require(twoByte.withUnsafeBytes { NALUnitPayload.units(in: $0, lengthSize: 2) })
        #expect(Array(LengthPrefixedNALUnits.join(units).readableBytesView) == [0, 0, 0, 2, 0x65, 1, 0, 0, 0, 1, 0x06])
        let annexB: [UInt8] = [0, 0, 0, 1, 0x65, 1, 0, 0, 1, 0x06]
        let fromAnnexB = try #require(annexB.withUnsafeBytes { NALUnitPayload.units(in: $0, lengthSize: 4) })
        #expect(fromAnnexB.map { Array($0.readableBytesView) } == [[0x65, 1], [0x06]])
        let fourByte: [UInt8] = [0, 0, 0, 2, 0x65, 1]
        let payload = fourByte.withUnsafeBytes { NALUnitPayload.lengthPrefixedPayload(from: $0, lengthSize: 4) }
        #expect(payload.map { Array($0.readableBytesView) } == fourByte)
        #expect([UInt8]([0, 5, 0x65]).withUnsafeBytes { NALUnitPayload.lengthPrefixedPayload(from: $0, lengthSize: 2) } == nil)
    }

    @Test(arguments: [
        ("rtsp://user:secret@cam.local:554/live", "rtsp://***@cam.local:554/live"),
        ("rtsp://cam.local/live?user=a@b", "rtsp://cam.local/live?user=a@b"),
        ("srt://host:9000", "srt://host:9000"),
        ("/media/clip.mp4", "/media/clip.mp4"),
        ("error opening rtsp://a:b@h/x then http://c:d@e/f", "error opening rtsp://***@h/x then http://***@e/f"),
    ])
    func redactsCredentials(url: String, expected: String) {
        #expect(redactedURL(url) == expected)
    }

    @Test func classifiesFileURLs() {
        #expect(FFmpegSourceOptions.isFile("/media/clip.mp4"))
        #expect(FFmpegSourceOptions.isFile("file:clip.ts"))
        #expect(!FFmpegSourceOptions.isFile("rtsp://cam/live"))
        #expect(FFmpegSourceOptions(url: "clip.mp4").realtime)
        #expect(!FFmpegSourceOptions(url: "udp://0.0.0.0:5000").realtime)
    }
}
