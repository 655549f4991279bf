import NIOCore
import NIOHTTP1

/// A response whose body is read as it arrives; valid only inside the closure given to
/// `HTTPClient.execute`, because the connection closes when that closure returns.
struct HTTPClientResponse {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    /// The body chunks in order; iterate it once.
    var body: HTTPClientResponseBody

    /// The whole body, or an error once it grows past `limit` bytes.
    func collectBody(upTo limit: Int) async throws -> ByteBuffer {
        var collected = ByteBuffer()
        for try await var chunk in body {
            guard collected.readableBytes + chunk.readableBytes <= limit else {
                throw MusterctlError.failed("the gateway's answer is larger than \(limit >> 20) MiB; narrow the request")
            }
            collected.writeBuffer(&chunk)
        }
        return collected
    }
}

/// The body parts of one response from the connection's inbound stream, ending at its `.end`.
struct HTTPClientResponseBody: AsyncSequence {
    typealias Element = ByteBuffer

    struct AsyncIterator: AsyncIteratorProtocol {
        var parts: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
        var finished = false

        mutating func next() async throws -> ByteBuffer? {
            guard !finished else { return nil }
            while let part = try await parts.next() {
                switch part {
                case .body(let chunk): return chunk
                case .end: finished = true; return nil
                case .head: continue
                }
            }
            throw HTTPClient.ConnectionClosed(duringBody: true)
        }
    }

    let parts: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(parts: parts)
    }
}
