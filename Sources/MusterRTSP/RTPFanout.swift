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
}

/// Where a consumer's playback starts on one track: the RTP-Info entry of a PLAY answer.
struct RTPStartPoint: Sendable, Hashable {
    var trackID: Int
    var sequenceNumber: UInt16
    var rtpTimestamp: UInt32
}

/// A receiver of packetized units, such as one RTSP PLAY session.
protocol RTPFanoutConsumer: AnyObject, Sendable {
    /// Called while the fan-out is locked: hand the unit on, never block, never call back.
    func deliver(_ unit: RTPFanoutUnit)
    /// The stream's publisher left, or its tracks changed so that this consumer cannot go on.
    func fanoutDidEnd()
}

/// Packetizes one stream's access units once and hands the same packet buffers to every RTSP
/// consumer, keeping the packets since the last keyframe so a new consumer starts at once.
final class RTPFanout: StreamReader {
    private struct State {
        var tracks: [MediaTrack] = []
        var packetizers: [RTPPacketizer] = []
        var cache = GOPCache<RTPFanoutUnit>()
        var consumers: [ObjectIdentifier: any RTPFanoutConsumer] = [:]
        /// Media time in seconds of the latest unit, used as the start instant when nothing is cached.
        var latestSeconds: Double = 0
    }

    private let state = Mutex(State())

    var tracks: [MediaTrack] { state.withLock { $0.tracks } }

    func streamHub(_ hub: StreamHub, didStartWith tracks: [MediaTrack]) {
        state.withLock { state in
            let sameLayout = state.tracks.map(\.codec) == tracks.map(\.codec)
                && state.tracks.map(\.clockRate) == tracks.map(\.clockRate)
            state.cache.removeAll()
            if sameLayout, !state.packetizers.isEmpty {
                // Consumers keep going: sequence numbers continue on the same packetizers.
                state.tracks = tracks
                return
            }
            for consumer in state.consumers.values { consumer.fanoutDidEnd() }
            state.consumers.removeAll()
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
        }
    }

    func streamHub(_ hub: StreamHub, didReceive unit: AccessUnit) {
        state.withLock { state in
            guard state.packetizers.indices.contains(unit.trackID) else { return }
            let track = state.tracks[unit.trackID]
            let packets = state.packetizers[unit.trackID].packetize(unit)
            guard !packets.isEmpty else { return }
            let mediaSeconds = Double(unit.pts) / Double(track.clockRate)
            state.latestSeconds = mediaSeconds
            let isVideoKeyframe = track.kind == .video && unit.isKeyframe
            let shared = RTPFanoutUnit(
                trackID: unit.trackID, packets: packets, isVideoKeyframe: isVideoKeyframe, mediaSeconds: mediaSeconds
            )
            if state.tracks.contains(where: { $0.kind == .video }) {
                state.cache.append(shared, bytes: packets.reduce(0) { $0 + $1.readableBytes }, startsGroup: isVideoKeyframe)
            }
            for consumer in state.consumers.values { consumer.deliver(shared) }
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
            let startSeconds = state.cache.elements.first?.mediaSeconds ?? state.latestSeconds
            var startPoints: [RTPStartPoint] = []
            for track in state.tracks {
                let firstCached = state.cache.elements.first { $0.trackID == track.id }
                let sequenceNumber = firstCached.flatMap { RTPPacketizer.sequenceNumber(of: $0.packets.first) }
                    ?? state.packetizers[track.id].nextSequenceNumber
                let timestamp = state.packetizers[track.id].rtpTimestamp(forPTS: Int64(startSeconds * Double(track.clockRate)))
                startPoints.append(RTPStartPoint(trackID: track.id, sequenceNumber: sequenceNumber, rtpTimestamp: timestamp))
            }
            for unit in state.cache.elements { consumer.deliver(unit) }
            return startPoints
        }
    }

    /// Removes a consumer; returns true when none is left.
    func removeConsumer(_ consumer: any RTPFanoutConsumer) -> Bool {
        state.withLock { state in
            state.consumers.removeValue(forKey: ObjectIdentifier(consumer))
            return state.consumers.isEmpty
        }
    }

    var consumerCount: Int { state.withLock { $0.consumers.count } }
}

extension RTPPacketizer {
    static func sequenceNumber(of packet: ByteBuffer?) -> UInt16? {
        guard let packet else { return nil }
        return packet.getInteger(at: packet.readerIndex + 2, as: UInt16.self)
    }
}
