import MusterCore
import NIOCore
import Synchronization

/// How one played track reaches its consumer.
enum RTSPPlayerTrackTarget: Sendable, Hashable {
    /// Interleaved on the RTSP connection on this RTP channel (RTCP on the next).
    case interleaved(channel: UInt8)
    /// Over the server's shared UDP port pair to the consumer's RTP address.
    case udp(rtp: SocketAddress, rtcp: SocketAddress)
    /// To the track's multicast group, sent once for every consumer (`RTSPMulticastRegistry`).
    case multicast(RTSPMulticastDestination)

    var isMulticast: Bool { if case .multicast = self { true } else { false } }
}

/// One consumer of a stream: writes the shared packets to its connection or UDP address.
///
/// A consumer that cannot keep up (its socket is not writable, or too many units wait for its
/// event loop) skips ahead to the next video keyframe; the source and the other consumers never wait.
final class RTSPPlayer: RTPFanoutConsumer {
    /// Units waiting for this consumer's event loop before it starts dropping.
    static let maximumPendingUnits = 512

    let connection: any Channel
    let targets: [Int: RTSPPlayerTrackTarget]
    private let udp: RTSPUDPTransport?
    private let onEnd: @Sendable () -> Void
    private let pendingUnits = Atomic<Int>(0)
    private let waitingForKeyframe = Atomic<Bool>(false)
    private let droppedUnits = Atomic<Int>(0)
    private let bytesSent = Atomic<Int>(0)

    /// How long a TCP consumer may go without taking a byte before `onStall` disconnects it.
    private let stallLimit: Duration
    private let onStall: @Sendable () -> Void
    /// When the connection last took what was written to it.
    private let lastProgressNanos = Atomic<Int64>(NIODeadline.now().uptimeNanoseconds.clampedToInt64)
    private let hasStalled = Atomic<Bool>(false)

    init(
        connection: any Channel, targets: [Int: RTSPPlayerTrackTarget], udp: RTSPUDPTransport?, stallLimit: Duration,
        onStall: @escaping @Sendable () -> Void, onEnd: @escaping @Sendable () -> Void
    ) {
        self.connection = connection
        self.targets = targets
        self.udp = udp
        self.stallLimit = stallLimit
        self.onStall = onStall
        self.onEnd = onEnd
    }

    var droppedUnitCount: Int { droppedUnits.load(ordering: .relaxed) }
    var sentByteCount: Int { bytesSent.load(ordering: .relaxed) }

    var writeLoop: (any EventLoop)? {
        targets.values.contains { if case .interleaved = $0 { true } else { false } } ? connection.eventLoop : nil
    }

    func accept(_ unit: RTPFanoutUnit) -> Bool {
        guard let target = targets[unit.trackID] else { return false }
        if waitingForKeyframe.load(ordering: .relaxed) {
            guard unit.isVideoKeyframe else {
                droppedUnits.add(1, ordering: .relaxed)
                return false
            }
            waitingForKeyframe.store(false, ordering: .relaxed)
        }
        switch target {
        case .udp(let rtp, let rtcp):
            udp?.send(unit.packets, to: rtp)
            if let report = unit.senderReport { udp?.send([report], to: rtcp, isRTCP: true) }
            bytesSent.add(Self.byteCount(of: unit), ordering: .relaxed)
            return false
        case .interleaved:
            guard pendingUnits.add(1, ordering: .relaxed).newValue <= Self.maximumPendingUnits else {
                pendingUnits.subtract(1, ordering: .relaxed)
                skipToNextKeyframe()
                return false
            }
            return true
        case .multicast:
            return false
        }
    }

    func write(_ units: [RTPFanoutUnit]) {
        defer { pendingUnits.subtract(units.count, ordering: .relaxed) }
        guard connection.isActive else { return }
        var wrote = false
        for unit in units {
            guard case .interleaved(let channel) = targets[unit.trackID] else { continue }
            if !connection.isWritable, wrote {
                // Hand what is pending to the kernel before deciding that the consumer is slow.
                connection.flush()
                wrote = false
            }
            guard connection.isWritable else {
                skipToNextKeyframe()
                disconnectIfStalled()
                break
            }
            if let framed = unit.interleaved, channel == RTPFanoutUnit.interleavedChannel(ofTrack: unit.trackID) {
                connection.write(framed, promise: nil)
            } else {
                for packet in unit.packets {
                    Self.writeInterleaved(packet, channel: channel, to: connection)
                }
                if let report = unit.senderReport {
                    Self.writeInterleaved(report, channel: channel &+ 1, to: connection)
                }
            }
            bytesSent.add(Self.byteCount(of: unit), ordering: .relaxed)
            wrote = true
        }
        if wrote {
            connection.flush()
            lastProgressNanos.store(NIODeadline.now().uptimeNanoseconds.clampedToInt64, ordering: .relaxed)
        }
    }

    /// A consumer that has taken nothing for `stallLimit` is gone or hopelessly behind: keeping it
    /// would only hold its buffered megabytes and a session.
    private func disconnectIfStalled() {
        let stalled = NIODeadline.now().uptimeNanoseconds.clampedToInt64 - lastProgressNanos.load(ordering: .relaxed)
        guard stalled > stallLimit.nanoseconds, !hasStalled.exchange(true, ordering: .relaxed) else { return }
        onStall()
    }

    private static func byteCount(of unit: RTPFanoutUnit) -> Int {
        unit.packets.reduce(0) { $0 + $1.readableBytes } + (unit.senderReport?.readableBytes ?? 0)
    }

    /// Writes the 4-byte frame header and then the shared buffer itself: no copy per consumer.
    private static func writeInterleaved(_ buffer: ByteBuffer, channel: UInt8, to connection: any Channel) {
        var header = connection.allocator.buffer(capacity: 4)
        RTSPMessageSerializer.writeInterleavedHeader(channel: channel, length: buffer.readableBytes, to: &header)
        connection.write(header, promise: nil)
        connection.write(buffer, promise: nil)
    }

    private func skipToNextKeyframe() {
        droppedUnits.add(1, ordering: .relaxed)
        waitingForKeyframe.store(true, ordering: .relaxed)
    }

    func fanoutDidEnd() {
        onEnd()
    }
}
