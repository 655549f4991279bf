import NIOCore
import NIOHTTP1
import Testing
@testable import MusterTracker

@Suite struct OsmAndHTTPRequestParserTests {
    /// Every event the bytes give, fed `chunk` bytes at a time; the error, if one ends it.
    func events(_ text: String, chunk: Int = .max) -> (events: [OsmAndHTTPRequestParser.Event], error: OsmAndHTTPError?) {
        var parser = OsmAndHTTPRequestParser()
        var buffer = ByteBuffer()
        var events: [OsmAndHTTPRequestParser.Event] = []
        let bytes = Array(text.utf8)
        var offset = 0
        repeat {
            let end = min(bytes.count, offset + chunk)
            buffer.writeBytes(bytes[offset..<end])
            offset = end
            do {
                while let event = try parser.next(&buffer) { events.append(event) }
            } catch {
                return (events, error)
            }
        } while offset < bytes.count
        return (events, nil)
    }

    func request(_ parameters: String, method: OsmAndHTTPRequest.Method = .get, keepAlive: Bool = true, http10: Bool = false) -> OsmAndHTTPRequestParser.Event {
        .request(OsmAndHTTPRequest(method: method, parameters: Array(parameters.utf8), isHTTP10: http10, keepAlive: keepAlive))
    }

    @Test func traccarClientGetWhole() {
        let text = "GET /?id=p1&lat=30.5&lon=114.3 HTTP/1.1\r\nHost: 127.0.0.1:5055\r\nUser-Agent: Traccar\r\n\r\n"
        #expect(events(text).events == [request("id=p1&lat=30.5&lon=114.3")])
        #expect(events(text).error == nil)
    }

    @Test func dripFedAndPipelinedRequestsComeOutInOrder() {
        let text = "GET /?id=a HTTP/1.1\r\nHost: x\r\n\r\n"
            + "POST /?id=b HTTP/1.1\r\nContent-Length: 9\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nlat=1&x=2"
            + "POST / HTTP/1.1\r\ncontent-length: 4\r\nConnection: close\r\n\r\nid=c"
        let expected = [request("id=a"), request("id=b&lat=1&x=2", method: .post), request("id=c", method: .post, keepAlive: false)]
        for chunk in [1, 2, 7, 64, .max] {
            let result = events(text, chunk: chunk)
            #expect(result.events == expected, "chunk \(chunk)")
            #expect(result.error == nil)
        }
    }

    @Test func keepAliveFollowsTheVersionAndConnectionField() {
        #expect(events("GET /?id=a HTTP/1.0\r\n\r\n").events == [request("id=a", keepAlive: false, http10: true)])
        #expect(events("GET /?id=a HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").events == [request("id=a", http10: true)])
        #expect(events("GET /?id=a HTTP/1.1\r\nConnection: TE, close\r\n\r\n").events == [request("id=a", keepAlive: false)])
        // Bare LF line ends and empty lines before the request line are tolerated (RFC 9112 §2.2).
        #expect(events("\r\nGET /?id=a HTTP/1.1\nHost: x\n\n").events == [request("id=a")])
    }

    @Test func expectContinueIsAnsweredBeforeTheBodyArrives() {
        let head = "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"
        #expect(events(head).events == [.continueExpected])
        #expect(events(head + "id=c").events == [request("id=c", method: .post)])
        #expect(events(head + "id=c", chunk: 3).events == [.continueExpected, request("id=c", method: .post)])
    }

    @Test func otherMethodsAreFramedForA405() {
        #expect(events("DELETE /?id=a HTTP/1.1\r\n\r\n").events == [request("id=a", method: .other)])
        #expect(events("HEAD / HTTP/1.1\r\n\r\n").events == [request("", method: .head)])
    }

    @Test func badFramingEndsTheConnectionWithAStatus() {
        func status(_ text: String) -> HTTPResponseStatus? { events(text).error?.status }
        #expect(status("GET /?id=a\r\n\r\n") == .badRequest)
        #expect(status("GET /?id=a HTTP/2.0\r\n\r\n") == .httpVersionNotSupported)
        #expect(status("GET / HTTP/1.1\r\nHost x\r\n\r\n") == .badRequest)
        #expect(status("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n") == .badRequest)
        #expect(status("GET / HTTP/1.1\r\nA: 1\r\n folded\r\n\r\n") == .badRequest)
        #expect(status("POST / HTTP/1.1\r\nContent-Length: 12a\r\n\r\n") == .badRequest)
        #expect(status("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n") == .badRequest)
        #expect(status("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n") == .notImplemented)
        #expect(status("POST / HTTP/1.1\r\nExpect: something\r\n\r\n") == .expectationFailed)
        #expect(status("POST / HTTP/1.1\r\nContent-Length: \(OsmAndHTTPRequestParser.maximumBodySize + 1)\r\n\r\n") == .payloadTooLarge)
        let hugeHead = "GET / HTTP/1.1\r\nX: " + String(repeating: "y", count: OsmAndHTTPRequestParser.maximumHeadSize) + "\r\n\r\n"
        #expect(status(hugeHead) == .requestHeaderFieldsTooLarge)
        // Refused before the end of the head arrives, so a client cannot make the buffer grow without bound.
        #expect(events(String(hugeHead.prefix(OsmAndHTTPRequestParser.maximumHeadSize + 10)), chunk: 100).error?.status == .requestHeaderFieldsTooLarge)
    }
}
