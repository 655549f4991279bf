import Foundation
import Testing

@testable import musterctl

@Suite struct JSONTextTests {
    @Test func prettyKeepsNumbersAndKeyOrderAsSent() {
        let json = Data(#"{"z":1.50,"a":[1,2e3,{"k":"v, {x}: [y]"}],"e":{},"f":[],"s":"quote \" and \\"}"#.utf8)
        #expect(JSONText.pretty(json) == """
            {
              "z": 1.50,
              "a": [
                1,
                2e3,
                {
                  "k": "v, {x}: [y]"
                }
              ],
              "e": {},
              "f": [],
              "s": "quote \\" and \\\\"
            }
            """)
    }

    @Test func textThatIsNotJSONPassesUnchanged() {
        #expect(JSONText.pretty(Data("<html>oops".utf8)) == "<html>oops")
    }

    @Test func valueRangeFindsTopLevelKeysOnly() throws {
        let bytes = Array(#"{"inner":{"channels":1},"channels" : [ {"a":"]"} ] ,"next_cursor":"c"}"#.utf8)
        let range = try #require(JSONText.valueRange(ofKey: "channels", in: bytes))
        #expect(String(decoding: bytes[range], as: UTF8.self) == #"[ {"a":"]"} ]"#)
        let cursor = try #require(JSONText.valueRange(ofKey: "next_cursor", in: bytes))
        #expect(String(decoding: bytes[cursor], as: UTF8.self) == #""c""#)
        #expect(JSONText.valueRange(ofKey: "missing", in: bytes) == nil)
    }

    @Test func pagesMergeIntoOneDocument() throws {
        let pages = [
            Data(#"{"channels":[{"path":"a","lat":48.8566}],"next_cursor":"1"}"#.utf8),
            Data(#"{"channels":[ ],"next_cursor":"2"}"#.utf8),
            Data(#"{"next_cursor":null,"channels":[{"path":"b"},{"path":"c"}]}"#.utf8),
        ]
        let merged = try JSONText.mergedPages(pages, arrayKey: "channels")
        #expect(String(decoding: merged, as: UTF8.self) == #"{"channels":[{"path":"a","lat":48.8566},{"path":"b"},{"path":"c"}],"next_cursor":null}"#)
    }

    @Test func aPageWithoutTheArrayIsAnError() {
        #expect(throws: MusterctlError.self) { try JSONText.mergedPages([Data(#"{"units":[]}"#.utf8)], arrayKey: "channels") }
    }
}
