import Logging
import MusterCore

/// What every connection of one server shares.
struct RTSPServerContext: Sendable {
    var configuration: RTSPServerConfiguration
    var hubs: StreamHubRegistry
    var fanouts: RTPFanoutRegistry
    var udp: RTSPUDPTransport?
    var connections: RTSPConnectionSet
    var logger: Logger
    /// Whether a client may publish to a path (false for paths fed by a configured source).
    var mayPublish: @Sendable (String) -> Bool
}
