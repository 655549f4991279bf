/// The answer of `GET /api/v1/health`.
struct APIHealth: Decodable, Sendable {
    var status: String
}

/// The answer of `GET /api/v1/version`.
struct APIVersion: Decodable, Sendable {
    var version: String
}

/// The answer of `GET /api/v1/stats` (schema `Stats`).
struct APIStats: Decodable, Sendable {
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
