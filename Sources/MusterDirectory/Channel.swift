import Foundation
import MusterCore

/// What a channel shows: the kind of device or composition behind it.
public enum ChannelKind: String, Codable, Sendable, CaseIterable {
    case camera
    case drone
    case bodyWorn = "body-worn"
    case phone
    case vehicle
    case mosaic
    case derived
}

/// Where a channel's media comes from: a URL the gateway pulls, a field unit that pushes, or
/// other channels composed into a mosaic.
public enum ChannelSource: Sendable, Hashable {
    /// A field unit publishes to the channel's path (RTSP ANNOUNCE/RECORD and friends).
    case push
    /// The gateway opens this URL through libavformat. It may hold credentials: never print it,
    /// show `redacted` instead.
    case pull(String)
    /// The gateway composes other channels (see `MosaicSource`).
    case mosaic(MosaicSource)
    /// Another channel in a transcoding profile (path `CHANNEL~PROFILE`), registered by the
    /// gateway when it is first played.
    case derived

    /// The stored text form: `push`, the URL, or the mosaic line (`mosaic:2x2?…`).
    public var storedValue: String {
        switch self {
        case .push: "push"
        case .derived: "derived"
        case .pull(let url): url
        case .mosaic(let mosaic): mosaic.storedValue
        }
    }

    public init(storedValue: String) {
        if storedValue == "push" {
            self = .push
        } else if storedValue == "derived" {
            self = .derived
        } else if storedValue.hasPrefix(MosaicSource.scheme), let mosaic = try? MosaicSource(parsing: storedValue) {
            self = .mosaic(mosaic)
        } else {
            self = .pull(storedValue)
        }
    }

    public var isMosaic: Bool {
        if case .mosaic = self { true } else { false }
    }

    /// The form safe to show people and other programs: userinfo in a URL replaced by `***`.
    public var redacted: String {
        switch self {
        case .push: return "push"
        case .derived: return "derived"
        case .mosaic(let mosaic): return mosaic.storedValue
        case .pull(let url):
            guard let schemeEnd = url.range(of: "://") else { return url }
            let rest = url[schemeEnd.upperBound...]
            let authorityEnd = rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex
            guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
            return String(url[..<schemeEnd.upperBound]) + "***@" + String(rest[rest.index(after: at)...])
        }
    }
}

/// A channel of the directory: one stream the gateway serves at `path`.
public struct Channel: Sendable, Hashable {
    public var path: ChannelPath
    /// Any Unicode text (channel names are often Chinese).
    public var name: String
    public var kind: ChannelKind
    public var source: ChannelSource
    public var zone: String?
    public var unitID: String?
    /// A fixed position (WGS84 degrees), for cameras that do not move.
    public var latitude: Double?
    public var longitude: Double?
    public var tags: [String]
    /// Pull the source only while someone watches (the ingest issue starts and stops it).
    public var onDemand: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        path: ChannelPath, name: String, kind: ChannelKind, source: ChannelSource,
        zone: String? = nil, unitID: String? = nil, latitude: Double? = nil, longitude: Double? = nil,
        tags: [String] = [], onDemand: Bool = false, createdAt: Date = Date(), updatedAt: Date = Date()
    ) {
        self.path = path
        self.name = name
        self.kind = kind
        self.source = source
        self.zone = zone
        self.unitID = unitID
        self.latitude = latitude
        self.longitude = longitude
        self.tags = tags
        self.onDemand = onDemand
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The fields of an update; nil leaves a field as it is, `.some(nil)` clears an optional one.
public struct ChannelPatch: Sendable, Hashable {
    public var name: String?
    public var kind: ChannelKind?
    public var source: ChannelSource?
    public var zone: String??
    public var unitID: String??
    public var latitude: Double??
    public var longitude: Double??
    public var tags: [String]?
    public var onDemand: Bool?

    public init() {}

    /// The channel with this patch applied (times untouched).
    public func applied(to channel: Channel) -> Channel {
        var channel = channel
        if let name { channel.name = name }
        if let kind { channel.kind = kind }
        if let source { channel.source = source }
        if let zone { channel.zone = zone }
        if let unitID { channel.unitID = unitID }
        if let latitude { channel.latitude = latitude }
        if let longitude { channel.longitude = longitude }
        if let tags { channel.tags = tags }
        if let onDemand { channel.onDemand = onDemand }
        return channel
    }
}
