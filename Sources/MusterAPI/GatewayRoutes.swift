import Foundation
import Hummingbird
import ServiceLifecycle
import MusterCore

/// Health, version, stats, the OpenAPI document, server-sent events and /metrics.
struct GatewayRoutes {
    /// A comment line every so often keeps idle proxies from closing the event stream.
    static let eventKeepAlive: Duration = .seconds(15)

    let services: APIServices

    func register(on routes: APIRouteTable) {
        routes.add(.get, "/api/v1/health") { _, _ in try JSONResponse.ok(["status": "ok"]) }
        routes.add(.get, "/api/v1/version") { _, context in
            try context.require(.viewer)
            return try JSONResponse.ok(["version": services.version])
        }
        routes.add(.get, "/api/v1/stats") { _, context in
            try context.require(.viewer)
            return try JSONResponse.ok(try await stats())
        }
        routes.add(.get, "/api/v1/openapi.yaml") { _, context in
            try context.require(.viewer)
            return Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
        routes.add(.get, "/metrics") { _, context in
            try context.require(.viewer)
            let text = services.metrics.exposition(
                hubs: services.hubs, sessions: services.sessions, sourceFailures: services.runtime.sourceFailureCounts,
                channelCount: try await services.store.channelCount(), positions: services.tracker.tally.snapshot,
                onlineUnits: services.tracker.onlineUnitCount, transcoders: services.runtime.transcoders
            )
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        routes.add(.get, "/api/v1/events") { _, context in
            try context.require(.viewer)
            return eventStream()
        }
    }

    private func stats() async throws -> StatsDocument {
        let sessions = services.sessions.sessions
        return StatsDocument(
            version: services.version,
            uptimeSeconds: (Date().timeIntervalSince(services.startedAt) * 10).rounded() / 10,
            channels: try await services.store.channelCount(),
            onlineChannels: services.hubs.onlineHubs.count,
            sessions: sessions.count,
            consumers: sessions.filter { $0.role == .consumer }.count,
            publishers: sessions.filter { $0.role == .publisher }.count
        )
    }

    /// One `event:`/`data:` block per gateway event, until the client goes away.
    private func eventStream() -> Response {
        let events = services.events.subscribe()
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: ": muster events\n\n"))
            let (lines, continuation) = AsyncStream.makeStream(of: String.self)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await event in events { continuation.yield(Self.serverSentEvent(event)) }
                    continuation.finish()
                }
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: Self.eventKeepAlive)
                        continuation.yield(": keep-alive\n\n")
                    }
                }
                // Ends when the gateway shuts down, so that a watching client never holds it up.
                try await withGracefulShutdownHandler {
                    for await line in lines {
                        try await writer.write(ByteBuffer(string: line))
                    }
                } onGracefulShutdown: {
                    continuation.finish()
                }
                group.cancelAll()
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: body
        )
    }

    static func serverSentEvent(_ event: GatewayEvent) -> String {
        var object: [String: Any] = event.fields
        for (key, value) in event.values { object[key] = value }
        object["type"] = event.kind.rawValue
        if !event.channel.isEmpty { object["channel"] = event.channel }
        object["at"] = ISO8601DateFormatter().string(from: event.at)
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return "event: \(event.kind.rawValue)\ndata: \(String(decoding: data, as: UTF8.self))\n\n"
    }
}

struct StatsDocument: Encodable {
    var version: String
    var uptimeSeconds: Double
    var channels: Int
    var onlineChannels: Int
    var sessions: Int
    var consumers: Int
    var publishers: Int

    enum CodingKeys: String, CodingKey {
        case version, uptimeSeconds = "uptime_seconds", channels, onlineChannels = "online_channels", sessions, consumers, publishers
    }
}
