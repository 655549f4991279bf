import MusterCore
import MusterSDP
import NIOCore
import Testing

@Suite("Refusing malformed descriptions")
struct SDPMalformedInputTests {
    private func parseError(_ text: String) -> SDPError? {
        #expect(throws: SDPError.self) { try SDPSessionDescription(parsing: text) }
    }

    private static let header = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\n"

    @Test(arguments: ["", "\r\n\r\n", "   \n"])
    func emptyInput(text: String) {
        #expect(parseError(text)?.code == .empty)
    }

    @Test func missingVersionLine() {
        let error = parseError("o=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\n")
        #expect(error?.code == .missingVersion)
        #expect(error?.line == 1)
    }

    @Test func versionOtherThanZero() {
        #expect(parseError("v=1\r\ns=x\r\n")?.code == .unsupportedVersion)
    }

    @Test(arguments: ["hello world", "=x", "ab=c", "1=2", "m"])
    func garbageLine(line: String) {
        let error = parseError(Self.header + line + "\r\n")
        #expect(error?.code == .malformedLine)
        #expect(error?.line == 5)
    }

    @Test(arguments: ["m=video abc RTP/AVP 96", "m=video -1 RTP/AVP 96", "m=video 70000 RTP/AVP 96",
                      "m=video +5 RTP/AVP 96", "m=video 0/x RTP/AVP 96", "m=video 0 RTP/AVP", "m=video"])
    func badMediaLine(line: String) {
        let error = parseError(Self.header + line + "\r\n")
        #expect(error?.code == .invalidMedia)
        #expect(error?.line == 5)
    }

    @Test(arguments: ["a=rtpmap:abc H264/90000", "a=rtpmap:128 H264/90000", "a=rtpmap:96 H264",
                      "a=rtpmap:96 H264/abc", "a=rtpmap:96 H264/0", "a=rtpmap:96 H264/99999999999999999999",
                      "a=rtpmap:96 opus/48000/x", "a=rtpmap:96", "a=rtpmap"])
    func badRTPMap(line: String) {
        let error = parseError(Self.header + "m=video 0 RTP/AVP 96\r\n" + line + "\r\n")
        #expect(error?.code == .invalidRTPMap)
        #expect(error?.line == 6)
    }

    @Test func inputOverSizeLimit() {
        let padding = String(repeating: "a=x-padding:" + String(repeating: "y", count: 1000) + "\r\n", count: 70)
        let text = Self.header + padding
        #expect(parseError(text)?.code == .tooLarge)
        #expect(throws: SDPError(.tooLarge, "description has \(text.utf8.count) bytes; at most 65536 are accepted")) {
            try SDPSessionDescription(parsing: ByteBuffer(string: text))
        }
    }

    @Test func tooManyLines() {
        let text = Self.header + String(repeating: "a=x\n", count: SDPSessionDescription.maximumLineCount)
        #expect(parseError(text)?.code == .tooManyLines)
    }

    @Test func seventeenMediaSections() {
        let section = "m=audio 0 RTP/AVP 0\r\n"
        #expect((try? SDPSessionDescription(parsing: Self.header + String(repeating: section, count: 16)))?.media.count == 16)
        let error = parseError(Self.header + String(repeating: section, count: 17))
        #expect(error?.code == .tooManyMedia)
        #expect(error?.line == 21)
    }

    /// Truncations and byte flips of every fixture must parse or throw, never trap.
    @Test func neverCrashesOnMangledInput() {
        let fixtures = [SDPFixtures.ffmpegH264AAC, SDPFixtures.camera, SDPFixtures.h265, SDPFixtures.latm, SDPFixtures.klv]
        let alphabet = Array("=:/ ;,\r\n0179aAzZ+-\u{0}\u{FF}é".utf8)
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: seed >> 33)
        }
        for fixture in fixtures {
            let bytes = Array(fixture.utf8)
            var inputs = (0...bytes.count).map { Array(bytes.prefix($0)) }
            for _ in 0..<300 {
                var mangled = bytes
                for _ in 0...(next() % 4) {
                    mangled[next() % mangled.count] = alphabet[next() % alphabet.count]
                }
                inputs.append(mangled)
            }
            for input in inputs {
                guard let sdp = try? SDPSessionDescription(parsing: ByteBuffer(bytes: input)) else { continue }
                for (index, media) in sdp.media.enumerated() {
                    _ = try? media.mediaTrack(id: index)
                }
                _ = sdp.serialized()
            }
        }
    }
}
