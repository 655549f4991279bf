/// The body of `PATCH /api/v1/channels/{path}` (schema `ChannelUpdate`): a field left alone is
/// absent, a changed one has its value, a cleared one is null.
struct APIChannelUpdate: Encodable, Sendable {
    enum Change<Value: Encodable & Sendable>: Sendable {
        case keep
        case set(Value)
        /// null: only zone, unit_id, latitude and longitude can be cleared.
        case clear
    }

    var name: Change<String> = .keep
    var kind: Change<String> = .keep
    var source: Change<String> = .keep
    var zone: Change<String> = .keep
    var unitID: Change<String> = .keep
    var latitude: Change<Double> = .keep
    var longitude: Change<Double> = .keep
    var tags: Change<[String]> = .keep
    var onDemand: Change<Bool> = .keep

    enum CodingKeys: String, CodingKey {
        case name, kind, source, zone, unitID = "unit_id", latitude, longitude, tags, onDemand = "on_demand"
    }

    /// True when the update would change nothing.
    var isEmpty: Bool {
        func kept<Value>(_ change: Change<Value>) -> Bool {
            if case .keep = change { true } else { false }
        }
        return kept(name) && kept(kind) && kept(source) && kept(zone) && kept(unitID)
            && kept(latitude) && kept(longitude) && kept(tags) && kept(onDemand)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        func encode<Value>(_ change: Change<Value>, _ key: CodingKeys) throws {
            switch change {
            case .keep: break
            case .set(let value): try container.encode(value, forKey: key)
            case .clear: try container.encodeNil(forKey: key)
            }
        }
        try encode(name, .name)
        try encode(kind, .kind)
        try encode(source, .source)
        try encode(zone, .zone)
        try encode(unitID, .unitID)
        try encode(latitude, .latitude)
        try encode(longitude, .longitude)
        try encode(tags, .tags)
        try encode(onDemand, .onDemand)
    }
}
