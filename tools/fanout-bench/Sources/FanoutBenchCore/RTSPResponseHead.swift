import NIOCore

/// The start line and headers of one RTSP response (RFC 2326 §7), as the reader needs them.
public struct RTSPResponseHead: Sendable, Equatable {
    public var statusCode: Int
    public var reason: String
    /// Header fields in order; names as sent.
    public var headers: [(name: String, value: String)]

    public static func == (lhs: RTSPResponseHead, rhs: RTSPResponseHead) -> Bool {
        lhs.statusCode == rhs.statusCode && lhs.reason == rhs.reason
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }

    /// The first value of a header, by case-insensitive name.
    public subscript(name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    public var contentLength: Int { self["Content-Length"].flatMap { Int($0.trimmingSpaces) } ?? 0 }

    /// The session id without its `;timeout=` parameter.
    public var sessionID: String? {
        self["Session"].map { String($0.split(separator: ";", maxSplits: 1).first ?? "").trimmingSpaces }
    }

    /// The first channel of `interleaved=a-b` in the Transport header.
    public var interleavedChannel: UInt8? {
        guard let transport = self["Transport"] else { return nil }
        for parameter in transport.split(separator: ";") {
            let parts = parameter.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0].trimmingSpaces == "interleaved" {
                return UInt8(parts[1].split(separator: "-").first.map { $0.trimmingSpaces } ?? "")
            }
        }
        return nil
    }

    public enum ParseError: Error, Equatable {
        case headTooLong
        case badStatusLine(String)
    }

    /// The largest head the reader accepts before giving up on the connection.
    public static let maximumHeadLength = 16 * 1024

    /// Parses a head from the readable bytes of `buffer` without consuming them. Returns nil when the
    /// blank line has not arrived yet, else the head and the head's length including the blank line.
    public static func parse(_ buffer: ByteBuffer) throws(ParseError) -> (RTSPResponseHead, Int)? {
        let view = buffer.readableBytesView
        let limit = min(view.count, maximumHeadLength)
        var end: Int? = nil
        var i = view.startIndex
        let last = view.startIndex + limit
        while i + 3 < last {
            if view[i] == 13, view[i + 1] == 10, view[i + 2] == 13, view[i + 3] == 10 { end = i + 4; break }
            i += 1
        }
        guard let end else {
            if view.count >= maximumHeadLength { throw .headTooLong }
            return nil
        }
        let text = String(decoding: view[view.startIndex..<end], as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: true).map(String.init)
        guard !lines.isEmpty else { throw .badStatusLine("") }
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("RTSP/"), let code = Int(parts[1]) else {
            throw .badStatusLine(String(statusLine.prefix(80)))
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]).trimmingSpaces, String(line[line.index(after: colon)...]).trimmingSpaces))
        }
        let reason = parts.count > 2 ? String(parts[2]) : ""
        return (RTSPResponseHead(statusCode: code, reason: reason, headers: headers), end - view.startIndex)
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
