import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

@testable import musterctl

/// `HTTPClient` and `MusterAPIClient` against a real server on the loopback interface.
@Suite struct HTTPClientTests {
    private func client(port: Int, basePath: String = "", token: String? = "t0ken") throws -> MusterAPIClient {
        let settings = ClientSettings(server: try ServerAddress(parsing: "http://127.0.0.1:\(port)\(basePath)"), serverOrigin: .flag, token: token)
        return MusterAPIClient(http: HTTPClient(settings: settings))
    }

    @Test func requestCarriesTargetTokenAndHost() async throws {
        // The server answers with what it received, as JSON.
        let body = try await LoopbackHTTPServer.run(serve: { inbound, outbound in
            let (head, _) = try await LoopbackHTTPServer.readRequest(inbound)
            let echo: [String: String] = [
                "uri": head.uri, "authorization": head.headers["Authorization"].first ?? "",
                "host": head.headers["Host"].first ?? "", "connection": head.headers["Connection"].first ?? "",
            ]
            try await LoopbackHTTPServer.respond(outbound, .ok, body: String(decoding: try JSONEncoder().encode(echo), as: UTF8.self))
        }) { port in
            let data = try await client(port: port, basePath: "/base").get(.channel("hq/gate 1").adding("q", "a&b"))
            return (try JSONDecoder().decode([String: String].self, from: data), port)
        }
        #expect(body.0["uri"] == "/base/api/v1/channels/hq/gate%201?q=a%26b")
        #expect(body.0["authorization"] == "Bearer t0ken")
        #expect(body.0["host"] == "127.0.0.1:\(body.1)")
        #expect(body.0["connection"] == "close")
    }

    @Test func uploadStreamsTheBodyInChunks() async throws {
        let chunkCount = 100
        let received = try await LoopbackHTTPServer.run(serve: { inbound, outbound in
            let (head, body) = try await LoopbackHTTPServer.readRequest(inbound)
            let answer = "{\"bytes\":\(body.readableBytes),\"chunked\":\(head.headers["Transfer-Encoding"].first == "chunked"),\"type\":\"\(head.headers["Content-Type"].first ?? "")\"}"
            try await LoopbackHTTPServer.respond(outbound, .ok, body: answer)
        }) { port in
            let counter = ChunkCounter(limit: chunkCount)
            return try await client(port: port).upload(.importChannels, contentType: "text/csv") { counter.next() }
        }
        #expect(String(decoding: received, as: UTF8.self) == "{\"bytes\":\(chunkCount * ChunkCounter.chunkSize),\"chunked\":true,\"type\":\"text/csv\"}")
    }

    @Test func earlyRefusalWinsOverAnEndlessUpload() async throws {
        await #expect {
            try await LoopbackHTTPServer.run(serve: { inbound, outbound in
                _ = try await LoopbackHTTPServer.readHead(inbound)
                try await LoopbackHTTPServer.respond(
                    outbound, .unauthorized, contentType: "application/problem+json",
                    body: #"{"title":"Unauthorized","status":401,"detail":"this route needs a bearer token"}"#
                )
            }) { port in
                let endless = ChunkCounter(limit: .max)
                return try await client(port: port, token: nil).upload(.importChannels, contentType: "text/csv") { endless.next() }
            }
        } throws: { error in
            guard let error = error as? MusterctlError else { return false }
            return error.code == .failed && error.message == "this route needs a bearer token (HTTP 401 Unauthorized)"
                && error.hint?.contains("MUSTER_TOKEN") == true
        }
    }

    @Test func problemDocumentNamesTheField() async throws {
        await #expect {
            try await LoopbackHTTPServer.run(serve: { inbound, outbound in
                _ = try await LoopbackHTTPServer.readRequest(inbound)
                try await LoopbackHTTPServer.respond(
                    outbound, .badRequest, contentType: "application/problem+json",
                    body: #"{"title":"Bad Request","status":400,"detail":"path is not a channel path","field":"path"}"#
                )
            }) { port in
                try await client(port: port).send(.POST, .channels, json: APIChannelInput(path: "X", kind: "camera", source: "push"))
            }
        } throws: { error in
            (error as? MusterctlError)?.message == "path is not a channel path (field: path; HTTP 400 Bad Request)"
        }
    }

    @Test func responseBodyArrivesAsItIsSent() async throws {
        let chunks = try await LoopbackHTTPServer.run(serve: { inbound, outbound in
            _ = try await LoopbackHTTPServer.readRequest(inbound)
            try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Transfer-Encoding": "chunked"])))
            for line in ["a\n", "b\n", "c\n"] {
                try await outbound.write(.body(.byteBuffer(ByteBuffer(string: line))))
                try await Task.sleep(for: .milliseconds(50))
            }
            try await outbound.write(.end(nil))
        }) { port in
            try await client(port: port).stream(.exportChannels, accept: "application/x-ndjson") { body in
                var chunks: [String] = []
                for try await chunk in body { chunks.append(String(buffer: chunk)) }
                return chunks
            }
        }
        #expect(chunks == ["a\n", "b\n", "c\n"])
    }

    @Test func silentServerTimesOut() async throws {
        await #expect {
            try await LoopbackHTTPServer.run(serve: { inbound, _ in
                for try await _ in inbound {}
            }) { port in
                let http = try client(port: port).http
                try await http.execute(HTTPClientRequest(.GET, "/api/v1/health"), idleTimeout: .milliseconds(300)) { _ in }
            }
        } throws: { error in
            guard let error = error as? MusterctlError else { return false }
            return error.code == .unreachable && error.message.contains("sent nothing")
        }
    }

    @Test func closedPortIsUnreachable() async throws {
        try await ClosedLoopbackPort.with { port in
            await #expect {
                _ = try await client(port: port).get(.health)
            } throws: { error in
                guard let error = error as? MusterctlError else { return false }
                return error.code == .unreachable && error.message.contains("Connection refused") && error.hint?.contains("--server") == true
            }
        }
    }

    @Test func failingBodySourceIsTheReportedError() async throws {
        await #expect {
            try await LoopbackHTTPServer.run(serve: { inbound, _ in
                for try await _ in inbound {}
            }) { port in
                let failing = ChunkCounter(limit: 3, failure: MusterctlError.failed("reading cams.csv failed: Input/output error"))
                return try await client(port: port).upload(.importChannels, contentType: "text/csv") { try failing.nextOrFail() }
            }
        } throws: { error in
            (error as? MusterctlError)?.message == "reading cams.csv failed: Input/output error"
        }
    }
}

/// Hands out `limit` chunks of `chunkSize` bytes, then nil or `failure`.
private final class ChunkCounter: Sendable {
    static let chunkSize = 64 * 1024

    private let limit: Int
    private let failure: MusterctlError?
    private let handedOut = Mutex(0)

    init(limit: Int, failure: MusterctlError? = nil) {
        self.limit = limit
        self.failure = failure
    }

    func next() -> ByteBuffer? {
        let count = handedOut.withLock { count in
            count += 1
            return count
        }
        return count <= limit ? ByteBuffer(repeating: UInt8(ascii: "x"), count: Self.chunkSize) : nil
    }

    func nextOrFail() throws -> ByteBuffer? {
        if let chunk = next() { return chunk }
        if let failure { throw failure }
        return nil
    }
}
