/// Documents of the tracking routes (/api/v1/units/near, /units/within, /units/{id}/positions,
/// /nearby). Times stay text, as elsewhere, except where an age is computed from them.

/// A unit found by a proximity or box query (schema `TrackedUnit`).
struct APINearUnit: Decodable, Sendable {
    var id: String
    var name: String
    var kind: String
    var online: Bool
    /// Metres from the query's centre; nil for a box query.
    var distance: Double?
    var position: APIPosition?
    var channels: [String]

    enum CodingKeys: String, CodingKey {
        case id, name, kind, online, distance = "distance_m", position, channels
    }
}

/// The answer of `GET /api/v1/units/near` and `/units/within`.
struct APINearUnits: Decodable, Sendable {
    var units: [APINearUnit]
}

/// The answer of `GET /api/v1/units/{id}/positions`: oldest first.
struct APITrack: Decodable, Sendable {
    var unit: String
    var positions: [APIPosition]
}

/// A channel near a point (schema `NearbyChannel`).
struct APINearbyChannel: Decodable, Sendable {
    var path: String
    var name: String
    var kind: String
    var distance: Double
    var latitude: Double
    var longitude: Double
    /// `fixed` (its registered location) or `unit` (its unit's last position).
    var locatedBy: String
    var unit: String?
    var unitOnline: Bool?
    var online: Bool
    var rtspURL: String

    enum CodingKeys: String, CodingKey {
        case path, name, kind, distance = "distance_m", latitude, longitude, locatedBy = "located_by", unit
        case unitOnline = "unit_online", online, rtspURL = "rtsp_url"
    }
}

/// The answer of `GET /api/v1/nearby`: nearest first.
struct APINearby: Decodable, Sendable {
    var channels: [APINearbyChannel]
}

/// The body of `POST /api/v1/units/{id}/positions` for one position (schema `PositionInput`).
/// Options not given are left out, so that the gateway records them as unknown.
struct APIPositionInput: Encodable, Sendable {
    /// `device_time` as the gateway takes it: Unix seconds or ISO 8601 text.
    enum DeviceTime: Encodable, Sendable, Equatable {
        case unixSeconds(Double)
        case iso8601(String)

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .unixSeconds(let seconds): try container.encode(seconds)
            case .iso8601(let text): try container.encode(text)
            }
        }
    }

    var latitude: Double
    var longitude: Double
    var altitude: Double?
    var speed: Double?
    var heading: Double?
    var accuracy: Double?
    var deviceTime: DeviceTime?

    enum CodingKeys: String, CodingKey {
        case latitude, longitude, altitude, speed, heading, accuracy, deviceTime = "device_time"
    }
}

/// The answer of `POST /api/v1/units/{id}/positions`.
struct APIPositionBatchResult: Decodable, Sendable {
    struct Rejected: Decodable, Sendable {
        var index: Int
        var reason: String
        var detail: String
    }

    var accepted: Int
    var rejected: [Rejected]
}
