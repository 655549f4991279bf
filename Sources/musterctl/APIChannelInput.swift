/// The body of `POST /api/v1/channels` (schema `ChannelInput`): absent optional fields are left
/// out, so the gateway applies its defaults (the name defaults to the path).
struct APIChannelInput: Encodable, Sendable {
    var path: String
    var kind: String
    var source: String
    var name: String?
    var zone: String?
    var unitID: String?
    var latitude: Double?
    var longitude: Double?
    var tags: [String]?
    var onDemand: Bool?

    enum CodingKeys: String, CodingKey {
        case path, kind, source, name, zone, unitID = "unit_id", latitude, longitude, tags, onDemand = "on_demand"
    }
}
