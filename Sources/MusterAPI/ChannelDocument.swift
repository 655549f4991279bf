import Foundation
import MusterCore
import MusterDirectory

/// A channel as the API shows it: stored fields (source credentials redacted) plus live state.
struct ChannelDocument: Encodable, Sendable {
    var path: String
    var name: String
    var kind: ChannelKind
    var source: String
    var zone: String?
    var unitID: String?
    var latitude: Double?
    var longitude: Double?
    var tags: [String]
    var onDemand: Bool
    var createdAt: Date
    var updatedAt: Date
    var state: ChannelStateDocument?

    enum CodingKeys: String, CodingKey {
        case path, name, kind, source, zone, unitID = "unit_id", latitude, longitude, tags
        case onDemand = "on_demand", createdAt = "created_at", updatedAt = "updated_at", state
    }

    init(_ channel: Channel, state: ChannelStateDocument?) {
        path = channel.path.rawValue
        name = channel.name
        kind = channel.kind
        source = channel.source.redacted
        zone = channel.zone
        unitID = channel.unitID
        latitude = channel.latitude
        longitude = channel.longitude
        tags = channel.tags
        onDemand = channel.onDemand
        createdAt = channel.createdAt
        updatedAt = channel.updatedAt
        self.state = state
    }

    /// Optional fields are written as null rather than left out, so every document has every key.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(name, forKey: .name)
        try container.encode(kind, forKey: .kind)
        try container.encode(source, forKey: .source)
        try container.encode(zone, forKey: .zone)
        try container.encode(unitID, forKey: .unitID)
        try container.encode(latitude, forKey: .latitude)
        try container.encode(longitude, forKey: .longitude)
        try container.encode(tags, forKey: .tags)
        try container.encode(onDemand, forKey: .onDemand)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encodeIfPresent(state, forKey: .state)
    }
}

/// The live side of a channel, joined from the running gateway.
struct ChannelStateDocument: Encodable, Sendable {
    var online: Bool
    var codecs: [String]
    var width: Int?
    var height: Int?
    var bitrateBPS: Int
    var fps: Double
    var consumers: Int
    var lastError: String?
    var source: SourceHealthDocument?
    var position: PositionDocument?

    enum CodingKeys: String, CodingKey {
        case online, codecs, width, height, bitrateBPS = "bitrate_bps", fps, consumers, lastError = "last_error", source, position
    }

    init(status: StreamHubStatus?, consumers: Int, source: SourceHealth?, position: UnitPosition?) {
        online = status?.isOnline ?? false
        codecs = status?.tracks?.map(\.codec.rawValue) ?? []
        width = status?.width
        height = status?.height
        bitrateBPS = status?.bitsPerSecond ?? 0
        fps = ((status?.framesPerSecond ?? 0) * 10).rounded() / 10
        self.consumers = consumers
        lastError = source?.lastError
        self.source = source.map(SourceHealthDocument.init)
        self.position = position.map(PositionDocument.init)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(online, forKey: .online)
        try container.encode(codecs, forKey: .codecs)
        try container.encode(width, forKey: .width)
        try container.encode(height, forKey: .height)
        try container.encode(bitrateBPS, forKey: .bitrateBPS)
        try container.encode(fps, forKey: .fps)
        try container.encode(consumers, forKey: .consumers)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(source, forKey: .source)
        try container.encode(position, forKey: .position)
    }
}

/// A pull source's state and counters (null for push channels and on-demand ones not running).
struct SourceHealthDocument: Encodable, Sendable {
    var state: String
    var lastError: String?
    var nextAttemptAt: Date?
    var reconnects: Int
    var packets: UInt64
    var bytes: UInt64
    var lastPacketAt: Date?
    var codecs: [String]

    enum CodingKeys: String, CodingKey {
        case state, lastError = "last_error", nextAttemptAt = "next_attempt_at", reconnects, packets, bytes
        case lastPacketAt = "last_packet_at", codecs
    }

    init(_ health: SourceHealth) {
        state = health.state.rawValue
        lastError = health.lastError
        nextAttemptAt = health.nextAttemptAt
        reconnects = health.reconnects
        packets = health.packets
        bytes = health.bytes
        lastPacketAt = health.lastPacketAt
        codecs = health.codecs
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(state, forKey: .state)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(nextAttemptAt, forKey: .nextAttemptAt)
        try container.encode(reconnects, forKey: .reconnects)
        try container.encode(packets, forKey: .packets)
        try container.encode(bytes, forKey: .bytes)
        try container.encode(lastPacketAt, forKey: .lastPacketAt)
        try container.encode(codecs, forKey: .codecs)
    }
}

struct ChannelPageDocument: Encodable, Sendable {
    var channels: [ChannelDocument]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case channels, nextCursor = "next_cursor"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(channels, forKey: .channels)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}
