import Foundation
import Logging
import MusterCore
import MusterKLV
import Synchronization

/// Reads MISB ST 0601 KLV from every stream that carries a KLV track and keeps each channel's
/// latest drone position, for the channel's live state (and, later, the unit tracker).
final class DroneTelemetry: Sendable {
    /// The latest decoded position per channel path.
    private let latest = Mutex<[String: MISB0601Packet]>([:])
    private let readers = Mutex<[String: KLVTelemetryReader]>([:])
    private let rejected = Atomic<Int>(0)
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func latestPosition(ofChannel path: String) -> MISB0601Packet? {
        latest.withLock { $0[path] }
    }

    var rejectedPacketCount: Int { rejected.load(ordering: .relaxed) }

    /// Watches hubs come online and reads the ones with KLV; ends when `events` ends.
    func follow(_ events: AsyncStream<GatewayEvent>, hubs: StreamHubRegistry) async {
        for await event in events {
            switch event.kind {
            case .channelOnline:
                guard let hub = hubs.hub(at: event.channel), hub.tracks?.contains(where: { $0.codec == .klv }) == true else { continue }
                let reader = readers.withLock { readers -> KLVTelemetryReader? in
                    guard readers[event.channel] == nil else { return nil }
                    let reader = KLVTelemetryReader(path: event.channel, telemetry: self)
                    readers[event.channel] = reader
                    return reader
                }
                if let reader { hub.addReader(reader) }
            case .channelRemoved:
                if let reader = readers.withLock({ $0.removeValue(forKey: event.channel) }) {
                    hubs.hub(at: event.channel)?.removeReader(reader)
                }
                _ = latest.withLock { $0.removeValue(forKey: event.channel) }
            default:
                continue
            }
        }
    }

    fileprivate func record(_ bytes: [UInt8], path: String) {
        do {
            let packet = try MISB0601Packet(parsing: bytes)
            guard packet.sensorLatitude != nil, packet.sensorLongitude != nil else { return }
            latest.withLock { $0[path] = packet }
        } catch {
            // A drone's link drops bytes; count the loss, log the first few only.
            if rejected.add(1, ordering: .relaxed).newValue <= 10 {
                logger.notice("unreadable KLV packet", metadata: ["path": "\(path)", "error": "\(error)"])
            }
        }
    }
}

/// The hub reader that hands a stream's KLV units to `DroneTelemetry`.
private final class KLVTelemetryReader: StreamReader {
    let path: String
    let telemetry: DroneTelemetry
    private let klvTracks = Mutex<Set<Int>>([])

    init(path: String, telemetry: DroneTelemetry) {
        self.path = path
        self.telemetry = telemetry
    }

    func streamHub(_ hub: StreamHub, didStartWith tracks: [MediaTrack]) {
        klvTracks.withLock { $0 = Set(tracks.filter { $0.codec == .klv }.map(\.id)) }
    }

    func streamHub(_ hub: StreamHub, didReceive unit: AccessUnit) {
        guard klvTracks.withLock({ $0.contains(unit.trackID) }) else { return }
        telemetry.record(Array(unit.payload.readableBytesView), path: path)
    }

    func streamHubDidStop(_ hub: StreamHub) {}
}
