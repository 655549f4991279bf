/// A channel as the gateway describes it (schema `Channel` of the OpenAPI document). Times stay
/// text: they are only shown, never computed with.
struct APIChannel: Decodable, Sendable {
    var path: String
    var name: String
    var kind: String
    /// 'push' or the URL with any credentials shown as ***.
    var source: String
    var zone: String?
    var unitID: String?
    var latitude: Double?
    var longitude: Double?
    var tags: [String]
    var onDemand: Bool
    var createdAt: String
    var updatedAt: String
    var state: APIChannelState?

    enum CodingKeys: String, CodingKey {
        case path, name, kind, source, zone, unitID = "unit_id", latitude, longitude, tags
        case onDemand = "on_demand", createdAt = "created_at", updatedAt = "updated_at", state
    }
}

/// The live side of a channel (schema `ChannelState`).
struct APIChannelState: Decodable, Sendable {
    var online: Bool
    var codecs: [String]
    var width: Int?
    var height: Int?
    var bitrateBPS: Int
    var fps: Double
    var consumers: Int
    var lastError: String?

    enum CodingKeys: String, CodingKey {
        case online, codecs, width, height, bitrateBPS = "bitrate_bps", fps, consumers, lastError = "last_error"
    }
}

/// One page of `GET /api/v1/channels` (schema `ChannelPage`).
struct APIChannelPage: Decodable, Sendable {
    var channels: [APIChannel]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case channels, nextCursor = "next_cursor"
    }
}
