import Foundation
import Hummingbird
import MusterDirectory

/// /api/v1/units: field units and the channels tied to them.
struct UnitRoutes {
    let services: APIServices

    func register(on routes: APIRouteTable) {
        routes.add(.get, "/api/v1/units") { request, context in try await list(request, context) }
        routes.add(.post, "/api/v1/units") { request, context in try await create(request, context) }
        routes.add(.get, "/api/v1/units/:id") { _, context in try await get(context) }
        routes.add(.patch, "/api/v1/units/:id") { request, context in try await update(request, context) }
        routes.add(.delete, "/api/v1/units/:id") { _, context in try await delete(context) }
    }

    private func list(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try context.require(.viewer)
        let limit = try request.uri.queryParameters.pageLimit(default: 100)
        let after = request.uri.queryParameters.get("cursor")
        // One more than asked tells whether another page follows.
        let units = try await services.store.units(afterID: after, limit: limit + 1)
        var documents: [UnitDocument] = []
        for unit in units.prefix(limit) { documents.append(try await document(for: unit)) }
        return try JSONResponse.ok(UnitPageDocument(units: documents, nextCursor: units.count > limit ? documents.last?.id : nil))
    }

    private func create(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.require(.operator)
        let input = try await request.decodeJSON(UnitInput.self)
        try FieldUnit.validate(id: input.id)
        guard let kind = UnitKind(rawValue: input.kind) else {
            throw APIProblem.badField("kind", "must be one of \(UnitKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let stored = try await services.store.createUnit(FieldUnit(id: input.id, name: input.name ?? input.id, kind: kind))
        services.tracker.unitRegistered(stored)
        try await services.audit(identity, "unit.create", stored.id)
        return try JSONResponse.make(try await document(for: stored), status: .created)
    }

    private func get(_ context: APIRequestContext) async throws -> Response {
        try context.require(.viewer)
        let id = try context.parameters.require("id")
        guard let unit = try await services.store.unit(id: id) else { throw APIProblem(DirectoryError.unitNotFound(id: id)) }
        return try JSONResponse.ok(try await document(for: unit))
    }

    private func update(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.require(.operator)
        let id = try context.parameters.require("id")
        let input = try await request.decodeJSON(UnitUpdateInput.self)
        var patch = UnitPatch(name: input.name)
        if let kind = input.kind {
            guard let value = UnitKind(rawValue: kind) else {
                throw APIProblem.badField("kind", "must be one of \(UnitKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            patch.kind = value
        }
        let stored = try await services.store.updateUnit(id: id, with: patch)
        services.tracker.unitRegistered(stored)
        try await services.audit(identity, "unit.update", id)
        return try JSONResponse.ok(try await document(for: stored))
    }

    private func delete(_ context: APIRequestContext) async throws -> Response {
        let identity = try context.require(.operator)
        let id = try context.parameters.require("id")
        try await services.store.deleteUnit(id: id)
        services.tracker.unitRemoved(id: id)
        try await services.audit(identity, "unit.delete", id)
        return Response(status: .noContent)
    }

    private func document(for unit: FieldUnit) async throws -> UnitDocument {
        // The tracker's position is at least as new as the stored one read a moment ago.
        var unit = unit
        unit.lastPosition = services.tracker.unit(id: unit.id)?.position ?? unit.lastPosition
        return UnitDocument(
            unit, online: services.tracker.isFresh(unit.lastPosition),
            channels: try await services.store.channelPaths(ofUnit: unit.id).map(\.rawValue)
        )
    }
}

struct UnitInput: Decodable {
    var id: String
    var name: String?
    var kind: String
}

struct UnitUpdateInput: Decodable {
    var name: String?
    var kind: String?
}

struct UnitDocument: Encodable {
    var id: String
    var name: String
    var kind: String
    var channels: [String]
    var online: Bool
    var lastPosition: PositionDocument?
    var createdAt: Date
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, kind, channels, online, lastPosition = "last_position", createdAt = "created_at", updatedAt = "updated_at"
    }

    init(_ unit: FieldUnit, online: Bool, channels: [String]) {
        self.online = online
        id = unit.id
        name = unit.name
        kind = unit.kind.rawValue
        self.channels = channels
        lastPosition = unit.lastPosition.map(PositionDocument.init)
        createdAt = unit.createdAt
        updatedAt = unit.updatedAt
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(kind, forKey: .kind)
        try container.encode(channels, forKey: .channels)
        try container.encode(online, forKey: .online)
        try container.encode(lastPosition, forKey: .lastPosition)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

struct PositionDocument: Encodable {
    var latitude: Double
    var longitude: Double
    var altitude: Double?
    var speed: Double?
    var heading: Double?
    var accuracy: Double?
    var deviceTime: Date
    var receivedAt: Date
    var source: String

    enum CodingKeys: String, CodingKey {
        case latitude, longitude, altitude, speed, heading, accuracy, deviceTime = "device_time", receivedAt = "received_at", source
    }

    init(_ position: UnitPosition) {
        latitude = position.latitude
        longitude = position.longitude
        altitude = position.altitude
        speed = position.speed
        heading = position.heading
        accuracy = position.accuracy
        deviceTime = position.deviceTime
        receivedAt = position.receivedAt
        source = position.source
    }
}

struct UnitPageDocument: Encodable {
    var units: [UnitDocument]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case units, nextCursor = "next_cursor"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(units, forKey: .units)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}
