import Synchronization

/// Every live stream of the gateway, by channel path.
public final class StreamHubRegistry: Sendable {
    private let hubs = Mutex<[String: StreamHub]>([:])

    public init() {}

    public func hub(at path: String) -> StreamHub? {
        hubs.withLock { $0[path] }
    }

    /// The hub at `path`, created if needed.
    public func hubCreatingIfNeeded(at path: String) -> StreamHub {
        hubs.withLock { hubs in
            if let hub = hubs[path] { return hub }
            let hub = StreamHub(path: path)
            hubs[path] = hub
            return hub
        }
    }

    public var paths: [String] { hubs.withLock { $0.keys.sorted() } }
}
