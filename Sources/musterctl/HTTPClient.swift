import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 client over SwiftNIO: one connection per request, the request body sent
/// while the response is read (a gateway may refuse an upload before it is complete), the
/// response body handed over as it arrives. http:// only.
struct HTTPClient: Sendable {
    static let connectTimeout: TimeAmount = .seconds(10)
    /// How long an ordinary exchange may go without a byte in either direction.
    static let idleTimeout: TimeAmount = .seconds(60)

    /// The connection ended before the response was complete.
    struct ConnectionClosed: Error {
        var duringBody: Bool
    }

    let settings: ClientSettings

    /// Sends `request` and hands the response to `handleResponse`, whose result is returned once
    /// the connection is closed. `idleTimeout` nil means wait for ever (an event stream).
    /// Connection-level failures are thrown as `MusterctlError` with code `.unreachable`.
    func execute<Result: Sendable>(
        _ request: HTTPClientRequest, idleTimeout: TimeAmount? = Self.idleTimeout,
        _ handleResponse: (HTTPClientResponse) async throws -> Result
    ) async throws -> Result {
        let request = HTTPClientRequest(
            request.method, settings.server.basePath + request.target, headers: request.headers, body: request.body
        )
        do {
            let channel = try await connect(idleTimeout: idleTimeout)
            return try await channel.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: RequestWriteOutcome.self) { group in
                    group.addTask {
                        await Self.write(request, host: settings.server.hostHeader, to: outbound, closingOnBodyFailure: channel.channel)
                    }
                    do {
                        var parts = inbound.makeAsyncIterator()
                        let head = try await Self.readHead(&parts)
                        let response = HTTPClientResponse(status: head.status, headers: head.headers, body: HTTPClientResponseBody(parts: parts))
                        let result = try await handleResponse(response)
                        group.cancelAll()
                        return result
                    } catch {
                        // When a local file could not be read, that is why the exchange broke.
                        group.cancelAll()
                        if case .bodyFailed(let bodyError)? = try await group.next() { throw bodyError }
                        throw error
                    }
                }
            }
        } catch {
            throw Self.describe(error, settings: settings)
        }
    }

    private func connect(idleTimeout: TimeAmount?) async throws -> NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(Self.connectTimeout)
            .connect(host: settings.server.host, port: settings.server.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let idleTimeout {
                        try pipeline.addHandler(IdleStateHandler(allTimeout: idleTimeout))
                    }
                    try pipeline.addHTTPClientHandlers()
                    if let idleTimeout {
                        try pipeline.addHandler(HTTPIdleTimeoutHandler(timeout: idleTimeout))
                    }
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// The final response head, after any informational (1xx) ones.
    private static func readHead(_ parts: inout NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator) async throws -> HTTPResponseHead {
        while let part = try await parts.next() {
            if case .head(let head) = part, head.status.code >= 200 { return head }
        }
        throw ConnectionClosed(duringBody: false)
    }

    private enum RequestWriteOutcome: Sendable {
        case sent
        /// The connection failed or the response made the rest of the body pointless.
        case interrupted
        /// The body's source failed (an unreadable file): the error to report.
        case bodyFailed(any Error)
    }

    private static func write(
        _ request: HTTPClientRequest, host: String, to outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>,
        closingOnBodyFailure channel: any Channel
    ) async -> RequestWriteOutcome {
        do {
            try await outbound.write(.head(request.head(host: host)))
            switch request.body {
            case .empty:
                break
            case .bytes(let buffer):
                try await outbound.write(.body(.byteBuffer(buffer)))
            case .stream(let nextChunk):
                while true {
                    if Task.isCancelled { return .interrupted }
                    let chunk: ByteBuffer?
                    do {
                        chunk = try await nextChunk()
                    } catch {
                        // Cancelled because the response came early: not the source's failure.
                        if Task.isCancelled { return .interrupted }
                        channel.close(promise: nil)
                        return .bodyFailed(error)
                    }
                    guard let chunk else { break }
                    try await outbound.write(.body(.byteBuffer(chunk)))
                }
            }
            try await outbound.write(.end(nil))
            return .sent
        } catch {
            // The reading side sees the same failure, or has its response already.
            return .interrupted
        }
    }
}
