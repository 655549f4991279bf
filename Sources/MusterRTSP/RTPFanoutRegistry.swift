import MusterCore
import Synchronization

/// The fan-outs of the streams that currently have RTSP consumers. A fan-out reads its hub only
/// while it has consumers, so idle streams cost no packetization.
final class RTPFanoutRegistry: Sendable {
    private let fanouts = Mutex<[String: RTPFanout]>([:])

    /// The fan-out of `hub`, attached to it if this is its first consumer.
    func attach(_ consumer: any RTPFanoutConsumer, to hub: StreamHub) -> (RTPFanout, [RTPStartPoint]) {
        fanouts.withLock { fanouts in
            let fanout: RTPFanout
            if let existing = fanouts[hub.path] {
                fanout = existing
            } else {
                fanout = RTPFanout()
                fanouts[hub.path] = fanout
                hub.addReader(fanout)
            }
            return (fanout, fanout.addConsumer(consumer))
        }
    }

    func detach(_ consumer: any RTPFanoutConsumer, from hub: StreamHub) {
        fanouts.withLock { fanouts in
            guard let fanout = fanouts[hub.path] else { return }
            if fanout.removeConsumer(consumer) {
                hub.removeReader(fanout)
                fanouts[hub.path] = nil
            }
        }
    }

    /// The fan-out for a hub without attaching a consumer, e.g. to describe its payload types.
    func fanout(for path: String) -> RTPFanout? {
        fanouts.withLock { $0[path] }
    }
}
