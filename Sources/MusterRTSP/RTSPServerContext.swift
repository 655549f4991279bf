import Logging
import MusterCore

/// What every connection of one server shares.
struct RTSPServerContext: Sendable {
    var configuration: RTSPServerConfiguration
    var hubs: StreamHubRegistry
    var fanouts: RTPFanoutRegistry
    var udp: RTSPUDPTransport?
    /// Nil when multicast is off (configured so, or the listener is not IPv4).
    var multicast: RTSPMulticastRegistry?
    var connections: RTSPConnectionSet
    var sessions: RTSPSessionRegistry
    /// Failed authentications by client address, across connections.
    var authenticationThrottle: RTSPAuthenticationThrottle
    var logger: Logger
    /// Whether a client may publish to a path; asked once per ANNOUNCE, off the event loop.
    var publishPolicy: RTSPPublishPolicy
    /// Asked when a client DESCRIBEs a path with no live stream; off the event loop.
    var streamDemand: RTSPStreamDemand
    /// Told of every authorized DESCRIBE, on the event loop: a stream someone is about to set up
    /// must not be stopped as idle in between.
    var streamInterest: RTSPStreamInterest
}

/// Brings the stream at a path to life if it can (an on-demand source) and returns once it is
/// ready to play, or false when there is none to start or it did not come up in time.
public typealias RTSPStreamDemand = @Sendable (_ path: String) async -> Bool

/// Notes that a client asked for a path; must return at once (it runs on an event loop).
public typealias RTSPStreamInterest = @Sendable (_ path: String) -> Void

/// Decides whether a client may publish to a path (the directory knows which paths are fed by a
/// pull source, and registers new push channels).
public typealias RTSPPublishPolicy = @Sendable (_ path: String) async -> RTSPPublishDecision

public enum RTSPPublishDecision: Sendable, Hashable {
    case allow
    /// Answered with 403 and this reason.
    case refuse(reason: String)
}
