import Foundation
import Hummingbird
import MusterCore
import MusterDirectory

/// /api/v1/channels: list, create, get, update, delete.
struct ChannelRoutes {
    let services: APIServices

    func register(on routes: APIRouteTable) {
        routes.add(.get, "/api/v1/channels") { request, context in try await list(request, context) }
        routes.add(.post, "/api/v1/channels") { request, context in try await create(request, context) }
        routes.add(.get, "/api/v1/channels/**") { _, context in try await get(context) }
        routes.add(.patch, "/api/v1/channels/**") { request, context in try await update(request, context) }
        routes.add(.delete, "/api/v1/channels/**") { _, context in try await delete(context) }
    }

    private func list(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try context.require(.viewer)
        let query = try ChannelQueryParameters(request.uri.queryParameters, services: services).query
        let page = try await services.store.channels(matching: query)
        let counts = services.sessions.consumerCounts
        let documents = page.channels.map { ChannelDocument($0, state: services.state(of: $0.path.rawValue, consumerCounts: counts)) }
        return try JSONResponse.ok(ChannelPageDocument(channels: documents, nextCursor: page.nextCursor))
    }

    private func create(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.require(.operator)
        let channel = try await request.decodeJSON(ChannelInput.self).channel()
        try services.checkSource(of: channel)
        let stored = try await services.store.createChannel(channel)
        try await services.audit(identity, "channel.create", stored.path.rawValue, "kind=\(stored.kind.rawValue) source=\(stored.source.redacted)")
        await services.runtime.channelAdded(stored)
        services.events.publish(GatewayEvent(.channelAdded, channel: stored.path.rawValue))
        return try JSONResponse.make(services.document(for: stored), status: .created)
    }

    private func get(_ context: APIRequestContext) async throws -> Response {
        try context.require(.viewer)
        let path = try channelPath(context)
        guard let channel = try await services.store.channel(at: path) else {
            throw APIProblem(DirectoryError.channelNotFound(path: path.rawValue))
        }
        return try JSONResponse.ok(services.document(for: channel))
    }

    private func update(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.require(.operator)
        let path = try channelPath(context)
        let patch = try await request.decodeJSON(ChannelUpdateInput.self).patch
        guard let previous = try await services.store.channel(at: path) else {
            throw APIProblem(DirectoryError.channelNotFound(path: path.rawValue))
        }
        try services.checkSource(of: patch.applied(to: previous))
        let stored = try await services.store.updateChannel(at: path, with: patch)
        try await services.audit(identity, "channel.update", path.rawValue)
        await services.runtime.channelUpdated(stored, previous: previous)
        return try JSONResponse.ok(services.document(for: stored))
    }

    private func delete(_ context: APIRequestContext) async throws -> Response {
        let identity = try context.require(.operator)
        let path = try channelPath(context)
        let removed = try await services.store.deleteChannel(at: path)
        try await services.audit(identity, "channel.delete", path.rawValue)
        await services.runtime.channelRemoved(removed)
        services.events.publish(GatewayEvent(.channelRemoved, channel: path.rawValue))
        return Response(status: .noContent)
    }

    private func channelPath(_ context: APIRequestContext) throws(APIProblem) -> ChannelPath {
        let text = context.parameters.getCatchAll().joined(separator: "/")
        do {
            return try ChannelPath(validating: text)
        } catch {
            throw APIProblem.badField("path", "is not a channel path: \(error.problem)")
        }
    }
}

/// The list filters from a query string, shared by the list and the export.
struct ChannelQueryParameters {
    var query = ChannelQuery()

    init(_ parameters: Parameters, services: APIServices) throws(APIProblem) {
        if let kind = parameters.get("kind") {
            guard let value = ChannelKind(rawValue: kind) else {
                throw APIProblem.badField("kind", "must be one of \(ChannelKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query.kind = value
        }
        query.zone = parameters.get("zone")
        query.tag = parameters.get("tag")
        query.pathPrefix = parameters.get("prefix")
        query.nameContains = parameters.get("q").flatMap { $0.isEmpty ? nil : $0 }
        if let state = parameters.get("state") {
            let online = Set(services.hubs.onlineHubs.keys)
            switch state {
            case "online": query.onlyPaths = online
            case "offline": query.excludedPaths = online
            default: throw APIProblem.badField("state", "must be online or offline")
            }
        }
        if let sort = parameters.get("sort") {
            let descending = sort.hasPrefix("-")
            guard let key = ChannelQuery.SortKey(rawValue: descending ? String(sort.dropFirst()) : sort) else {
                throw APIProblem.badField("sort", "must be path, name, created_at or updated_at, optionally after '-'")
            }
            query.sort = key
            query.descending = descending
        }
        query.cursor = parameters.get("cursor")
        query.limit = try parameters.pageLimit(default: query.limit)
    }
}

extension Parameters {
    /// The `limit` query parameter: 1 to `ChannelQuery.maximumLimit`, `default` when absent.
    func pageLimit(default defaultLimit: Int) throws(APIProblem) -> Int {
        guard let text = get("limit") else { return defaultLimit }
        guard let value = Int(text), (1...ChannelQuery.maximumLimit).contains(value) else {
            throw APIProblem.badField("limit", "must be an integer from 1 to \(ChannelQuery.maximumLimit)")
        }
        return value
    }
}

enum JSONResponse {
    static func ok(_ value: some Encodable) throws -> Response {
        try make(value, status: .ok)
    }

    static func make(_ value: some Encodable, status: HTTPResponse.Status, contentType: String = "application/json") throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func ok(_ document: some JSONWritable) throws -> Response {
        try make(document, status: .ok)
    }

    static func make(_ document: some JSONWritable, status: HTTPResponse.Status) throws -> Response {
        var json = JSONOutput()
        try document.write(to: &json)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: json.buffer))
    }
}
