import NIOCore

/// Incremental reader of an RTSP byte stream: requests, responses and interleaved binary frames.
///
/// Feed bytes with `append(_:)`, then call `next()` until it returns nil (more bytes needed).
/// A thrown error means the stream cannot be framed any more.
public struct RTSPMessageParser: Sendable {
    /// Longest request or status line. URIs of real cameras stay well below 1 KiB.
    public static let maximumStartLineLength = 4096
    /// Largest start line plus header block: RFC 2326 sets no limit, this keeps slow or hostile
    /// clients from holding memory.
    public static let maximumHeaderBlockSize = 16 * 1024
    public static let maximumHeaderCount = 64
    /// Largest body (an ANNOUNCE SDP or a SET_PARAMETER body).
    public static let maximumBodySize = 64 * 1024

    private var buffer: ByteBuffer
    /// How far the header terminator search has already looked, so drip-fed input stays linear.
    private var scannedBytes = 0

    public init() {
        buffer = ByteBuffer()
    }

    public mutating func append(_ bytes: ByteBuffer) {
        var bytes = bytes
        buffer.writeBuffer(&bytes)
    }

    /// Bytes received but not yet returned as a message. Read by tools/fuzz's RTSPMessageFuzzer
    /// (a package of its own, so a search of this one finds no caller).
    package var bufferedByteCount: Int { buffer.readableBytes }

    public mutating func next() throws(RTSPParseError) -> RTSPMessage? {
        skipBlankLines()
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
        if first == UInt8(ascii: "$") {
            return readInterleavedFrame().map(RTSPMessage.interleaved)
        }
        guard let headerEnd = findHeaderEnd() else {
            if buffer.readableBytes > Self.maximumHeaderBlockSize {
                throw RTSPParseError(.headerBlockTooLarge, "no end of headers within \(Self.maximumHeaderBlockSize) bytes")
            }
            if firstLineLength() == nil, buffer.readableBytes > Self.maximumStartLineLength {
                throw RTSPParseError(.requestLineTooLong, "start line longer than \(Self.maximumStartLineLength) bytes")
            }
            return nil
        }
        guard headerEnd.blockLength <= Self.maximumHeaderBlockSize else {
            throw RTSPParseError(.headerBlockTooLarge, "headers longer than \(Self.maximumHeaderBlockSize) bytes")
        }
        let block = buffer.getString(at: buffer.readerIndex, length: headerEnd.blockLength) ?? ""
        var lines = block.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let startLine = lines.first else {
            throw RTSPParseError(.malformedRequestLine, "empty start line")
        }
        guard startLine.utf8.count <= Self.maximumStartLineLength else {
            throw RTSPParseError(.requestLineTooLong, "start line longer than \(Self.maximumStartLineLength) bytes")
        }
        let headers = try Self.parseHeaders(lines.dropFirst())
        let bodyLength = try Self.contentLength(headers)
        let totalLength = headerEnd.blockLength + headerEnd.terminatorLength + bodyLength
        guard buffer.readableBytes >= totalLength else { return nil }

        let message: RTSPMessage
        let bodyStart = buffer.readerIndex + headerEnd.blockLength + headerEnd.terminatorLength
        let body = bodyLength > 0 ? buffer.getSlice(at: bodyStart, length: bodyLength) : nil
        if startLine.hasPrefix("RTSP/") {
            message = .response(RTSPResponse(status: try Self.parseStatusLine(startLine), headers: headers, body: body))
        } else {
            let (method, uri) = try Self.parseRequestLine(startLine)
            message = .request(RTSPRequest(method: method, uri: uri, headers: headers, body: body))
        }
        buffer.moveReaderIndex(forwardBy: totalLength)
        scannedBytes = 0
        buffer.discardReadBytes()
        return message
    }

    private mutating func skipBlankLines() {
        while let byte = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
              byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
            buffer.moveReaderIndex(forwardBy: 1)
            scannedBytes = max(0, scannedBytes - 1)
        }
    }

    private mutating func readInterleavedFrame() -> RTSPInterleavedFrame? {
        let start = buffer.readerIndex
        guard let channel = buffer.getInteger(at: start + 1, as: UInt8.self),
              let length = buffer.getInteger(at: start + 2, as: UInt16.self),
              let payload = buffer.getSlice(at: start + 4, length: Int(length)) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4 + Int(length))
        if buffer.readerIndex > 64 * 1024 { buffer.discardReadBytes() }
        return RTSPInterleavedFrame(channel: channel, payload: payload)
    }

    /// Finds the empty line ending the header block; tolerates bare LF line ends.
    private mutating func findHeaderEnd() -> (blockLength: Int, terminatorLength: Int)? {
        let view = buffer.readableBytesView
        let base = view.startIndex
        var index = base + max(0, scannedBytes - 3)
        while index < view.endIndex {
            if view[index] == UInt8(ascii: "\n") {
                let next = index + 1
                if next < view.endIndex, view[next] == UInt8(ascii: "\n") {
                    return (index - base + 1, 1)
                }
                if next + 1 < view.endIndex, view[next] == UInt8(ascii: "\r"), view[next + 1] == UInt8(ascii: "\n") {
                    return (index - base + 1, 2)
                }
            }
            index += 1
        }
        scannedBytes = view.count
        return nil
    }

    private func firstLineLength() -> Int? {
        buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")).map { $0 - buffer.readableBytesView.startIndex }
    }

    static func parseRequestLine(_ line: String) throws(RTSPParseError) -> (RTSPMethod, String) {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 3, parts[0].allSatisfy({ $0.isLetter || $0 == "_" }) else {
            throw RTSPParseError(.malformedRequestLine, "expected 'METHOD URI RTSP/1.0'")
        }
        guard parts[2] == "RTSP/1.0" else {
            throw RTSPParseError(.unsupportedVersion, "version '\(parts[2].prefix(16))' is not RTSP/1.0")
        }
        return (RTSPMethod(rawValue: String(parts[0])), String(parts[1]))
    }

    static func parseStatusLine(_ line: String) throws(RTSPParseError) -> RTSPStatus {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[0] == "RTSP/1.0", parts[1].count == 3, let code = Int(parts[1]) else {
            throw RTSPParseError(.malformedStatusLine, "expected 'RTSP/1.0 CODE REASON'")
        }
        return RTSPStatus(code: code, reasonPhrase: parts.count > 2 ? String(parts[2]) : "")
    }

    static func parseHeaders(_ lines: ArraySlice<String>) throws(RTSPParseError) -> RTSPHeaders {
        guard lines.count <= maximumHeaderCount else {
            throw RTSPParseError(.tooManyHeaders, "more than \(maximumHeaderCount) header fields")
        }
        var headers = RTSPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw RTSPParseError(.malformedHeader, "header line without 'Name: value'")
            }
            let name = line[..<colon].trimmingSpaces()
            guard !name.isEmpty, !name.contains(" ") else {
                throw RTSPParseError(.malformedHeader, "header name contains spaces")
            }
            headers.add(name: name, value: line[line.index(after: colon)...].trimmingSpaces())
        }
        return headers
    }

    static func contentLength(_ headers: RTSPHeaders) throws(RTSPParseError) -> Int {
        guard let value = headers["Content-Length"] else { return 0 }
        guard let length = Int(value), length >= 0 else {
            throw RTSPParseError(.invalidContentLength, "Content-Length '\(value.prefix(20))' is not a number")
        }
        guard length <= maximumBodySize else {
            throw RTSPParseError(.bodyTooLarge, "body of \(length) bytes exceeds \(maximumBodySize)")
        }
        return length
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while slice.first == " " || slice.first == "\t" { slice.removeFirst() }
        while slice.last == " " || slice.last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
