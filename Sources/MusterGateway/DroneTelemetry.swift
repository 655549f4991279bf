import Foundation
import Logging
import MusterCore
import MusterDirectory
import MusterKLV
import MusterPositionFormats
import MusterTracker
import Synchronization

/// Reads MISB ST 0601 KLV from every stream that carries a KLV track, keeps each channel's
/// latest drone position for the channel's live state, and reports the positions of channels
/// tied to a unit to the tracker.
final class DroneTelemetry: Sendable {
    /// The latest decoded position per channel path.
    private let latest = Mutex<[String: MISB0601Packet]>([:])
    private let readers = Mutex<[String: KLVTelemetryReader]>([:])
    /// When each channel last reported to the tracker.
    private let lastReported = Mutex<[String: ContinuousClock.Instant]>([:])
    private let rejected = Atomic<Int>(0)
    private let tracker: PositionTracker
    private let directory: any DirectoryStore
    private let logger: Logger

    /// Drones send KLV with every frame; the track keeps at most one position per second per
    /// channel (the live state keeps every one).
    static let reportInterval: Duration = .seconds(1)

    init(tracker: PositionTracker, directory: any DirectoryStore, logger: Logger) {
        self.tracker = tracker
        self.directory = directory
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
                let unitID = await unitID(ofChannel: event.channel)
                let reader = readers.withLock { readers -> KLVTelemetryReader? in
                    guard readers[event.channel] == nil else { return nil }
                    let reader = KLVTelemetryReader(path: event.channel, unitID: unitID, telemetry: self)
                    readers[event.channel] = reader
                    return reader
                }
                if let reader { hub.addReader(reader) }
            case .channelRemoved:
                if let reader = readers.withLock({ $0.removeValue(forKey: event.channel) }) {
                    hubs.hub(at: event.channel)?.removeReader(reader)
                }
                _ = latest.withLock { $0.removeValue(forKey: event.channel) }
                _ = lastReported.withLock { $0.removeValue(forKey: event.channel) }
            default:
                continue
            }
        }
    }

    private func isDueForReport(_ path: String) -> Bool {
        let now = ContinuousClock.now
        return lastReported.withLock { lastReported in
            if let last = lastReported[path], now - last < Self.reportInterval { return false }
            lastReported[path] = now
            return true
        }
    }

    private func unitID(ofChannel path: String) async -> String? {
        do {
            return try await directory.channel(at: ChannelPath(validating: path))?.unitID
        } catch {
            logger.warning("cannot tell which unit a drone stream belongs to; its positions stay on the channel", metadata: [
                "path": "\(path)", "error": "\(error)",
            ])
            return nil
        }
    }

    fileprivate func record(_ bytes: [UInt8], path: String, unitID: String?) {
        do {
            let packet = try MISB0601Packet(parsing: bytes)
            guard let latitude = packet.sensorLatitude, let longitude = packet.sensorLongitude else { return }
            latest.withLock { $0[path] = packet }
            guard let unitID, isDueForReport(path) else { return }
            let report = PositionReport(
                unitID: unitID, latitude: latitude, longitude: longitude, altitude: packet.sensorTrueAltitude,
                heading: packet.platformHeading, deviceTime: packet.timestamp
            )
            tracker.submit([report], source: .klv) { _ in }
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
    let unitID: String?
    let telemetry: DroneTelemetry
    private let klvTracks = Mutex<Set<Int>>([])

    init(path: String, unitID: String?, telemetry: DroneTelemetry) {
        self.path = path
        self.unitID = unitID
        self.telemetry = telemetry
    }

    func streamHub(_ hub: StreamHub, didStartWith tracks: [MediaTrack]) {
        klvTracks.withLock { $0 = Set(tracks.filter { $0.codec == .klv }.map(\.id)) }
    }

    func streamHub(_ hub: StreamHub, didReceive unit: AccessUnit) {
        guard klvTracks.withLock({ $0.contains(unit.trackID) }) else { return }
        telemetry.record(Array(unit.payload.readableBytesView), path: path, unitID: unitID)
    }

    func streamHubDidStop(_ hub: StreamHub) {}
}
