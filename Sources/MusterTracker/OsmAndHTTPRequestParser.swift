import NIOCore
import NIOHTTP1

/// One OsmAnd request: what the listener needs of an HTTP/1.1 request and nothing more.
struct OsmAndHTTPRequest: Sendable, Equatable {
    /// HEAD is told apart because its answer carries no body (RFC 9110 §9.3.2).
    enum Method: Sendable, Equatable { case get, post, head, other }

    var method: Method
    /// The query string (after '?') and a form body, joined by '&': what `OsmAndReport` parses.
    var parameters: [UInt8]
    /// HTTP/1.0 (answers then name `Connection: keep-alive` when the connection stays open).
    var isHTTP10: Bool
    var keepAlive: Bool
}

/// A request the listener answers with `status` and then closes the connection: after a framing
/// error nothing that follows on the connection can be trusted.
struct OsmAndHTTPError: Error, Equatable {
    var status: HTTPResponseStatus
    var detail: String
}

/// HTTP/1.1 request framing (RFC 9112) for the OsmAnd listener, incremental: feed it the bytes
/// received and take requests out until it needs more. Only Content-Length, Connection, Expect and
/// Transfer-Encoding are read; other fields are skipped unparsed. A general HTTP stack (llhttp,
/// header strings, the pipelining handler's read pausing) cost more per position than the rest of
/// ingest: each OsmAnd request carries one position.
struct OsmAndHTTPRequestParser {
    /// A request line and header section larger than this is refused (431); OsmAnd clients send
    /// about 200 bytes.
    static let maximumHeadSize = 16 * 1024
    /// A larger body is refused (413); OsmAnd form bodies are a few hundred bytes.
    static let maximumBodySize = 8 * 1024

    enum Event: Equatable {
        case request(OsmAndHTTPRequest)
        /// The client sent `Expect: 100-continue` and waits for an interim answer before its body (RFC 9110 §10.1.1).
        case continueExpected
    }

    private struct Head {
        var request: OsmAndHTTPRequest
        var contentLength: Int
        var expectsContinue: Bool
    }

    /// A head waiting for its body.
    private var awaitingBody: Head?

    /// The next event from the bytes in `buffer` (consumed as they are used), nil when more bytes are needed.
    mutating func next(_ buffer: inout ByteBuffer) throws(OsmAndHTTPError) -> Event? {
        if awaitingBody == nil {
            guard let head = try Self.parseHead(&buffer) else { return nil }
            awaitingBody = head
            if head.expectsContinue && head.contentLength > 0 && buffer.readableBytes < head.contentLength {
                awaitingBody?.expectsContinue = false
                return .continueExpected
            }
        }
        guard var head = awaitingBody, buffer.readableBytes >= head.contentLength else { return nil }
        awaitingBody = nil
        if head.contentLength > 0, let body = buffer.readBytes(length: head.contentLength) {
            if !head.request.parameters.isEmpty { head.request.parameters.append(UInt8(ascii: "&")) }
            head.request.parameters += body
        }
        return .request(head.request)
    }

    /// The head at the start of `buffer`, consumed; nil (and nothing consumed) when it is incomplete.
    private static func parseHead(_ buffer: inout ByteBuffer) throws(OsmAndHTTPError) -> Head? {
        // RFC 9112 §2.2: empty lines before a request line are ignored.
        while let byte = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self), byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
            buffer.moveReaderIndex(forwardBy: 1)
        }
        let view = buffer.readableBytesView
        guard let headEnd = endOfHead(view) else {
            if view.count > maximumHeadSize { throw OsmAndHTTPError(status: .requestHeaderFieldsTooLarge, detail: "the request head exceeds \(maximumHeadSize) bytes") }
            return nil
        }
        guard headEnd - view.startIndex <= maximumHeadSize else {
            throw OsmAndHTTPError(status: .requestHeaderFieldsTooLarge, detail: "the request head exceeds \(maximumHeadSize) bytes")
        }
        let head = try parse(Array(view[view.startIndex..<headEnd])[...])
        buffer.moveReaderIndex(to: headEnd)
        return head
    }

    /// The index just after the empty line that ends the head, if it has arrived.
    private static func endOfHead(_ view: ByteBufferView) -> Int? {
        var lineStart = view.startIndex
        var index = view.startIndex
        while let newline = view[index...].firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - lineStart
            if length == 0 || (length == 1 && view[lineStart] == UInt8(ascii: "\r")) { return newline + 1 }
            lineStart = newline + 1
            index = lineStart
        }
        return nil
    }

    private static func parse(_ head: ArraySlice<UInt8>) throws(OsmAndHTTPError) -> Head {
        var lines = Lines(head)
        guard let requestLine = lines.next() else { throw bad("no request line") }
        let parts = requestLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else { throw bad("the request line is not METHOD TARGET VERSION") }
        let isHTTP10: Bool
        switch String(decoding: parts[2], as: UTF8.self) {
        case "HTTP/1.1": isHTTP10 = false
        case "HTTP/1.0": isHTTP10 = true
        default: throw OsmAndHTTPError(status: .httpVersionNotSupported, detail: "only HTTP/1.1 and HTTP/1.0 are spoken here")
        }
        let method: OsmAndHTTPRequest.Method
        switch String(decoding: parts[0], as: UTF8.self) {
        case "GET": method = .get
        case "POST": method = .post
        case "HEAD": method = .head
        default: method = .other
        }
        let target = parts[1]
        let query = target.firstIndex(of: UInt8(ascii: "?")).map { target[($0 + 1)...] } ?? target[target.endIndex...]

        var contentLength: Int?
        var close = false, keepAliveToken = false, expectsContinue = false
        while let line = lines.next() {
            guard let first = line.first, first != UInt8(ascii: " "), first != UInt8(ascii: "\t") else {
                throw bad("obsolete line folding in the header section")  // RFC 9112 §5.2
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw bad("a header line has no ':'") }
            let name = line[..<colon]
            guard !name.isEmpty, name.allSatisfy(isTokenByte) else { throw bad("a header field name is not a token") }
            let value = trimmed(line[(colon + 1)...])
            if equalsIgnoringCase(name, "content-length") {
                guard !value.isEmpty, value.count <= 18, value.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }) else { throw bad("Content-Length is not a number") }
                let length = value.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
                guard contentLength == nil || contentLength == length else { throw bad("conflicting Content-Length fields") }
                contentLength = length
            } else if equalsIgnoringCase(name, "transfer-encoding") {
                throw OsmAndHTTPError(status: .notImplemented, detail: "transfer codings are not supported; send a Content-Length")
            } else if equalsIgnoringCase(name, "connection") {
                for token in value.split(separator: UInt8(ascii: ",")) {
                    let token = trimmed(token)
                    if equalsIgnoringCase(token, "close") { close = true }
                    if equalsIgnoringCase(token, "keep-alive") { keepAliveToken = true }
                }
            } else if equalsIgnoringCase(name, "expect") {
                guard equalsIgnoringCase(value, "100-continue") else {
                    throw OsmAndHTTPError(status: .expectationFailed, detail: "only Expect: 100-continue is understood")
                }
                expectsContinue = true
            }
        }
        let length = contentLength ?? 0
        guard length <= maximumBodySize else {
            throw OsmAndHTTPError(status: .payloadTooLarge, detail: "an OsmAnd request body holds at most \(maximumBodySize) bytes")
        }
        let request = OsmAndHTTPRequest(
            method: method, parameters: Array(query), isHTTP10: isHTTP10, keepAlive: !close && (!isHTTP10 || keepAliveToken)
        )
        return Head(request: request, contentLength: length, expectsContinue: expectsContinue && !isHTTP10)
    }

    /// Lines without their CR LF (or bare LF), up to the empty line that ends the head.
    private struct Lines {
        var rest: ArraySlice<UInt8>

        init(_ bytes: ArraySlice<UInt8>) { rest = bytes }

        mutating func next() -> ArraySlice<UInt8>? {
            guard let newline = rest.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            var line = rest[..<newline]
            rest = rest[(newline + 1)...]
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            return line.isEmpty ? nil : line
        }
    }

    private static func bad(_ detail: String) -> OsmAndHTTPError { OsmAndHTTPError(status: .badRequest, detail: detail) }

    /// RFC 9110 §5.6.2 tchar.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var bytes = bytes
        while let first = bytes.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { bytes.removeFirst() }
        while let last = bytes.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { bytes.removeLast() }
        return bytes
    }

    private static func equalsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        return lowercase.withUTF8Buffer { literal in
            zip(bytes, literal).allSatisfy { ($0 &- UInt8(ascii: "A") < 26 ? $0 | 0x20 : $0) == $1 }
        }
    }
}
