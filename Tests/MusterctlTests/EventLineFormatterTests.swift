import Foundation
import Testing

@testable import musterctl

@Suite struct EventLineFormatterTests {
    private let utc = TimeZone(identifier: "UTC")!
    private let receivedAt = Date(timeIntervalSince1970: 0)

    @Test func lineShowsTimeTypeChannelAndFacts() {
        let event = ServerSentEvent(
            type: "session.started",
            data: #"{"at":"2025-03-01T12:21:00Z","channel":"hq/gate-1","id":"s-7f3a","remote_address":"10.0.0.5:50122","role":"consumer","type":"session.started"}"#
        )
        #expect(EventLineFormatter.line(for: event, receivedAt: receivedAt, in: utc)
            == "2025-03-01 12:21:00  session.started   hq/gate-1  id=s-7f3a remote_address=10.0.0.5:50122 role=consumer")
    }

    @Test func timeIsLocal() throws {
        let event = ServerSentEvent(type: "channel.online", data: #"{"at":"2025-03-01T12:20:00Z","channel":"北区/cam-1"}"#)
        let shanghai = try #require(TimeZone(identifier: "Asia/Shanghai"))
        #expect(EventLineFormatter.line(for: event, receivedAt: receivedAt, in: shanghai) == "2025-03-01 20:20:00  channel.online    北区/cam-1")
    }

    @Test func valuesWithSpacesAreQuotedAndNonStringsShownAsJSON() {
        let event = ServerSentEvent(type: "channel.offline", data: #"{"channel":"x","reason":"source ended","n":3,"ok":true}"#)
        #expect(EventLineFormatter.line(for: event, receivedAt: receivedAt, in: utc)
            == #"1970-01-01 00:00:00  channel.offline   x  n=3 ok=true reason="source ended""#)
    }

    @Test func dataThatIsNotJSONIsShownAsSent() {
        let event = ServerSentEvent(type: "message", data: "hello\u{1B}[0m")
        #expect(EventLineFormatter.line(for: event, receivedAt: receivedAt, in: utc) == "1970-01-01 00:00:00  message           hello [0m")
    }

    @Test func jsonLineIsOneLine() {
        #expect(EventLineFormatter.jsonLine(for: ServerSentEvent(type: "a", data: #"{"b":1}"#)) == #"{"b":1}"#)
        #expect(EventLineFormatter.jsonLine(for: ServerSentEvent(type: "a", data: "{\"b\":1,\n\"a\":\"x/y\"}")) == #"{"a":"x/y","b":1}"#)
    }
}
