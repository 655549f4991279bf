import Testing

@testable import musterctl

@Suite struct ServerSentEventParserTests {
    /// Feeds `text` in pieces of `pieceSize` bytes and collects every event.
    private func events(in text: String, pieceSize: Int) throws -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            parser.append(bytes[start..<min(start + pieceSize, bytes.count)])
            while let event = try parser.next() { events.append(event) }
            start += pieceSize
        }
        return events
    }

    private let stream = """
        : muster events

        event: channel.online
        data: {"channel":"hq/gate-1"}

        : keep-alive

        event: session.started
        id: 7
        data: {"a":1,
        data: "b":2}


        """  // the last line break before the delimiter is not part of the string, so two blank lines

    @Test(arguments: [1, 2, 3, 7, 1000])
    func eventsSurviveAnySplit(pieceSize: Int) throws {
        #expect(try events(in: stream, pieceSize: pieceSize) == [
            ServerSentEvent(type: "channel.online", data: #"{"channel":"hq/gate-1"}"#, lastEventID: nil),
            ServerSentEvent(type: "session.started", data: "{\"a\":1,\n\"b\":2}", lastEventID: "7"),
        ])
    }

    @Test(arguments: [1, 5, 1000])
    func crlfAndLoneCRLineEnds(pieceSize: Int) throws {
        let text = "event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\r\n"
        #expect(try events(in: text, pieceSize: pieceSize).map { "\($0.type)=\($0.data)" } == ["a=1", "b=2"])
    }

    @Test func defaultsAndEdgeCases() throws {
        // No event field means "message"; a field without a colon has an empty value; an event
        // without data is dropped; only one space after the colon is removed.
        let text = "data:  two spaces\n\nevent: empty\n\ndata\n\n\u{FEFF}"
        #expect(try events(in: "\u{FEFF}" + text, pieceSize: 1) == [
            ServerSentEvent(type: "message", data: " two spaces", lastEventID: nil),
            ServerSentEvent(type: "message", data: "", lastEventID: nil),
        ])
    }

    @Test func incompleteEventWaits() throws {
        var parser = ServerSentEventParser()
        parser.append(Array("event: x\ndata: 1\n".utf8))
        #expect(try parser.next() == nil)
        parser.append(Array("\n".utf8))
        #expect(try parser.next()?.data == "1")
    }

    @Test func endlessLineIsRefused() {
        var parser = ServerSentEventParser()
        parser.append(Array(repeating: UInt8(ascii: "x"), count: ServerSentEventParser.maximumLineLength + 1))
        #expect(throws: ServerSentEventParser.LineTooLong.self) { try parser.next() }
    }
}
