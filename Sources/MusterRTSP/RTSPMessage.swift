import NIOCore

/// An RTSP request (RFC 2326 §6).
public struct RTSPRequest: Sendable, Hashable {
    public var method: RTSPMethod
    public var uri: String
    public var headers: RTSPHeaders
    public var body: ByteBuffer?

    public init(method: RTSPMethod, uri: String, headers: RTSPHeaders = [:], body: ByteBuffer? = nil) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
    }

    /// The CSeq the client numbered this request with; echoed in the response.
    public var cSeq: String? { headers["CSeq"] }
}

/// An RTSP response (RFC 2326 §7).
public struct RTSPResponse: Sendable, Hashable {
    public var status: RTSPStatus
    public var headers: RTSPHeaders
    public var body: ByteBuffer?

    public init(status: RTSPStatus, headers: RTSPHeaders = [:], body: ByteBuffer? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A binary frame interleaved on the RTSP connection: `$`, channel, 16-bit length, data
/// (RFC 2326 §10.12). Even channels carry RTP, odd ones RTCP by convention.
public struct RTSPInterleavedFrame: Sendable, Hashable {
    public var channel: UInt8
    public var payload: ByteBuffer

    public init(channel: UInt8, payload: ByteBuffer) {
        self.channel = channel
        self.payload = payload
    }
}

/// Anything that can arrive on an RTSP connection.
public enum RTSPMessage: Sendable, Hashable {
    case request(RTSPRequest)
    case response(RTSPResponse)
    case interleaved(RTSPInterleavedFrame)
}
