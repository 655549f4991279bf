/// A field unit (schema `Unit`).
struct APIUnit: Decodable, Sendable {
    var id: String
    var name: String
    var kind: String
    var channels: [String]
    /// Whether the last position is fresh; nil from a gateway that predates tracking.
    var online: Bool?
    var lastPosition: APIPosition?
    var createdAt: String
    var updatedAt: String

    enum CodingKeys: String, CodingKey {
        case id, name, kind, channels, online, lastPosition = "last_position", createdAt = "created_at", updatedAt = "updated_at"
    }
}

/// A unit's last known position (schema `Position`).
struct APIPosition: Decodable, Sendable {
    var latitude: Double
    var longitude: Double
    var altitude: Double?
    var speed: Double?
    var heading: Double?
    var accuracy: Double?
    var deviceTime: String
    var receivedAt: String
    var source: String

    enum CodingKeys: String, CodingKey {
        case latitude, longitude, altitude, speed, heading, accuracy, deviceTime = "device_time", receivedAt = "received_at", source
    }
}

/// One page of `GET /api/v1/units` (schema `UnitPage`).
struct APIUnitPage: Decodable, Sendable {
    var units: [APIUnit]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case units, nextCursor = "next_cursor"
    }
}

/// The body of `POST /api/v1/units` (schema `UnitInput`).
struct APIUnitInput: Encodable, Sendable {
    var id: String
    var name: String?
    var kind: String
}
