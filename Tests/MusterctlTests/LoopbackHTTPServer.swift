import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP/1.1 server on 127.0.0.1 for testing `HTTPClient` against real sockets: each
/// connection's request parts go to `serve`, which writes whatever answer the test needs.
enum LoopbackHTTPServer {
    typealias Inbound = NIOAsyncChannelInboundStream<HTTPServerRequestPart>
    typealias Outbound = NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>

    /// Runs `body` with the server's port; the server stops when `body` returns.
    static func run<Result: Sendable>(
        serve: @escaping @Sendable (Inbound, Outbound) async throws -> Void,
        _ body: (Int) async throws -> Result
    ) async throws -> Result {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        let port = server.channel.localAddress!.port!
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await server.executeThenClose { connections in
                    try await withThrowingTaskGroup(of: Void.self) { connectionGroup in
                        for try await connection in connections {
                            connectionGroup.addTask {
                                try? await connection.executeThenClose { inbound, outbound in try await serve(inbound, outbound) }
                            }
                        }
                    }
                }
            }
            defer { group.cancelAll() }
            return try await body(port)
        }
    }

    /// The request head and its whole body.
    static func readRequest(_ inbound: Inbound) async throws -> (head: HTTPRequestHead, body: ByteBuffer) {
        var head: HTTPRequestHead?
        var body = ByteBuffer()
        for try await part in inbound {
            switch part {
            case .head(let received): head = received
            case .body(var chunk): body.writeBuffer(&chunk)
            case .end: return (head!, body)
            }
        }
        throw ChannelError.eof
    }

    /// The request head only, leaving the body unread.
    static func readHead(_ inbound: Inbound) async throws -> HTTPRequestHead {
        for try await part in inbound {
            if case .head(let head) = part { return head }
        }
        throw ChannelError.eof
    }

    static func respond(_ outbound: Outbound, _ status: HTTPResponseStatus, contentType: String = "application/json", body: String) async throws {
        var headers: HTTPHeaders = ["Content-Type": contentType, "Content-Length": String(body.utf8.count)]
        headers.add(name: "Connection", value: "close")
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)))
        try await outbound.write(.body(.byteBuffer(ByteBuffer(string: body))))
        try await outbound.write(.end(nil))
    }
}
