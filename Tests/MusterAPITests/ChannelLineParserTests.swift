import Foundation
import MusterTestSupport
import Testing
@testable import MusterAPI

/// The import's fast row parser against Foundation's JSONDecoder: whatever the fast one accepts,
/// it must read exactly as JSONDecoder does; whatever it declines goes to JSONDecoder anyway.
struct ChannelLineParserTests {
    static func decoded(_ line: String) -> ChannelInput? {
        try? JSONDecoder().decode(ChannelInput.self, from: Data(line.utf8))
    }

    static func parsed(_ line: String) -> ChannelInput? {
        ChannelLineParser.parse(Array(line.utf8))
    }

    @Test(arguments: [
        #"{"path":"hq/gate-1","kind":"camera","source":"rtsp://10.0.0.7/main"}"#,
        #"{"path":"prov/wh/road-12","name":"武汉市江岸区道路监控 12","kind":"camera","source":"rtsp://10.1.2.3:554/Streaming/Channels/101","zone":"city-12","unit_id":"car-7","latitude":30.5928,"longitude":114.3055,"tags":["road","hd"],"on_demand":true}"#,
        #"  { "path" : "a/b" , "kind" : "drone" , "source" : "push" , "tags" : [ ] , "on_demand" : false }  "#,
        "{\t\"path\":\"a\",\r\n\"kind\":\"phone\",\"source\":\"push\"}",
        #"{"path":"a","kind":"camera","source":"push","name":null,"zone":null,"unit_id":null,"latitude":null,"longitude":null,"tags":null,"on_demand":null}"#,
        #"{"path":"a","kind":"camera","source":"push","name":"quote \" backslash \\ slash \/ controls \b\f\n\r\t"}"#,
        #"{"path":"a","kind":"camera","source":"push","name":"\u00e9t\u00C9 \u6b66\u6c49 \ud83d\ude92 \u0000 end"}"#,
        #"{"path":"a","kind":"camera","source":"push","latitude":0,"longitude":-0.5}"#,
        #"{"path":"a","kind":"camera","source":"push","latitude":-90,"longitude":179.999999999999}"#,
        #"{"path":"a","kind":"camera","source":"push","latitude":0.000000000000000000000001,"longitude":123456789012345678901234567890}"#,
        #"{"path":"a","kind":"camera","source":"push","tags":["a","b c","街道","\u0041"]}"#,
        #"{"kind":"camera","source":"push","path":"order/does/not/matter"}"#,
        #"{"p\u0061th":"escaped/key","kind":"camera","source":"push"}"#,
    ])
    func readsWhatJSONDecoderReads(line: String) throws {
        let expected = try #require(Self.decoded(line), "JSONDecoder reads \(line)")
        #expect(Self.parsed(line) == expected)
    }

    @Test(arguments: [
        #"{"path":"a","kind":"camera","source":"push","extra":1}"#,
        #"{"path":"a","path":"b","kind":"camera","source":"push"}"#,
        #"{"path":"a","kind":"camera"}"#,
        #"{"path":"a","kind":"camera","source":null}"#,
        #"{"path":1,"kind":"camera","source":"push"}"#,
        #"{"path":"a","kind":"camera","source":"push","latitude":"30"}"#,
        #"{"path":"a","kind":"camera","source":"push","on_demand":1}"#,
        #"{"path":"a","kind":"camera","source":"push","tags":"road"}"#,
        #"{"path":"a","kind":"camera","source":"push","tags":[1]}"#,
        #"{"path":"a","kind":"camera","source":"push","latitude":01}"#,
        #"{"path":"a","kind":"camera","source":"push","latitude":1.}"#,
        #"{"path":"a","kind":"camera","source":"push","latitude":.5}"#,
        #"{"path":"a","kind":"camera","source":"push","latitude":+1}"#,
        #"{"path":"a","kind":"camera","source":"push","latitude":1e}"#,
        #"{"path":"a","kind":"camera","source":"push","latitude":NaN}"#,
        #"{"path":"a","kind":"camera","source":"push","latitude":1e3}"#,
        #"{"path":"a","kind":"camera","source":"push","latitude":0e5}"#,
        #"{"path":"a","kind":"camera","source":"push","latitude":1e999}"#,
        "{\"path\":\"a\",\"kind\":\"camera\",\"source\":\"push\",\"latitude\":0.\(String(repeating: "0", count: 400))1}",
        "{\"path\":\"a\",\"kind\":\"camera\",\"source\":\"push\",\"latitude\":1\(String(repeating: "0", count: 400))}",
        #"{"path":"a","kind":"camera","source":"push","name":"\ud800"}"#,
        #"{"path":"a","kind":"camera","source":"push","name":"\udc00\ud800"}"#,
        #"{"path":"a","kind":"camera","source":"push","name":"\x"}"#,
        #"{"path":"a","kind":"camera","source":"push","name":"\u12"}"#,
        "{\"path\":\"a\",\"kind\":\"camera\",\"source\":\"push\",\"name\":\"tab\there\"}",
        #"{"path":"a","kind":"camera","source":"push",}"#,
        #"{"path":"a","kind":"camera","source":"push"} trailing"#,
        #"{"path":"a","kind":"camera","source":"push"}{}"#,
        #"{"path":"a","kind":"camera","source":"push""#,
        #"{"path":"a","kind":"camera","source":"push","name":{"zh":"名"}}"#,
        #"["path","a"]"#,
        "\u{FEFF}{\"path\":\"a\",\"kind\":\"camera\",\"source\":\"push\"}",
        "",
        "{}",
    ])
    func declinesEverythingElse(line: String) {
        #expect(Self.parsed(line) == nil)
    }

    @Test func declinesInvalidUTF8() {
        var bytes = Array(#"{"path":"a","kind":"camera","source":"push","name":"x"}"#.utf8)
        bytes[bytes.count - 4] = 0xC3
        #expect(ChannelLineParser.parse(bytes) == nil)
        #expect((try? JSONDecoder().decode(ChannelInput.self, from: Data(bytes))) == nil)
    }

    /// Random rows (exponents too), and random damage to them: the fast parser may decline
    /// anything, but what it reads must equal JSONDecoder's reading.
    @Test func agreesWithJSONDecoderOnRandomRows() throws {
        var generator = SplitMix64(seed: 0x5EED_C0DE)
        let fragments = ["\"", "\\", "\\u", "d83d", "{", "}", "[", "]", ",", ":", " ", "null", "true", "0", "-", "e", ".", "é", "\u{0}"]
        var accepted = 0
        for _ in 0..<4000 {
            let (line, hasExponent) = Self.randomRow(using: &generator)
            let expected = Self.decoded(line)
            if hasExponent {
                #expect(Self.parsed(line) == nil, "\(line)")
            } else {
                #expect(expected != nil, "a generated row is valid JSON: \(line)")
                #expect(Self.parsed(line) == expected, "\(line)")
            }
            var damaged = Array(line.utf8)
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let position = Int.random(in: 0...damaged.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0 where position < damaged.count: damaged.remove(at: position)
                case 1: damaged.insert(contentsOf: Array(fragments.randomElement(using: &generator)!.utf8), at: position)
                default: if position < damaged.count { damaged[position] = UInt8.random(in: 0...255, using: &generator) }
                }
            }
            if let fast = ChannelLineParser.parse(damaged) {
                accepted += 1
                #expect(fast == (try? JSONDecoder().decode(ChannelInput.self, from: Data(damaged))), "\(String(decoding: damaged, as: UTF8.self))")
            }
        }
        #expect(accepted > 100, "some damage leaves a valid row")
    }

    /// A valid row, and whether one of its numbers has an exponent.
    static func randomRow(using generator: inout SplitMix64) -> (line: String, hasExponent: Bool) {
        var hasExponent = false
        func string() -> String {
            let pieces = ["a", "Z", "9", "-", "/", " ", "武汉", "道路", "é", "🚒", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9", "\\u6b66", "\\ud83d\\ude92", "\\u0000"]
            return "\"" + (0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined() + "\""
        }
        func number() -> String {
            let integer = Int.random(in: 0...3, using: &generator) == 0 ? "0" : String(Int.random(in: 1...999_999, using: &generator))
            var text = (Bool.random(using: &generator) ? "-" : "") + integer
            if Bool.random(using: &generator) { text += "." + String(Int.random(in: 0...99_999, using: &generator)) }
            if Int.random(in: 0...7, using: &generator) == 0 {
                hasExponent = true
                text += ["e", "E"].randomElement(using: &generator)! + ["", "+", "-"].randomElement(using: &generator)! + String(Int.random(in: 0...30, using: &generator))
            }
            return text
        }
        var fields = ["\"path\":" + string(), "\"kind\":" + string(), "\"source\":" + string()]
        for name in ["name", "zone", "unit_id", "latitude", "longitude", "tags", "on_demand"] where Bool.random(using: &generator) {
            let value: String
            if Int.random(in: 0...4, using: &generator) == 0 {
                value = "null"
            } else {
                switch name {
                case "latitude", "longitude": value = number()
                case "tags": value = "[" + (0..<Int.random(in: 0...3, using: &generator)).map { _ in string() }.joined(separator: ",") + "]"
                case "on_demand": value = Bool.random(using: &generator) ? "true" : "false"
                default: value = string()
                }
            }
            fields.append("\"\(name)\":" + value)
        }
        fields.shuffle(using: &generator)
        func space() -> String { [" ", "", "\t", " \r\n "].randomElement(using: &generator)! }
        return (space() + "{" + fields.map { space() + $0 + space() }.joined(separator: ",") + "}" + space(), hasExponent)
    }
}

/// The source check every imported row goes through.
struct ChannelSourceInputTests {
    @Test(arguments: [
        ("push", "push"), (" push\t", "push"), ("rtsp://10.0.0.7/main", "rtsp://10.0.0.7/main"),
        ("\u{3000}rtsp://a/b\u{00A0}", "rtsp://a/b"), ("\t rtsp://a/b ", "rtsp://a/b"), ("srt+udp.v2-x://h:1", "srt+udp.v2-x://h:1"),
        ("file:///var/clip.mp4", "file:///var/clip.mp4"), ("/var/clip.mp4", "/var/clip.mp4"), ("RTMP://h/app", "RTMP://h/app"),
    ])
    func accepts(text: String, stored: String) throws {
        let source = try ChannelInput.source(text)
        if stored == "push" {
            #expect(source == .push)
        } else {
            #expect(source == .pull(stored))
        }
    }

    @Test(arguments: [
        "", "   ", "rtsp:/a", "rtsp:a", "1rtsp://a", "+x://a", "rt sp://a", "rt_sp://a", "://a", "var/clip.mp4", "rtsp://a b",
        "rtsp://a\u{2028}b", "rtsp://a\u{85}b", "rtsp://a\u{0B}b", "rtsp://a\nb", "rtsp://\(String(repeating: "a", count: 2050))",
    ])
    func refuses(text: String) {
        #expect(throws: APIProblem.self) { try ChannelInput.source(text) }
    }
}
