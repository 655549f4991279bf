import Logging
import MusterCore

/// What every connection of one server shares.
struct RTSPServerContext: Sendable {
    var configuration: RTSPServerConfiguration
    var hubs: StreamHubRegistry
    var fanouts: RTPFanoutRegistry
    var udp: RTSPUDPTransport?
    var connections: RTSPConnectionSet
    var sessions: RTSPSessionRegistry
    var logger: Logger
    /// Whether a client may publish to a path; asked once per ANNOUNCE, off the event loop.
    var publishPolicy: RTSPPublishPolicy
}

/// Decides whether a client may publish to a path (the directory knows which paths are fed by a
/// pull source, and registers new push channels).
public typealias RTSPPublishPolicy = @Sendable (_ path: String) async -> RTSPPublishDecision

public enum RTSPPublishDecision: Sendable, Hashable {
    case allow
    /// Answered with 403 and this reason.
    case refuse(reason: String)
}
