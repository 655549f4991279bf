import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A plain HTTP/1.1 client for the admin API: one connection per request, the whole answer
/// collected (chunked bodies included).
struct HTTPTestClient {
    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: Data

        var text: String { String(decoding: body, as: UTF8.self) }

        /// The body as a JSON object (a test failure if it is not one).
        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                throw TestFailure("expected a JSON object, got: \(text.prefix(300))")
            }
            return object
        }
    }

    let port: Int
    var token: String?

    func get(_ path: String) async throws -> Response { try await send("GET", path) }
    func delete(_ path: String) async throws -> Response { try await send("DELETE", path) }

    func post(_ path: String, json: Any) async throws -> Response {
        try await send("POST", path, body: try JSONSerialization.data(withJSONObject: json), contentType: "application/json")
    }

    func patch(_ path: String, json: Any) async throws -> Response {
        try await send("PATCH", path, body: try JSONSerialization.data(withJSONObject: json), contentType: "application/json")
    }

    /// Reads a streaming GET (server-sent events) until `isEnough` accepts the text so far.
    func stream(_ path: String, timeout: Duration = .seconds(20), until isEnough: @escaping @Sendable (String) -> Bool) async throws -> String {
        try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                let response = try await send("GET", path, stopWhen: isEnough)
                return response.text
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TestFailure("\(path) did not deliver what was expected within \(timeout)")
            }
            let text = try await group.next()!
            group.cancelAll()
            return text
        }
    }

    func send(
        _ method: String, _ path: String, body: Data? = nil, contentType: String? = nil, headers extra: [(String, String)] = [],
        stopWhen isEnough: (@Sendable (String) -> Bool)? = nil
    ) async throws -> Response {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var headers = HTTPHeaders([("Host", "127.0.0.1:\(port)"), ("Connection", "close")])
            if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
            if let contentType { headers.add(name: "Content-Type", value: contentType) }
            headers.add(name: "Content-Length", value: "\(body?.count ?? 0)")
            for (name, value) in extra { headers.replaceOrAdd(name: name, value: value) }
            try await outbound.write(.head(HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: path, headers: headers)))
            if let body, !body.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
            try await outbound.write(.end(nil))
            var response = Response(status: 0, headers: [:], body: Data())
            for try await part in inbound {
                switch part {
                case .head(let head):
                    response.status = Int(head.status.code)
                    response.headers = head.headers
                case .body(let buffer):
                    response.body.append(contentsOf: buffer.readableBytesView)
                    if let isEnough, isEnough(response.text) { return response }
                case .end:
                    return response
                }
            }
            return response
        }
    }
}
