import MusterCore
import NIOCore
import Synchronization

/// Where one track of a stream is sent by multicast.
struct RTSPMulticastDestination: Sendable, Hashable {
    var group: String
    var rtp: SocketAddress
    var rtcp: SocketAddress
}

/// The multicast side of the server: a group per (stream, track), held while any session has
/// that track set up, and one sender per stream that reads its fan-out while any session plays.
///
/// A later consumer joins a group that is already running, so it starts at the next keyframe:
/// replaying the cached pictures to the group would show them again to everyone else. Only the
/// first consumer of a stream gets the instant start.
final class RTSPMulticastRegistry: Sendable {
    private struct TrackKey: Hashable {
        var path: String
        var trackID: Int
    }

    private struct Reservation {
        var offset: Int
        var holders: Int
    }

    private struct State {
        var reservations: [TrackKey: Reservation] = [:]
        var usedOffsets: Set<Int> = []
        var senders: [String: RTSPMulticastSender] = [:]
    }

    let configuration: RTSPMulticastConfiguration
    /// The RTP port of every group (RTCP on the next), resolved when `configuration.port` is 0.
    let port: Int
    private let udp: RTSPUDPTransport
    private let fanouts: RTPFanoutRegistry
    private let state = Mutex(State())

    init(configuration: RTSPMulticastConfiguration, udp: RTSPUDPTransport, fanouts: RTPFanoutRegistry) {
        self.configuration = configuration
        self.port = configuration.port != 0 ? configuration.port : Int.random(in: 20_000...59_998) & ~1
        self.udp = udp
        self.fanouts = fanouts
    }

    /// Holds the group of a track for one session; the same group for every session of the
    /// track. Nil when every group of the block is taken.
    func reserve(path: String, trackID: Int) -> RTSPMulticastDestination? {
        state.withLock { state in
            let key = TrackKey(path: path, trackID: trackID)
            if var reservation = state.reservations[key] {
                reservation.holders += 1
                state.reservations[key] = reservation
                return destination(offset: reservation.offset)
            }
            // The block's first address is skipped: in a /24 it reads like a network address.
            let candidates = configuration.groups.count > 1 ? 1..<configuration.groups.count : 0..<1
            guard let offset = candidates.first(where: { !state.usedOffsets.contains($0) }) else { return nil }
            state.usedOffsets.insert(offset)
            state.reservations[key] = Reservation(offset: offset, holders: 1)
            return destination(offset: offset)
        }
    }

    /// Gives back what `reserve` held; the last holder frees the group.
    func release(path: String, trackID: Int) {
        state.withLock { state in
            let key = TrackKey(path: path, trackID: trackID)
            guard var reservation = state.reservations[key] else { return }
            reservation.holders -= 1
            if reservation.holders > 0 {
                state.reservations[key] = reservation
            } else {
                state.reservations[key] = nil
                state.usedOffsets.remove(reservation.offset)
            }
        }
    }

    /// Starts sending the tracks to their groups for one playing session of `connection`.
    /// Returns where each track starts, for RTP-Info.
    func play(_ destinations: [Int: RTSPMulticastDestination], of hub: StreamHub, connection: any Channel) -> [RTPStartPoint] {
        state.withLock { state in
            if let sender = state.senders[hub.path], !sender.hasEnded {
                sender.addMember(connection, tracks: destinations)
                return fanouts.fanout(for: hub.path)?.livePoints() ?? []
            }
            let sender = RTSPMulticastSender(udp: udp)
            sender.addMember(connection, tracks: destinations)
            state.senders[hub.path] = sender
            return fanouts.attach(sender, to: hub).1
        }
    }

    /// Stops what `play` started for one session; the stream's sender leaves the fan-out with
    /// its last member.
    func stop(_ trackIDs: [Int], of hub: StreamHub, connection: any Channel) {
        state.withLock { state in
            guard let sender = state.senders[hub.path] else { return }
            if sender.removeMember(connection, tracks: trackIDs) {
                state.senders[hub.path] = nil
                fanouts.detach(sender, from: hub)
            }
        }
    }

    /// Bytes sent to the groups of a stream so far.
    func sentByteCount(path: String) -> Int {
        state.withLock { $0.senders[path]?.sentByteCount ?? 0 }
    }

    private func destination(offset: Int) -> RTSPMulticastDestination {
        let group = configuration.groups.address(at: offset)
        // Both addresses are dotted IPv4 literals made here, so they always parse.
        let rtp = try! SocketAddress(ipAddress: group, port: port)
        let rtcp = try! SocketAddress(ipAddress: group, port: port + 1)
        return RTSPMulticastDestination(group: group, rtp: rtp, rtcp: rtcp)
    }
}

/// Sends one stream's shared packets to the groups of the tracks that someone plays.
final class RTSPMulticastSender: RTPFanoutConsumer {
    private struct Member {
        var connection: any Channel
        var sessions: Int
    }

    private struct State {
        var destinations: [Int: RTSPMulticastDestination] = [:]
        /// Playing sessions per track: a track is sent while it has one.
        var players: [Int: Int] = [:]
        var members: [ObjectIdentifier: Member] = [:]
        /// The fan-out let go of this sender (its publisher's tracks changed).
        var hasEnded = false
    }

    private let udp: RTSPUDPTransport
    private let state = Mutex(State())
    private let bytesSent = Atomic<Int>(0)

    init(udp: RTSPUDPTransport) {
        self.udp = udp
    }

    var sentByteCount: Int { bytesSent.load(ordering: .relaxed) }
    var hasEnded: Bool { state.withLock { $0.hasEnded } }

    var writeLoop: (any EventLoop)? { nil }

    func addMember(_ connection: any Channel, tracks: [Int: RTSPMulticastDestination]) {
        state.withLock { state in
            for (trackID, destination) in tracks {
                state.destinations[trackID] = destination
                state.players[trackID, default: 0] += 1
            }
            state.members[ObjectIdentifier(connection), default: Member(connection: connection, sessions: 0)].sessions += 1
        }
    }

    /// Returns true when no member is left.
    func removeMember(_ connection: any Channel, tracks: [Int]) -> Bool {
        state.withLock { state in
            let key = ObjectIdentifier(connection)
            // A connection this sender let go of in `fanoutDidEnd` holds nothing here any more.
            guard let member = state.members[key] else { return state.members.isEmpty }
            state.members[key] = member.sessions > 1 ? Member(connection: connection, sessions: member.sessions - 1) : nil
            for trackID in tracks {
                let remaining = (state.players[trackID] ?? 1) - 1
                state.players[trackID] = remaining > 0 ? remaining : nil
            }
            return state.members.isEmpty
        }
    }

    func accept(_ unit: RTPFanoutUnit) -> Bool {
        let destination = state.withLock { state in
            state.players[unit.trackID] != nil ? state.destinations[unit.trackID] : nil
        }
        guard let destination else { return false }
        if !unit.packets.isEmpty { udp.send(unit.packets, to: destination.rtp) }
        if let report = unit.senderReport { udp.send([report], to: destination.rtcp, isRTCP: true) }
        let bytes = unit.packets.reduce(0) { $0 + $1.readableBytes } + (unit.senderReport?.readableBytes ?? 0)
        bytesSent.add(bytes, ordering: .relaxed)
        return false
    }

    func write(_ units: [RTPFanoutUnit]) {}

    /// The publisher's tracks changed: every member's connection closes, as unicast ones do.
    func fanoutDidEnd() {
        let connections = state.withLock { state in
            let connections = state.members.values.map(\.connection)
            state.members.removeAll()
            state.players.removeAll()
            state.hasEnded = true
            return connections
        }
        for connection in connections { connection.close(promise: nil) }
    }
}
