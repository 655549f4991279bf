import Foundation
import MusterCore
import MusterDirectory
import MusterRTSP
import MusterTracker

/// What the running gateway does when the directory changes. The API stores a change first
/// (durably), then tells the runtime, so a crash in between loses nothing: a restart starts
/// every stored channel.
public protocol ChannelRuntime: Sendable {
    /// Starts a pull source (unless on demand); a push channel just waits for its publisher.
    func channelAdded(_ channel: Channel) async
    /// Restarts the source if it changed.
    func channelUpdated(_ channel: Channel, previous: Channel) async
    /// Stops the source and disconnects consumers and publisher.
    func channelRemoved(_ channel: Channel) async
    /// What the channel's pull source is doing, or nil when none runs.
    func sourceHealth(ofChannel path: String) -> SourceHealth?
    /// The latest position a stream's own telemetry (drone KLV) gave, if any.
    func latestPosition(ofChannel path: String) -> UnitPosition?
    /// How often each running source has failed and been reopened.
    var sourceFailureCounts: [String: Int] { get }
    /// Why a pull URL can never be opened here (a protocol the FFmpeg build lacks), or nil.
    func problem(openingSource url: String) -> String?
    /// The transcoding profiles a channel can be served in (`PATH~PROFILE`).
    var profiles: [ProfileSummary] { get }
    /// Reads the profiles directory again; throws a message naming the file, line and field at fault.
    func reloadProfiles() async throws -> [ProfileSummary]
    /// The running transcoders.
    var transcoders: [TranscoderStatus] { get }
}

/// Everything the API reads and changes.
public struct APIServices: Sendable {
    public var store: any DirectoryStore
    public var hubs: StreamHubRegistry
    public var sessions: RTSPSessionRegistry
    public var runtime: any ChannelRuntime
    public var events: GatewayEventBus
    public var metrics: GatewayMetrics
    public var tracker: PositionTracker
    public var rtspAddress: RTSPAdvertisedAddress
    public var startedAt: Date
    public var version: String

    public init(
        store: any DirectoryStore, hubs: StreamHubRegistry, sessions: RTSPSessionRegistry, runtime: any ChannelRuntime,
        events: GatewayEventBus, metrics: GatewayMetrics, tracker: PositionTracker, rtspAddress: RTSPAdvertisedAddress,
        startedAt: Date = Date(), version: String
    ) {
        self.tracker = tracker
        self.rtspAddress = rtspAddress
        self.store = store
        self.hubs = hubs
        self.sessions = sessions
        self.runtime = runtime
        self.events = events
        self.metrics = metrics
        self.startedAt = startedAt
        self.version = version
    }

    /// The live state of a channel for its document.
    func state(of path: String, consumerCounts: [String: Int]) -> ChannelStateDocument {
        ChannelStateDocument(
            status: hubs.hub(at: path)?.status, consumers: consumerCounts[path] ?? 0,
            source: runtime.sourceHealth(ofChannel: path), position: runtime.latestPosition(ofChannel: path)
        )
    }

    /// Refuses a channel whose source cannot be opened by this gateway, naming the field.
    func checkSource(of channel: Channel) throws(APIProblem) {
        guard case .pull(let url) = channel.source, let problem = runtime.problem(openingSource: url) else { return }
        throw APIProblem.badField("source", problem)
    }

    func document(for channel: Channel) -> ChannelDocument {
        ChannelDocument(channel, state: state(of: channel.path.rawValue, consumerCounts: sessions.consumerCounts))
    }

    func audit(_ identity: APIIdentity, _ action: String, _ target: String, _ detail: String = "") async throws {
        try await store.appendAudit(AuditEntry(actor: identity.name, action: action, target: target, detail: detail))
    }
}

/// How consumers reach a channel over RTSP, for the URLs the API hands out.
public struct RTSPAdvertisedAddress: Sendable, Hashable {
    /// The RTSP listener's host; a wildcard address (0.0.0.0, ::) is replaced by the host the
    /// API caller used, which is how that caller reaches this gateway.
    public var listenHost: String
    public var port: Int

    public init(listenHost: String, port: Int) {
        self.listenHost = listenHost
        self.port = port
    }

    func host(requestHost authority: String?) -> String {
        guard ["0.0.0.0", "::", ""].contains(listenHost) else { return listenHost }
        guard let authority, !authority.isEmpty else { return "127.0.0.1" }
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") { return String(authority[...end]) }
        return String(authority.split(separator: ":", maxSplits: 1).first ?? "127.0.0.1")
    }

    func url(path: String, host: String) -> String {
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "rtsp://\(bracketed):\(port)/\(path)"
    }
}

/// What a channel's pull source is doing, for its live state.
public struct SourceHealth: Sendable, Hashable {
    public enum State: String, Sendable {
        case starting, online, retrying, stopped
    }

    public var state: State
    public var lastError: String?
    /// When the next attempt starts, while retrying.
    public var nextAttemptAt: Date?
    public var reconnects: Int
    public var packets: UInt64
    public var bytes: UInt64
    public var lastPacketAt: Date?
    public var codecs: [String]

    public init(
        state: State, lastError: String?, nextAttemptAt: Date?, reconnects: Int, packets: UInt64, bytes: UInt64, lastPacketAt: Date?,
        codecs: [String]
    ) {
        self.state = state
        self.lastError = lastError
        self.nextAttemptAt = nextAttemptAt
        self.reconnects = reconnects
        self.packets = packets
        self.bytes = bytes
        self.lastPacketAt = lastPacketAt
        self.codecs = codecs
    }
}

/// A transcoding profile as the API lists it.
public struct ProfileSummary: Sendable, Hashable, Encodable {
    public var name: String
    public var description: String?
    /// "passthrough", or codec, size box, frame rate and bitrate such as "h264 426x240 10fps 200kbit/s".
    public var video: String
    /// "passthrough", "drop", or "aac 24kbit/s mono".
    public var audio: String

    public init(name: String, description: String?, video: String, audio: String) {
        self.name = name
        self.description = description
        self.video = video
        self.audio = audio
    }
}

/// What one running transcoder (a channel in a profile) or mosaic compositor is doing.
public struct TranscoderStatus: Sendable, Hashable {
    /// The stream it makes: `hq/gate-1~sd-480p`, or the mosaic channel's path.
    public var path: String
    /// The channel it reads; for a mosaic, the channels on its tiles now.
    public var inputs: [String]
    public var isMosaic: Bool
    public var profile: String
    public var width: Int?
    public var height: Int?
    public var framesDecoded: Int
    public var framesEncoded: Int
    public var decodeErrors: Int
    public var droppedUnits: Int
    public var sourceRestarts: Int
    public var cpuSeconds: Double

    public init(
        path: String, inputs: [String], isMosaic: Bool, profile: String, width: Int?, height: Int?, framesDecoded: Int,
        framesEncoded: Int, decodeErrors: Int, droppedUnits: Int, sourceRestarts: Int, cpuSeconds: Double
    ) {
        self.path = path
        self.inputs = inputs
        self.isMosaic = isMosaic
        self.profile = profile
        self.width = width
        self.height = height
        self.framesDecoded = framesDecoded
        self.framesEncoded = framesEncoded
        self.decodeErrors = decodeErrors
        self.droppedUnits = droppedUnits
        self.sourceRestarts = sourceRestarts
        self.cpuSeconds = cpuSeconds
    }
}
