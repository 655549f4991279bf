import MusterCore
import MusterRTP
import NIOCore
import Synchronization

/// Turns a publisher's RTP packets (interleaved or UDP) into access units on its stream hub.
///
/// Tracks are aligned on the arrival time of their first packet: each track's RTP timestamps
/// start at a random offset (RFC 3550 §5.1), so only the wall clock relates them before an RTCP
/// sender report arrives.
final class RTSPRecordReceiver: RTSPUDPReceiver {
    private struct TrackState {
        var track: MediaTrack
        var depacketizer: RTPDepacketizer
        var unwrapper = RTPTimestampUnwrapper()
        var ptsOrigin: Int64?
    }

    private let publisher: StreamPublisher
    private let activity: RTSPSessionActivity
    private let startInstant = ContinuousClock.now
    private let tracks: Mutex<[TrackState]>
    private let malformedPackets = Atomic<Int>(0)
    private let bytesReceived = Atomic<Int>(0)

    /// `payloadFormats` gives each track's RTP payload format in track order; a track without
    /// one uses the standard format of its codec.
    init(publisher: StreamPublisher, tracks: [MediaTrack], payloadFormats: [RTPPayloadFormat] = [], activity: RTSPSessionActivity) {
        self.publisher = publisher
        self.activity = activity
        self.tracks = Mutex(tracks.enumerated().map { index, track in
            let format = payloadFormats.indices.contains(index) ? payloadFormats[index] : .standard
            return TrackState(track: track, depacketizer: RTPDepacketizer(track: track, payloadFormat: format))
        })
    }

    var malformedPacketCount: Int { malformedPackets.load(ordering: .relaxed) }
    var receivedByteCount: Int { bytesReceived.load(ordering: .relaxed) }
    /// Malformed packets and those the depacketizers discarded.
    var droppedPacketCount: Int {
        malformedPacketCount + tracks.withLock { $0.reduce(0) { $0 + $1.depacketizer.droppedPackets } }
    }

    func receiveRTP(_ bytes: ByteBuffer, trackID: Int) {
        bytesReceived.add(bytes.readableBytes, ordering: .relaxed)
        activity.touch()
        guard let packet = try? RTPPacket(parsing: bytes) else {
            malformedPackets.add(1, ordering: .relaxed)
            return
        }
        let elapsed = ContinuousClock.now - startInstant
        let units: [AccessUnit] = tracks.withLock { tracks in
            guard tracks.indices.contains(trackID) else { return [] }
            return tracks[trackID].depacketizer.depacketize(packet).map { unit in
                let timestamp = tracks[trackID].unwrapper.unwrap(unit.rtpTimestamp)
                if tracks[trackID].ptsOrigin == nil {
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                    tracks[trackID].ptsOrigin = Int64(seconds * Double(tracks[trackID].track.clockRate)) - timestamp
                }
                let pts = timestamp + (tracks[trackID].ptsOrigin ?? 0)
                return AccessUnit(trackID: trackID, pts: pts, isKeyframe: unit.isKeyframe, payload: unit.payload)
            }
        }
        for unit in units { publisher.write(unit) }
    }

    func receiveRTCP(_ bytes: ByteBuffer, trackID: Int) {
        activity.touch()
        if (try? RTCPCompoundPacket(parsing: bytes)) == nil {
            malformedPackets.add(1, ordering: .relaxed)
        }
    }

    func end() {
        publisher.end()
    }
}
