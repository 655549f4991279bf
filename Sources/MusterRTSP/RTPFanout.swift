import MusterCore
import MusterRTP
import MusterSDP
import NIOCore
import Synchronization

/// One access unit of one track, packetized once and shared by every consumer of the stream.
struct RTPFanoutUnit: Sendable {
    var trackID: Int
    var packets: [ByteBuffer]
    /// A video keyframe: a consumer that skipped units may resume here.
    var isVideoKeyframe: Bool
    /// Presentation time in seconds on the stream's common timeline.
    var mediaSeconds: Double
    /// An RTCP sender report and CNAME for the track, sent on its RTCP channel after the packets.
    var senderReport: ByteBuffer? = nil
    /// The packets (and report) framed for TCP interleaving on channels 2×trackID and
    /// 2×trackID+1, the numbering nearly every player asks for: such a consumer writes this one
    /// buffer, and the framing is done once per stream instead of once per consumer.
    var interleaved: ByteBuffer? = nil

    static func interleavedChannel(ofTrack trackID: Int) -> UInt8 { UInt8(truncatingIfNeeded: trackID * 2) }

    mutating func frameForInterleaving() {
        let channel = Self.interleavedChannel(ofTrack: trackID)
        let size = packets.reduce(0) { $0 + 4 + $1.readableBytes } + (senderReport.map { 4 + $0.readableBytes } ?? 0)
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        for packet in packets {
            RTSPMessageSerializer.writeInterleavedHeader(channel: channel, length: packet.readableBytes, to: &buffer)
            buffer.writeImmutableBuffer(packet)
        }
        if let senderReport {
            RTSPMessageSerializer.writeInterleavedHeader(channel: channel &+ 1, length: senderReport.readableBytes, to: &buffer)
            buffer.writeImmutableBuffer(senderReport)
        }
        interleaved = buffer
    }
}

/// Where a consumer's playback starts on one track: the RTP-Info entry of a PLAY answer.
struct RTPStartPoint: Sendable, Hashable {
    var trackID: Int
    var sequenceNumber: UInt16
    var rtpTimestamp: UInt32
}

/// A receiver of packetized units, such as one RTSP PLAY session.
///
/// Delivery has two steps so that one task per event loop, not one per consumer, carries a unit
/// to all the consumers on that loop: `accept` runs under the fan-out's lock for every consumer,
/// then `write` runs on the consumer's `writeLoop` for those that accepted.
protocol RTPFanoutConsumer: AnyObject, Sendable {
    /// Where `write` runs; nil for a consumer that sends from the caller's thread (UDP).
    var writeLoop: (any EventLoop)? { get }
    /// Called while the fan-out is locked: apply the drop policy (or send at once when there is
    /// no write loop), never block, never call back. Returns whether `write` must follow.
    func accept(_ unit: RTPFanoutUnit) -> Bool
    /// On `writeLoop`, for units `accept` took, in order. One call ends with one flush, so a
    /// new consumer's cached pictures leave in a few system calls instead of one per picture.
    func write(_ units: [RTPFanoutUnit])
    /// The stream's publisher left, or its tracks changed so that this consumer cannot go on.
    func fanoutDidEnd()
}

/// The consumers that write on one event loop.
private struct RTPFanoutLoopGroup {
    var loop: any EventLoop
    var consumers: [any RTPFanoutConsumer]
}

/// Packetizes one stream's access units once and hands the same packet buffers to every RTSP
/// consumer, keeping the packets since the last keyframe so a new consumer starts at once.
final class RTPFanout: StreamReader {
    private struct State {
        var tracks: [MediaTrack] = []
        var packetizers: [RTPPacketizer] = []
        var cache = GOPCache<RTPFanoutUnit>()
        var consumers: [ObjectIdentifier: any RTPFanoutConsumer] = [:]
        /// The consumers with a write loop, grouped by it; rebuilt when consumers come and go.
        var loopGroups: [RTPFanoutLoopGroup] = []
        /// The consumers that send from the caller's thread.
        var directConsumers: [any RTPFanoutConsumer] = []
        /// Media time in seconds of the latest unit, used as the start instant when nothing is cached.
        var latestSeconds: Double = 0
        /// When the latest unit arrived.
        var latestArrival: ContinuousClock.Instant? = nil
        /// A new publisher took over with the same tracks: its first unit sets the timeline shift.
        var timelineShiftPending = false
        var senders: [RTPSenderStatistics] = []
        /// The wall-clock time (NTP) of media time `media`: every track's sender reports use this
        /// one mapping, which is what lets receivers line audio up with video.
        var clockAnchor: (media: Double, ntp: UInt64)? = nil
    }

    /// How often each track's sender report goes out (RFC 3550 §6.2 suggests 5 s at least).
    static let senderReportInterval = 5.0
    /// Names this gateway in every source description (RFC 3550 §6.5.1).
    private let canonicalName = "muster-\(String(UInt64.random(in: 1...UInt64.max), radix: 36))"


    private let state = Mutex(State())

    func streamHub(_ hub: StreamHub, didStartWith tracks: [MediaTrack]) {
        state.withLock { state in
            let sameLayout = state.tracks.map(\.codec) == tracks.map(\.codec)
                && state.tracks.map(\.clockRate) == tracks.map(\.clockRate)
            state.cache.removeAll()
            // A new publisher's timestamps start on a timeline of their own.
            state.clockAnchor = nil
            for index in state.senders.indices { state.senders[index].lastReportSeconds = nil }
            if sameLayout, !state.packetizers.isEmpty {
                // Consumers keep going: sequence numbers continue on the same packetizers, and
                // the first unit shifts the new publisher's timeline onto the old one.
                state.tracks = tracks
                // The new publisher's parameter sets go out in-band before its keyframes.
                for index in tracks.indices { state.packetizers[index] = state.packetizers[index].continuing(track: tracks[index]) }
                state.timelineShiftPending = state.latestArrival != nil
                return
            }
            state.timelineShiftPending = false
            state.latestArrival = nil
            for consumer in state.consumers.values { consumer.fanoutDidEnd() }
            state.consumers.removeAll()
            Self.regroup(&state)
            state.tracks = tracks
            state.packetizers = tracks.map { track in
                RTPPacketizer(
                    track: track,
                    payloadType: track.rtpPayloadType,
                    ssrc: .random(in: 1...UInt32.max),
                    initialSequenceNumber: .random(in: 0...UInt16.max),
                    timestampOffset: .random(in: 0...UInt32.max)
                )
            }
            state.senders = tracks.map { _ in RTPSenderStatistics() }
        }
    }

    func streamHub(_ hub: StreamHub, didReceive unit: AccessUnit) {
        state.withLock { state in
            guard state.packetizers.indices.contains(unit.trackID) else { return }
            if state.timelineShiftPending { Self.shiftTimeline(continuingWith: unit, state: &state) }
            let track = state.tracks[unit.trackID]
            let packets = state.packetizers[unit.trackID].packetize(unit)
            guard !packets.isEmpty else { return }
            let mediaSeconds = Double(unit.pts) / Double(track.clockRate)
            state.latestSeconds = mediaSeconds
            state.latestArrival = .now
            let isVideoKeyframe = track.kind == .video && unit.isKeyframe
            state.senders[unit.trackID].count(packets, pts: unit.pts)
            if state.clockAnchor == nil { state.clockAnchor = (mediaSeconds, NTPTimestamp.now()) }
            var shared = RTPFanoutUnit(
                trackID: unit.trackID, packets: packets, isVideoKeyframe: isVideoKeyframe, mediaSeconds: mediaSeconds
            )
            if let last = state.senders[unit.trackID].lastReportSeconds, mediaSeconds - last < Self.senderReportInterval, mediaSeconds >= last {
                // Not due yet.
            } else {
                shared.senderReport = senderReport(trackID: unit.trackID, state: &state)
            }
            shared.frameForInterleaving()
            if state.tracks.contains(where: { $0.kind == .video }) {
                state.cache.append(shared, bytes: packets.reduce(0) { $0 + $1.readableBytes }, startsGroup: isVideoKeyframe)
            }
            Self.deliver(shared, state: state)
        }
    }

    /// Maps a new publisher's timestamps onto the old timeline: its first unit comes as long
    /// after the old publisher's last unit as the wall clock says, and every track moves by the
    /// same media time, so consumers keep lip sync and see RTP timestamps that simply go on.
    private static func shiftTimeline(continuingWith unit: AccessUnit, state: inout State) {
        state.timelineShiftPending = false
        guard let arrival = state.latestArrival else { return }
        let (seconds, attoseconds) = (ContinuousClock.now - arrival).components
        let gap = max(Double(seconds) + Double(attoseconds) / 1e18, 0.001)
        let unitSeconds = Double(unit.pts) / Double(state.tracks[unit.trackID].clockRate)
        let shift = state.latestSeconds + gap - unitSeconds
        for index in state.packetizers.indices {
            let ticks = Int64((shift * Double(state.tracks[index].clockRate)).rounded())
            let offset = state.packetizers[index].timestampOffset &+ UInt32(truncatingIfNeeded: ticks)
            state.packetizers[index] = state.packetizers[index].continuing(timestampOffset: offset)
        }
    }

    /// Hands a unit to every consumer: direct ones at once, the others with one task per event loop.
    private static func deliver(_ unit: RTPFanoutUnit, state: State) {
        for consumer in state.directConsumers { _ = consumer.accept(unit) }
        for group in state.loopGroups {
            let due = group.consumers.filter { $0.accept(unit) }
            guard !due.isEmpty else { continue }
            let units = [unit]
            group.loop.execute {
                for consumer in due { consumer.write(units) }
            }
        }
    }

    private static func regroup(_ state: inout State) {
        var groups: [ObjectIdentifier: RTPFanoutLoopGroup] = [:]
        var direct: [any RTPFanoutConsumer] = []
        for consumer in state.consumers.values {
            guard let loop = consumer.writeLoop else {
                direct.append(consumer)
                continue
            }
            groups[ObjectIdentifier(loop), default: RTPFanoutLoopGroup(loop: loop, consumers: [])].consumers.append(consumer)
        }
        state.loopGroups = Array(groups.values)
        state.directConsumers = direct
    }

    func streamHub(_ hub: StreamHub, didUpdate track: MediaTrack) {
        state.withLock { state in
            guard state.packetizers.indices.contains(track.id) else { return }
            // Same SSRC, sequence and clock: consumers see one continuous stream.
            state.packetizers[track.id] = state.packetizers[track.id].continuing(track: track)
            state.tracks[track.id] = track
        }
    }

    func streamHubDidStop(_ hub: StreamHub) {
        state.withLock { state in
            state.cache.removeAll()
        }
    }

    /// Adds a consumer and delivers the cached group of pictures to it at once.
    /// Returns where each track starts, for the RTP-Info header.
    func addConsumer(_ consumer: any RTPFanoutConsumer) -> [RTPStartPoint] {
        state.withLock { state in
            state.consumers[ObjectIdentifier(consumer)] = consumer
            Self.regroup(&state)
            let startSeconds = state.cache.elements.first?.mediaSeconds ?? state.latestSeconds
            var startPoints: [RTPStartPoint] = []
            for track in state.tracks {
                let firstCached = state.cache.elements.first { $0.trackID == track.id }
                let sequenceNumber = firstCached.flatMap { RTPPacketizer.sequenceNumber(of: $0.packets.first) }
                    ?? state.packetizers[track.id].nextSequenceNumber
                let timestamp = state.packetizers[track.id].rtpTimestamp(forPTS: Int64(startSeconds * Double(track.clockRate)))
                startPoints.append(RTPStartPoint(trackID: track.id, sequenceNumber: sequenceNumber, rtpTimestamp: timestamp))
            }
            // Sender reports first, so the consumer can synchronize its tracks from the start.
            var replay: [RTPFanoutUnit] = []
            for track in state.tracks {
                guard let report = senderReport(trackID: track.id, state: &state) else { continue }
                var unit = RTPFanoutUnit(trackID: track.id, packets: [], isVideoKeyframe: false, mediaSeconds: 0, senderReport: report)
                unit.frameForInterleaving()
                replay.append(unit)
            }
            replay += state.cache.elements
            let due = replay.filter { consumer.accept($0) }
            if let loop = consumer.writeLoop, !due.isEmpty {
                loop.execute {
                    consumer.write(due)
                }
            }
            return startPoints
        }
    }

    /// Where each track goes on from now: the RTP-Info of a consumer that joins a running
    /// multicast group and so starts with the next packet, not the cached ones.
    func livePoints() -> [RTPStartPoint] {
        state.withLock { state in
            state.tracks.map { track in
                RTPStartPoint(
                    trackID: track.id, sequenceNumber: state.packetizers[track.id].nextSequenceNumber,
                    rtpTimestamp: state.packetizers[track.id].rtpTimestamp(forPTS: Int64(state.latestSeconds * Double(track.clockRate)))
                )
            }
        }
    }

    /// Removes a consumer; returns true when none is left.
    func removeConsumer(_ consumer: any RTPFanoutConsumer) -> Bool {
        state.withLock { state in
            state.consumers.removeValue(forKey: ObjectIdentifier(consumer))
            Self.regroup(&state)
            return state.consumers.isEmpty
        }
    }

    var consumerCount: Int { state.withLock { $0.consumers.count } }

    /// An SR + SDES compound for the latest unit of a track, or nil before it has sent anything.
    private func senderReport(trackID: Int, state: inout State) -> ByteBuffer? {
        guard let anchor = state.clockAnchor, let pts = state.senders[trackID].lastPTS else { return nil }
        let packetizer = state.packetizers[trackID]
        let seconds = Double(pts) / Double(state.tracks[trackID].clockRate)
        let ntp = anchor.ntp &+ UInt64(bitPattern: Int64((seconds - anchor.media) * 4_294_967_296))
        state.senders[trackID].lastReportSeconds = seconds
        var buffer = ByteBuffer()
        RTCPSenderReport(
            ssrc: packetizer.ssrc, ntpTimestamp: ntp, rtpTimestamp: packetizer.rtpTimestamp(forPTS: pts),
            packetCount: state.senders[trackID].packets, octetCount: state.senders[trackID].octets
        ).write(to: &buffer)
        RTCPSourceDescription(ssrc: packetizer.ssrc, cname: canonicalName).write(to: &buffer)
        return buffer
    }
}

/// What one track has sent, for its RTCP sender reports (RFC 3550 §6.4.1).
struct RTPSenderStatistics {
    var packets: UInt32 = 0
    /// Payload octets, RTP headers excluded; wraps as the RFC allows.
    var octets: UInt32 = 0
    var lastPTS: Int64?
    var lastReportSeconds: Double?

    mutating func count(_ packets: [ByteBuffer], pts: Int64) {
        self.packets &+= UInt32(truncatingIfNeeded: packets.count)
        for packet in packets {
            octets &+= UInt32(truncatingIfNeeded: max(0, packet.readableBytes - RTPPacket.fixedHeaderSize))
        }
        lastPTS = pts
    }
}

extension RTPPacketizer {
    static func sequenceNumber(of packet: ByteBuffer?) -> UInt16? {
        guard let packet else { return nil }
        return packet.getInteger(at: packet.readerIndex + 2, as: UInt16.self)
    }
}
