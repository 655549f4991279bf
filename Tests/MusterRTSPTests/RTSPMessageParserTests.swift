import MusterRTSP
import NIOCore
import Testing

@Suite struct RTSPMessageParserTests {
    /// What ffmpeg 5.1 sends first when it pulls a stream.
    static let options = "OPTIONS rtsp://127.0.0.1:8554/demo RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: Lavf59.27.100\r\n\r\n"

    /// ffmpeg's ANNOUNCE with its SDP body.
    static let announce =
        "ANNOUNCE rtsp://127.0.0.1:8554/units/u1 RTSP/1.0\r\nContent-Type: application/sdp\r\nCSeq: 2\r\n"
        + "User-Agent: Lavf59.27.100\r\nContent-Length: 42\r\n\r\n"
        + "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=No Name\r\n"

    private func parseAll(_ chunks: [ByteBuffer]) throws -> [RTSPMessage] {
        var parser = RTSPMessageParser()
        var messages: [RTSPMessage] = []
        for chunk in chunks {
            parser.append(chunk)
            while let message = try parser.next() { messages.append(message) }
        }
        return messages
    }

    @Test func parsesARequest() throws {
        let messages = try parseAll([ByteBuffer(string: Self.options)])
        #expect(messages.count == 1)
        guard case .request(let request) = messages.first else { Issue.record("not a request"); return }
        #expect(request.method == .options)
        #expect(request.uri == "rtsp://127.0.0.1:8554/demo")
        #expect(request.cSeq == "1")
        #expect(request.headers["user-agent"] == "Lavf59.27.100")
        #expect(request.body == nil)
    }

    @Test func parsesABodyByContentLength() throws {
        let messages = try parseAll([ByteBuffer(string: Self.announce)])
        guard case .request(let request) = messages.first else { Issue.record("not a request"); return }
        #expect(request.method == .announce)
        #expect(request.body.map { String(buffer: $0) } == "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=No Name\r\n")
    }

    @Test func parsesAResponse() throws {
        let text = "RTSP/1.0 200 OK\r\nCSeq: 3\r\nSession: 12345678;timeout=60\r\n\r\n"
        guard case .response(let response) = try parseAll([ByteBuffer(string: text)]).first else {
            Issue.record("not a response"); return
        }
        #expect(response.status.code == 200)
        #expect(response.headers["Session"] == "12345678;timeout=60")
    }

    @Test func givesTheSameMessagesWhenDripFedByteByByte() throws {
        // Two requests, then an interleaved RTP frame: channel 0, 4 bytes.
        var stream = ByteBuffer(string: Self.options + Self.announce)
        stream.writeBytes([0x24, 0x00, 0x00, 0x04, 0x80, 0x60, 0x00, 0x01])
        let whole = try parseAll([stream])
        let chunks = stream.readableBytesView.map { ByteBuffer(bytes: [$0]) }
        let dripped = try parseAll(chunks)
        #expect(whole.count == 3)
        #expect(whole == dripped)
        guard case .interleaved(let frame) = whole.last else { Issue.record("no frame"); return }
        #expect(frame.channel == 0)
        #expect(Array(frame.payload.readableBytesView) == [0x80, 0x60, 0x00, 0x01])
    }

    @Test func interleavesFramesBetweenRequests() throws {
        var stream = ByteBuffer()
        stream.writeBytes([0x24, 0x01, 0x00, 0x02, 0xAA, 0xBB])  // RTCP on channel 1
        stream.writeString("GET_PARAMETER rtsp://h/x RTSP/1.0\r\nCSeq: 9\r\n\r\n")
        stream.writeBytes([0x24, 0x00, 0x00, 0x00])  // empty frame
        let messages = try parseAll([stream])
        #expect(messages.count == 3)
        guard case .request(let request) = messages[1] else { Issue.record("not a request"); return }
        #expect(request.method == .getParameter)
    }

    @Test func waitsForAFrameThatIsNotComplete() throws {
        var parser = RTSPMessageParser()
        parser.append(ByteBuffer(bytes: [0x24, 0x00, 0x00, 0x08, 0x01]))
        #expect(try parser.next() == nil)
        parser.append(ByteBuffer(bytes: [2, 3, 4, 5, 6, 7, 8]))
        guard case .interleaved(let frame) = try parser.next() else { Issue.record("no frame"); return }
        #expect(frame.payload.readableBytes == 8)
    }

    @Test func toleratesBareLineFeedsAndLeadingBlankLines() throws {
        let text = "\r\n\r\nOPTIONS * RTSP/1.0\nCSeq: 4\n\n"
        guard case .request(let request) = try parseAll([ByteBuffer(string: text)]).first else {
            Issue.record("not a request"); return
        }
        #expect(request.uri == "*")
        #expect(request.cSeq == "4")
    }

    @Test(arguments: [
        ("OPTIONS rtsp://h/x\r\nCSeq: 1\r\n\r\n", RTSPParseError.Code.malformedRequestLine),
        ("OPTIONS rtsp://h/x HTTP/1.1\r\nCSeq: 1\r\n\r\n", .unsupportedVersion),
        ("OPTIONS rtsp://h/x RTSP/1.0\r\nCSeq 1\r\n\r\n", .malformedHeader),
        ("OPTIONS rtsp://h/x RTSP/1.0\r\n: empty\r\n\r\n", .malformedHeader),
        ("ANNOUNCE rtsp://h/x RTSP/1.0\r\nContent-Length: -5\r\n\r\n", .invalidContentLength),
        ("ANNOUNCE rtsp://h/x RTSP/1.0\r\nContent-Length: ten\r\n\r\n", .invalidContentLength),
        ("ANNOUNCE rtsp://h/x RTSP/1.0\r\nContent-Length: 99999999999\r\n\r\n", .bodyTooLarge),
        ("RTSP/1.0 2000 OK\r\n\r\n", .malformedStatusLine),
        ("\u{1}\u{2}\u{3} garbage\r\n\r\n", .malformedRequestLine),
    ])
    func rejectsMalformedInput(text: String, code: RTSPParseError.Code) {
        #expect { try parseAll([ByteBuffer(string: text)]) } throws: { ($0 as? RTSPParseError)?.code == code }
    }

    @Test func rejectsTooManyHeaders() {
        let headers = (0...RTSPMessageParser.maximumHeaderCount).map { "X-\($0): v\r\n" }.joined()
        let text = "OPTIONS rtsp://h/x RTSP/1.0\r\n" + headers + "\r\n"
        #expect { try parseAll([ByteBuffer(string: text)]) } throws: { ($0 as? RTSPParseError)?.code == .tooManyHeaders }
    }

    @Test func rejectsAnEndlessHeaderBlock() {
        // A slow or hostile client that never ends its headers must not hold unbounded memory.
        let text = "OPTIONS rtsp://h/x RTSP/1.0\r\n" + String(repeating: "X-Pad: 0123456789\r\n", count: 1000)
        #expect { try parseAll([ByteBuffer(string: text)]) } throws: { ($0 as? RTSPParseError)?.code == .headerBlockTooLarge }
    }

    @Test func rejectsAnEndlessRequestLine() {
        let text = "DESCRIBE rtsp://h/" + String(repeating: "a", count: RTSPMessageParser.maximumStartLineLength + 10)
        #expect { try parseAll([ByteBuffer(string: text)]) } throws: { ($0 as? RTSPParseError)?.status == .requestURITooLarge }
    }

    @Test func serializerAndParserAgree() throws {
        let response = RTSPResponse(
            status: .ok,
            headers: ["CSeq": "7", "Content-Type": "application/sdp"],
            body: ByteBuffer(string: "v=0\r\n")
        )
        var buffer = ByteBuffer()
        RTSPMessageSerializer.write(response, to: &buffer)
        #expect(String(buffer: buffer) == "RTSP/1.0 200 OK\r\nCSeq: 7\r\nContent-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n")
        guard case .response(let parsed) = try parseAll([buffer]).first else { Issue.record("not a response"); return }
        #expect(parsed.status == .ok)
        #expect(parsed.body == ByteBuffer(string: "v=0\r\n"))

        let request = RTSPRequest(method: .setup, uri: "rtsp://h/x/trackID=0", headers: ["CSeq": "3", "Transport": "RTP/AVP/TCP;interleaved=0-1"])
        buffer.clear()
        RTSPMessageSerializer.write(request, to: &buffer)
        #expect(try parseAll([buffer]) == [.request(request)])
    }
}
