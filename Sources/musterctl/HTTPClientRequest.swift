import NIOCore
import NIOHTTP1

/// One HTTP/1.1 request as musterctl sends it.
struct HTTPClientRequest: Sendable {
    enum Body: Sendable {
        case empty
        case bytes(ByteBuffer)
        /// Produced chunk by chunk while the request is sent, so that a large file never sits in
        /// memory; `nextChunk` returns nil at the end. It goes out with chunked transfer coding
        /// (RFC 9112 §7.1): a length announced up front would be wrong if the file changed.
        case stream(nextChunk: @Sendable () async throws -> ByteBuffer?)
    }

    var method: HTTPMethod
    /// The encoded path and query, e.g. `/api/v1/channels?limit=10`.
    var target: String
    var headers: HTTPHeaders
    var body: Body

    init(_ method: HTTPMethod, _ target: String, headers: HTTPHeaders = [:], body: Body = .empty) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }

    /// The request head with the framing headers its body needs. Every request has its own
    /// connection (musterctl makes a handful of calls; pooling is not worth its state), so the
    /// gateway is told to close it after answering.
    func head(host: String) -> HTTPRequestHead {
        var headers = self.headers
        headers.replaceOrAdd(name: "Host", value: host)
        headers.replaceOrAdd(name: "Connection", value: "close")
        switch body {
        case .empty where method == .POST || method == .PUT || method == .PATCH:
            headers.replaceOrAdd(name: "Content-Length", value: "0")
        case .empty:
            break
        case .bytes(let buffer):
            headers.replaceOrAdd(name: "Content-Length", value: String(buffer.readableBytes))
        case .stream:
            headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
        }
        return HTTPRequestHead(version: .http1_1, method: method, uri: target, headers: headers)
    }
}
