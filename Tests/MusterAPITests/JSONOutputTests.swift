import Foundation
import MusterCore
import MusterDirectory
import MusterTestSupport
import NIOCore
import Testing
@testable import MusterAPI

/// The API's direct JSON writer must write what Foundation's JSONEncoder (with `.iso8601` dates and
/// `.withoutEscapingSlashes`) writes for the same values, byte for byte.
struct JSONOutputTests {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    /// Foundation's text of one value (encoded in an array, whose brackets are dropped).
    static func foundationText(_ value: some Encodable) throws -> String {
        let text = String(decoding: try encoder.encode([value]), as: UTF8.self)
        return String(text.dropFirst().dropLast())
    }

    static func written(_ write: (inout JSONOutput) -> Void) -> String {
        var json = JSONOutput()
        write(&json)
        return String(buffer: json.buffer)
    }

    @Test func stringsAreEscapedAsFoundationEscapesThem() throws {
        var samples = (0..<128).map { String(UnicodeScalar(UInt8($0))) }
        samples += ["", "plain", "a\"b\\c/d", "尾矿库 1号 东侧", "emoji 🚒 and \u{2028}\u{2029}", "tab\there\r\n", "\u{7F}\u{80}\u{9F}"]
        var random = SplitMix64(seed: 5)
        for _ in 0..<500 {
            var sample = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...12, using: &random) {
                let largest: UInt32 = [0x7F, 0x7FF, 0xFFFF, 0x10FFFF].randomElement(using: &random)!
                if let scalar = UnicodeScalar(UInt32.random(in: 0...largest, using: &random)) { sample.append(scalar) }
            }
            samples.append(String(sample))
        }
        for sample in samples {
            #expect(Self.written { $0.string(sample) } == (try Self.foundationText(sample)), "\(Array(sample.unicodeScalars))")
        }
    }

    @Test func numbersAreWrittenAsFoundationWritesThem() throws {
        var samples: [Double] = [0, -0.0, 30, -30, 0.5, 1e-5, 1e22, 1.7976931348623157e308, 5e-324, 114.30600000000001, 30.5928, 0.1, 123456789012]
        var random = SplitMix64(seed: 9)
        for _ in 0..<1000 {
            samples.append(Double(bitPattern: random.next()))
            samples.append(Double.random(in: -180...180, using: &random))
        }
        for sample in samples where sample.isFinite {
            #expect(Self.written { $0.number(sample) } == (try Self.foundationText(sample)), "\(sample)")
        }
        #expect(Self.written { $0.number(.nan) } == "null")
    }

    @Test func datesAreWrittenAsFoundationWritesThem() throws {
        var samples: [Double] = [0, 1.7, -0.5, 951_782_400, 1_764_437_746.999, 253_402_300_799]
        var random = SplitMix64(seed: 3)
        for _ in 0..<1000 { samples.append(Double.random(in: -2_000_000_000...4_000_000_000, using: &random)) }
        for sample in samples {
            let date = Date(timeIntervalSince1970: sample)
            #expect(Self.written { $0.date(date) } == (try Self.foundationText(date)), "\(sample)")
        }
    }

    @Test func aChannelPageHasEveryKeyWithNullsAndCommasInPlace() throws {
        let created = Date(timeIntervalSince1970: 1_764_437_746.25)
        let located = Channel(
            path: try ChannelPath(validating: "hq/gate-1"), name: "大门 \"北\"", kind: .drone, source: .pull("rtsp://cam/main"),
            zone: "command", unitID: "uav-1", latitude: 30.5928, longitude: 114.3055, tags: ["night", "ptz"], onDemand: true,
            createdAt: created, updatedAt: created)
        let bare = Channel(path: try ChannelPath(validating: "a"), name: "a", kind: .camera, source: .push, createdAt: created, updatedAt: created)
        let health = SourceHealth(state: .retrying, lastError: "connection refused", nextAttemptAt: created, reconnects: 3, packets: 10,
                                  bytes: 2048, lastPacketAt: nil, codecs: ["h264"])
        let position = UnitPosition(latitude: 30.5, longitude: 114.25, speed: 2, deviceTime: created, receivedAt: created, source: "klv")
        let page = ChannelPageDocument(channels: [
            ChannelDocument(located, state: ChannelStateDocument(status: nil, consumers: 2, source: health, position: position)),
            ChannelDocument(bare, state: nil),
        ], nextCursor: "next")
        var json = JSONOutput()
        try page.write(to: &json)
        let text = String(buffer: json.buffer)
        let expected = """
            {"channels":[{"path":"hq/gate-1","name":"大门 \\"北\\"","kind":"drone","source":"rtsp://cam/main","zone":"command",\
            "unit_id":"uav-1","latitude":30.5928,"longitude":114.3055,"tags":["night","ptz"],"on_demand":true,\
            "created_at":"2025-11-29T17:35:46Z","updated_at":"2025-11-29T17:35:46Z","state":{"online":false,"codecs":[],"width":null,\
            "height":null,"bitrate_bps":0,"fps":0,"consumers":2,"last_error":"connection refused","source":{"state":"retrying",\
            "last_error":"connection refused","next_attempt_at":"2025-11-29T17:35:46Z","reconnects":3,"packets":10,"bytes":2048,\
            "last_packet_at":null,"codecs":["h264"]},"position":{"latitude":30.5,"longitude":114.25,\
            "speed":2,"device_time":"2025-11-29T17:35:46Z",\
            "received_at":"2025-11-29T17:35:46Z","source":"klv"}}},\
            {"path":"a","name":"a","kind":"camera","source":"push","zone":null,"unit_id":null,"latitude":null,"longitude":null,\
            "tags":[],"on_demand":false,"created_at":"2025-11-29T17:35:46Z","updated_at":"2025-11-29T17:35:46Z"}],"next_cursor":"next"}
            """
        // Compared as parsed objects: the position is written by JSONEncoder, whose key order varies.
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary
        let wanted = try JSONSerialization.jsonObject(with: Data(expected.utf8)) as? NSDictionary
        #expect(parsed != nil && parsed == wanted, "\(text)")
        #expect(text.hasPrefix(#"{"channels":[{"path":"hq/gate-1","name":"大门 \"北\"","kind":"drone","source":"rtsp://cam/main","#))
        #expect(text.hasSuffix(#""created_at":"2025-11-29T17:35:46Z","updated_at":"2025-11-29T17:35:46Z"}],"next_cursor":"next"}"#))
    }
}
