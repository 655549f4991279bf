/// One event of a text/event-stream.
struct ServerSentEvent: Equatable, Sendable {
    /// The `event:` field, "message" when absent.
    var type: String
    /// The `data:` lines joined by "\n".
    var data: String
    /// The last `id:` seen in the stream, if any.
    var lastEventID: String?
}

/// An incremental parser of the event stream format (WHATWG HTML, "Server-sent events",
/// §9.2.6 Interpreting an event stream): `append(_:)` the bytes as they arrive, then call
/// `next()` until it returns nil, which means more bytes are needed.
struct ServerSentEventParser {
    /// A longer line is refused rather than buffered without bound.
    static let maximumLineLength = 1 << 20

    struct LineTooLong: Error {}

    private var pending: [UInt8] = []
    private var readIndex = 0
    private var atStreamStart = true
    private var eventType = ""
    private var dataLines: [String] = []
    private var lastEventID: String?

    mutating func append(_ bytes: some Sequence<UInt8>) {
        if readIndex > 0, readIndex == pending.count {
            pending.removeAll(keepingCapacity: true)
            readIndex = 0
        }
        pending.append(contentsOf: bytes)
        if atStreamStart {
            // A UTF-8 byte order mark at the very start is skipped; decide once 3 bytes are in
            // or the bytes so far cannot be one.
            let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
            if pending.starts(with: byteOrderMark) {
                readIndex = 3
                atStreamStart = false
            } else if pending.count >= 3 || !byteOrderMark.starts(with: pending) {
                atStreamStart = false
            }
        }
    }

    /// The next complete event, or nil when the bytes so far end inside one.
    mutating func next() throws(LineTooLong) -> ServerSentEvent? {
        guard !atStreamStart else { return nil }
        while let line = try nextLine() {
            if let event = process(line) { return event }
        }
        return nil
    }

    /// A line ends at CRLF, LF or CR; a CR that ends the input might be the start of CRLF, so
    /// that line waits for the next byte.
    private mutating func nextLine() throws(LineTooLong) -> String? {
        var index = readIndex
        while index < pending.count {
            let byte = pending[index]
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                if byte == UInt8(ascii: "\r"), index + 1 == pending.count { return nil }
                let line = String(decoding: pending[readIndex..<index], as: UTF8.self)
                readIndex = index + (byte == UInt8(ascii: "\r") && pending[index + 1] == UInt8(ascii: "\n") ? 2 : 1)
                compactIfWorthIt()
                return line
            }
            index += 1
        }
        if pending.count - readIndex > Self.maximumLineLength { throw LineTooLong() }
        return nil
    }

    /// Drops consumed bytes once they are the larger part of the buffer.
    private mutating func compactIfWorthIt() {
        if readIndex > 4096, readIndex * 2 > pending.count {
            pending.removeFirst(readIndex)
            readIndex = 0
        }
    }

    private mutating func process(_ line: String) -> ServerSentEvent? {
        if line.isEmpty { return dispatch() }
        if line.hasPrefix(":") { return nil }  // a comment, e.g. a keep-alive
        let field: Substring
        var value: Substring
        if let colon = line.firstIndex(of: ":") {
            field = line[..<colon]
            value = line[line.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            (field, value) = (line[...], "")
        }
        switch field {
        case "event": eventType = String(value)
        case "data": dataLines.append(String(value))
        case "id" where !value.contains("\0"): lastEventID = String(value)
        default: break  // "retry" and unknown fields: reconnecting is not musterctl's business
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            eventType = ""
            dataLines = []
        }
        guard !dataLines.isEmpty else { return nil }
        return ServerSentEvent(type: eventType.isEmpty ? "message" : eventType, data: dataLines.joined(separator: "\n"), lastEventID: lastEventID)
    }
}
