/// A consumer or publisher session (schema `Session`).
struct APISession: Decodable, Sendable {
    var id: String
    var channel: String
    var role: String
    var `protocol`: String
    var transport: String
    var remoteAddress: String
    /// Sent to a consumer, received from a publisher.
    var bytes: Int
    var startedAt: String
    var user: String?

    enum CodingKeys: String, CodingKey {
        case id, channel, role, `protocol`, transport, remoteAddress = "remote_address", bytes, startedAt = "started_at", user
    }
}

/// The answer of `GET /api/v1/sessions`.
struct APISessionList: Decodable, Sendable {
    var sessions: [APISession]
}
