import Foundation
import MusterCore
import MusterDirectory

/// A channel as the API shows it: stored fields (source credentials redacted) plus live state.
/// Written by `JSONOutput` (see there why); optional fields are written as null rather than left
/// out, so every document has every key.
struct ChannelDocument: JSONWritable, Sendable {
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

    /// The state member is left out when there is no state (exports).
    func write(to json: inout JSONOutput) throws {
        try json.object { json in
            json.field("path", path)
            json.field("name", name)
            json.field("kind", kind.rawValue)
            json.field("source", source)
            json.field("zone", zone)
            json.field("unit_id", unitID)
            json.field("latitude", latitude)
            json.field("longitude", longitude)
            json.field("tags", tags)
            json.field("on_demand", onDemand)
            json.field("created_at", createdAt)
            json.field("updated_at", updatedAt)
            if let state { try json.field("state") { try state.write(to: &$0) } }
        }
    }
}

/// The live side of a channel, joined from the running gateway.
struct ChannelStateDocument: JSONWritable, Sendable {
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

    func write(to json: inout JSONOutput) throws {
        try json.object { json in
            json.field("online", online)
            json.field("codecs", codecs)
            json.field("width", width)
            json.field("height", height)
            json.field("bitrate_bps", bitrateBPS)
            json.field("fps", fps)
            json.field("consumers", consumers)
            json.field("last_error", lastError)
            if let source { json.field("source") { source.write(to: &$0) } } else { json.field("source", nil as String?) }
            // Positions keep their `Encodable` form, shared with the tracking documents.
            try json.field("position", encoding: position)
        }
    }
}

/// A pull source's state and counters (null for push channels and on-demand ones not running).
struct SourceHealthDocument: JSONWritable, Sendable {
    var state: String
    var lastError: String?
    var nextAttemptAt: Date?
    var reconnects: Int
    var packets: UInt64
    var bytes: UInt64
    var lastPacketAt: Date?
    var codecs: [String]

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

    func write(to json: inout JSONOutput) {
        json.object { json in
            json.field("state", state)
            json.field("last_error", lastError)
            json.field("next_attempt_at", nextAttemptAt)
            json.field("reconnects", reconnects)
            json.field("packets", packets)
            json.field("bytes", bytes)
            json.field("last_packet_at", lastPacketAt)
            json.field("codecs", codecs)
        }
    }
}

struct ChannelPageDocument: JSONWritable, Sendable {
    var channels: [ChannelDocument]
    var nextCursor: String?

    func write(to json: inout JSONOutput) throws {
        try json.object { json in
            try json.field("channels") { try $0.array(channels) { try $1.write(to: &$0) } }
            json.field("next_cursor", nextCursor)
        }
    }
}
