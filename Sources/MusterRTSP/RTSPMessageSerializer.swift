import NIOCore

/// Writes RTSP messages in wire format; the mirror of `RTSPMessageParser`.
public enum RTSPMessageSerializer {
    public static func write(_ response: RTSPResponse, to buffer: inout ByteBuffer) {
        buffer.writeString("RTSP/1.0 \(response.status.code) \(response.status.reasonPhrase)\r\n")
        writeHeadersAndBody(response.headers, response.body, to: &buffer)
    }

    public static func write(_ request: RTSPRequest, to buffer: inout ByteBuffer) {
        buffer.writeString("\(request.method.rawValue) \(request.uri) RTSP/1.0\r\n")
        writeHeadersAndBody(request.headers, request.body, to: &buffer)
    }

    /// Writes the 4-byte interleaved header; the payload follows separately so that a shared
    /// RTP packet buffer is never copied per consumer.
    public static func writeInterleavedHeader(channel: UInt8, length: Int, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "$"))
        buffer.writeInteger(channel)
        buffer.writeInteger(UInt16(truncatingIfNeeded: length))
    }

    private static func writeHeadersAndBody(_ headers: RTSPHeaders, _ body: ByteBuffer?, to buffer: inout ByteBuffer) {
        var headers = headers
        if let body {
            headers.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes))
        }
        for field in headers {
            buffer.writeString("\(field.name): \(field.value)\r\n")
        }
        buffer.writeString("\r\n")
        if let body { buffer.writeImmutableBuffer(body) }
    }
}
