import Synchronization

/// Every live stream of the gateway, by channel path.
public final class StreamHubRegistry: Sendable {
    private let hubs = Mutex<[String: StreamHub]>([:])
    /// Where hubs report going online and offline.
    public let events: GatewayEventBus

    public init(events: GatewayEventBus = GatewayEventBus()) {
        self.events = events
    }

    public func hub(at path: String) -> StreamHub? {
        hubs.withLock { $0[path] }
    }

    /// The hub at `path`, created if needed.
    public func hubCreatingIfNeeded(at path: String) -> StreamHub {
        hubs.withLock { hubs in
            if let hub = hubs[path] { return hub }
            let hub = StreamHub(path: path, events: events)
            hubs[path] = hub
            return hub
        }
    }

    public var paths: [String] { hubs.withLock { $0.keys.sorted() } }

    /// The hubs that have a publisher right now, by path.
    public var onlineHubs: [String: StreamHub] {
        hubs.withLock { $0 }.filter { $0.value.tracks != nil }
    }

    /// Forgets the hub at `path` after ending its publisher's stream (its readers are told it
    /// stopped). The next `hubCreatingIfNeeded` makes a fresh one.
    public func removeHub(at path: String) {
        let hub = hubs.withLock { $0.removeValue(forKey: path) }
        hub?.stopPublisher()
    }
}
