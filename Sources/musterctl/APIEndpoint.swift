/// A route of the admin API with its query, as an encoded request target relative to the
/// server's base path. The routes are those of /api/v1/openapi.yaml.
struct APIEndpoint: Sendable {
    /// The encoded path, e.g. `/api/v1/channels/hq/gate-1`.
    var path: String
    /// Name and value pairs in order; a nil value leaves the parameter out.
    var query: [(name: String, value: String)] = []

    init(_ path: String) {
        self.path = path
    }

    static let channels = APIEndpoint("/api/v1/channels")
    static let importChannels = APIEndpoint("/api/v1/import/channels")
    static let exportChannels = APIEndpoint("/api/v1/export/channels")
    static let units = APIEndpoint("/api/v1/units")
    static let sessions = APIEndpoint("/api/v1/sessions")
    static let health = APIEndpoint("/api/v1/health")
    static let version = APIEndpoint("/api/v1/version")
    static let stats = APIEndpoint("/api/v1/stats")
    static let events = APIEndpoint("/api/v1/events")
    static let unitsNear = APIEndpoint("/api/v1/units/near")
    static let unitsWithin = APIEndpoint("/api/v1/units/within")
    static let nearby = APIEndpoint("/api/v1/nearby")
    static let profiles = APIEndpoint("/api/v1/profiles")
    static let reloadProfiles = APIEndpoint("/api/v1/profiles/reload")
    static let transcoders = APIEndpoint("/api/v1/transcoders")

    /// `/api/v1/channels/{path}`: the channel path's slashes stay slashes.
    static func channel(_ channelPath: String) -> APIEndpoint {
        APIEndpoint("/api/v1/channels/" + URLPercentEncoding.slashSeparatedPath(channelPath))
    }

    static func unit(_ id: String) -> APIEndpoint {
        APIEndpoint("/api/v1/units/" + URLPercentEncoding.pathSegment(id))
    }

    /// `/api/v1/units/{id}/positions`: the unit's track (GET) or new positions (POST).
    static func unitPositions(_ id: String) -> APIEndpoint {
        APIEndpoint("/api/v1/units/" + URLPercentEncoding.pathSegment(id) + "/positions")
    }

    static func session(_ id: String) -> APIEndpoint {
        APIEndpoint("/api/v1/sessions/" + URLPercentEncoding.pathSegment(id))
    }

    /// This endpoint with `name=value` added when `value` is not nil.
    func adding(_ name: String, _ value: String?) -> APIEndpoint {
        guard let value else { return self }
        var copy = self
        copy.query.append((name, value))
        return copy
    }

    /// The path and the encoded query, e.g. `/api/v1/channels?kind=camera&limit=50`.
    var target: String {
        guard !query.isEmpty else { return path }
        let pairs = query.map { URLPercentEncoding.queryComponent($0.name) + "=" + URLPercentEncoding.queryComponent($0.value) }
        return path + "?" + pairs.joined(separator: "&")
    }
}
