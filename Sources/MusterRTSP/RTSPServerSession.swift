import MusterCore
import MusterRTP
import NIOCore
import Synchronization

/// The last time anything (a request, an RTCP packet) showed that a session's peer is alive.
final class RTSPSessionActivity: Sendable {
    private let lastNanoseconds = Atomic<Int64>(NIODeadline.now().uptimeNanoseconds.clampedToInt64)

    func touch() {
        lastNanoseconds.store(NIODeadline.now().uptimeNanoseconds.clampedToInt64, ordering: .relaxed)
    }

    func isIdle(longerThan timeout: Duration) -> Bool {
        let idle = NIODeadline.now().uptimeNanoseconds.clampedToInt64 - lastNanoseconds.load(ordering: .relaxed)
        return idle > timeout.nanoseconds
    }
}

/// One RTSP session (RFC 2326 §3.4): the tracks a client set up on one stream, and whether it
/// plays or records them. Lives on its connection's event loop.
final class RTSPServerSession {
    enum Mode: String {
        case play
        case record
    }

    enum State {
        case ready
        /// The player carries the unicast tracks; nil when every track is multicast.
        case playing(RTSPPlayer?)
        case recording(RTSPRecordReceiver)
    }

    let id: String
    let path: String
    let hub: StreamHub
    let mode: Mode
    /// For recording: the tracks the publisher announced.
    let announcedTracks: [MediaTrack]
    /// For recording: how each announced track's RTP payloads frame it.
    let announcedPayloadFormats: [RTPPayloadFormat]
    var targets: [Int: RTSPPlayerTrackTarget] = [:]
    var state: State = .ready
    let activity = RTSPSessionActivity()

    init(path: String, hub: StreamHub, mode: Mode, announcedTracks: [MediaTrack] = [], announcedPayloadFormats: [RTPPayloadFormat] = []) {
        self.id = String(UInt64.random(in: 1...UInt64.max), radix: 16, uppercase: true)
        self.path = path
        self.hub = hub
        self.mode = mode
        self.announcedTracks = announcedTracks
        self.announcedPayloadFormats = announcedPayloadFormats
    }

    var transportSummary: String {
        if targets.values.contains(where: \.isMulticast) { return "multicast" }
        return targets.values.contains { if case .udp = $0 { true } else { false } } ? "udp" : "tcp"
    }

    /// The tracks sent to multicast groups.
    var multicastDestinations: [Int: RTSPMulticastDestination] {
        targets.compactMapValues { if case .multicast(let destination) = $0 { destination } else { nil } }
    }
}

extension UInt64 {
    var clampedToInt64: Int64 { Int64(clamping: self) }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
