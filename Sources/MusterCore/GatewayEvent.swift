import Foundation
import Synchronization

/// Something an operator watching the gateway wants to know at once.
public struct GatewayEvent: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        case channelAdded = "channel.added"
        case channelRemoved = "channel.removed"
        case channelOnline = "channel.online"
        case channelOffline = "channel.offline"
        case sessionStarted = "session.started"
        case sessionStopped = "session.stopped"
        case unitPosition = "unit.position"
        case unitOnline = "unit.online"
        case unitOffline = "unit.offline"
    }

    public var kind: Kind
    public var at: Date
    /// The channel path the event is about; empty for unit events.
    public var channel: String
    /// Further facts (session id, role, transport, remote address, unit id), never credentials.
    public var fields: [String: String]
    /// Numeric facts (a position's coordinates, speed, heading).
    public var values: [String: Double]

    public init(_ kind: Kind, channel: String, fields: [String: String] = [:], values: [String: Double] = [:], at: Date = Date()) {
        self.kind = kind
        self.channel = channel
        self.fields = fields
        self.values = values
        self.at = at
    }
}

/// Hands every event to every current subscriber. Publishing never blocks (it may be called
/// under a hub's lock); a subscriber that falls more than `bufferSize` events behind loses the
/// oldest ones rather than slowing the gateway.
public final class GatewayEventBus: Sendable {
    public static let bufferSize = 1024

    private struct Subscriber {
        var kinds: Set<GatewayEvent.Kind>
        var continuation: AsyncStream<GatewayEvent>.Continuation
    }

    private let subscribers = Mutex<[UInt64: Subscriber]>([:])
    private let nextID = Atomic<UInt64>(0)

    public init() {}

    public func publish(_ event: GatewayEvent) {
        let current = subscribers.withLock { $0.values.filter { $0.kinds.contains(event.kind) }.map(\.continuation) }
        for continuation in current { continuation.yield(event) }
    }

    /// A stream of the events of the given kinds (all by default) published from now on; it
    /// ends when the consumer stops iterating.
    public func subscribe(to kinds: Set<GatewayEvent.Kind> = Set(GatewayEvent.Kind.allCases)) -> AsyncStream<GatewayEvent> {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream.makeStream(of: GatewayEvent.self, bufferingPolicy: .bufferingNewest(Self.bufferSize))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        subscribers.withLock { $0[id] = Subscriber(kinds: kinds, continuation: continuation) }
        return stream
    }

    public var subscriberCount: Int { subscribers.withLock { $0.count } }

    /// Whether anyone listens for `kind`: events that are dear to build are skipped otherwise.
    public func hasSubscribers(for kind: GatewayEvent.Kind) -> Bool {
        subscribers.withLock { $0.values.contains { $0.kinds.contains(kind) } }
    }
}
