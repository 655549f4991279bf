import Foundation
import Logging
import MusterCore
import MusterDirectory
import MusterPositionFormats
import protocol NIOCore.EventLoop
import Synchronization

/// Where every field unit is. All inputs (OsmAnd, NMEA, HTTP, drone KLV, GB28181) submit their
/// parsed reports here; the tracker validates them, appends them durably in group commits to the
/// directory's position journal (moved into the indexed history every few seconds), keeps every
/// unit's last position in memory for the geo queries and saves those in batches, and announces
/// positions and units going online or offline on the event bus.
public final class PositionTracker: Sendable {
    public let configuration: TrackerConfiguration
    public let tally = PositionTally()
    private let store: any DirectoryStore
    private let events: GatewayEventBus
    private let logger: Logger
    private let live = SharedLiveUnitTable()
    private let writer: PositionWriter
    private let housekeeping = Mutex<Task<Void, Never>?>(nil)

    private init(store: any DirectoryStore, events: GatewayEventBus, configuration: TrackerConfiguration, logger: Logger) {
        self.store = store
        self.events = events
        self.configuration = configuration
        self.logger = logger
        let liveTable = live
        writer = PositionWriter(store: store) { [events] batches, journalID in
            Self.apply(batches, journalID: journalID, to: liveTable, events: events)
        }
    }

    /// Loads every unit and its last position from the directory and starts the freshness sweep
    /// and the history retention.
    public static func start(
        store: any DirectoryStore, events: GatewayEventBus, configuration: TrackerConfiguration = TrackerConfiguration(), logger: Logger
    ) async throws(DirectoryError) -> PositionTracker {
        let tracker = PositionTracker(store: store, events: events, configuration: configuration, logger: logger)
        var after: String?
        while true {
            let units = try await store.units(afterID: after, limit: 10_000)
            tracker.live.withLock { table in
                for unit in units { table.insert(id: unit.id, name: unit.name, kind: unit.kind, position: unit.lastPosition) }
            }
            guard let last = units.last else { break }
            after = last.id
        }
        try await tracker.replayUnsavedHistory()
        let now = Date()
        tracker.live.withLock { table in
            for id in table.ids(where: { tracker.isFresh($0.position, now: now) }) { table.setAnnouncedOnline(id, true) }
        }
        tracker.housekeeping.withLock { $0 = Task { await tracker.keepHouse() } }
        return tracker
    }

    /// Writes what was accepted and stops the background work.
    public func stop() async {
        housekeeping.withLock { $0 }?.cancel()
        await writer.stop()
        await saveLastPositions()
    }

    /// Positions stored after the last save of last positions (a crash came in between) become
    /// last positions again, and are saved.
    private func replayUnsavedHistory() async throws(DirectoryError) {
        var after: Int64?
        var replayed = 0
        while true {
            let rows = try await store.positionsAfterLastSave(afterID: after, limit: 10_000)
            guard let last = rows.last else { break }
            live.withLock { table in
                for (id, record) in rows where table.update(id: record.unitID, position: record.position) {
                    table.noteUnsaved(record.unitID, journalID: id)
                }
                table.noteJournal(through: last.id)
            }
            replayed += rows.count
            after = last.id
        }
        guard replayed > 0 else { return }
        logger.info("last positions recovered from the position journal", metadata: ["positions": "\(replayed)"])
        await saveLastPositions()
    }

    /// How often changed last positions are written to the unit table, each unit's row once however
    /// often it reported (at 1 Hz from every unit, every 2 s was half a row update per position),
    /// and then the journal moved into the indexed history (its rows wait for that save). Track
    /// queries scan the journal, so this keeps it a few seconds long. Units going offline are
    /// announced on the same beat.
    static let housekeepingInterval: Duration = .seconds(5)

    /// Writes the changed last positions to the directory in one transaction.
    private func saveLastPositions() async {
        guard let (positions, journalID) = live.withLock({ $0.takeUnsaved() }) else { return }
        do {
            try await store.saveLastPositions(positions, throughJournalID: journalID)
            live.withLock { $0.noteSaved(through: journalID) }
        } catch {
            // The journal holds them all; they are retried next time (and replayed after a restart).
            live.withLock { $0.restoreUnsaved(positions) }
            logger.warning("cannot save last positions yet; retrying", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Input

    /// Validates and stores the reports; `completion` gets one outcome per report, in order,
    /// once the accepted ones are durable. Callable from any thread (an event loop included): it
    /// never blocks.
    public func submit(
        _ reports: [PositionReport], source: PositionSource, receivedAt: Date = Date(), on loop: (any EventLoop)? = nil,
        completion: @escaping @Sendable ([PositionOutcome]) -> Void
    ) {
        var outcomes = [PositionOutcome](repeating: .accepted, count: reports.count)
        var records: [UnitPositionRecord] = []
        var newUnits: [FieldUnit] = []
        var acceptedIndices: [Int] = []
        live.withLock { table in
            for (index, report) in reports.enumerated() {
                switch validate(report, source: source, receivedAt: receivedAt, table: table) {
                case .success(let (record, isNew)):
                    if isNew {
                        newUnits.append(FieldUnit(id: record.unitID, name: record.unitID, kind: source.autoCreatedKind))
                    }
                    records.append(record)
                    acceptedIndices.append(index)
                case .failure(let rejection):
                    outcomes[index] = .rejected(rejection)
                }
            }
        }
        guard !records.isEmpty else {
            tally.count(outcomes, source: source)
            completion(outcomes)
            return
        }
        writer.enqueue(PositionWriter.Batch(records: records, newUnits: newUnits, completion: { [tally, outcomes, acceptedIndices] result in
            var outcomes = outcomes
            if case .failure(let error) = result {
                for index in acceptedIndices { outcomes[index] = .notStored(error) }
            }
            tally.count(outcomes, source: source)
            completion(outcomes)
        }, loop: loop))
    }

    /// `submit` for async callers.
    public func submit(_ reports: [PositionReport], source: PositionSource, receivedAt: Date = Date()) async -> [PositionOutcome] {
        await withCheckedContinuation { continuation in
            submit(reports, source: source, receivedAt: receivedAt) { continuation.resume(returning: $0) }
        }
    }

    /// Counts input that could not even be parsed into a report.
    public func countRejection(_ rejection: PositionRejection, source: PositionSource) {
        tally.countRejection(rejection.reason, source: source)
    }

    private func validate(
        _ report: PositionReport, source: PositionSource, receivedAt: Date, table: LiveUnitTable
    ) -> Result<(record: UnitPositionRecord, isNewUnit: Bool), PositionRejection> {
        guard let unitID = report.unitID, !unitID.isEmpty else {
            return .failure(PositionRejection(.malformed, "the position names no unit"))
        }
        guard GeoMath.isValid(latitude: report.latitude, longitude: report.longitude) else {
            return .failure(PositionRejection(
                .coordinatesOutOfRange,
                "latitude \(report.latitude) and longitude \(report.longitude) are not a WGS84 position (latitude −90…90, longitude −180…180)"
            ))
        }
        if report.latitude == 0 && report.longitude == 0 {
            // What receivers without a fix send; nobody is on duty at 0°N 0°E.
            return .failure(PositionRejection(.invalidFix, "latitude 0, longitude 0 is a receiver without a fix"))
        }
        let deviceTime = report.deviceTime ?? receivedAt
        guard deviceTime.timeIntervalSince(receivedAt) <= configuration.maximumClockAhead else {
            return .failure(PositionRejection(
                .timeInFuture,
                "device time \(deviceTime) is more than \(Int(configuration.maximumClockAhead)) s ahead of the gateway's clock; check the device's clock"
            ))
        }
        // Looked up once and handed back: submit needs it too, and this runs for every position.
        let isNewUnit = !table.contains(unitID)
        if isNewUnit {
            guard configuration.autoCreateUnits else {
                return .failure(PositionRejection(.unknownUnit, "no unit has id '\(unitID)'; register it first (musterctl units add)"))
            }
            do throws(DirectoryError) {
                try FieldUnit.validate(id: unitID)
            } catch {
                return .failure(PositionRejection(.malformed, "unit id '\(unitID)' cannot be registered: \(error)"))
            }
        }
        let position = UnitPosition(
            latitude: report.latitude, longitude: report.longitude,
            altitude: report.altitude.flatMap(Self.finite), speed: report.speed.flatMap(Self.finite).map { max(0, $0) },
            heading: report.heading.flatMap(Self.finite).map { $0.truncatingRemainder(dividingBy: 360) }.map { $0 < 0 ? $0 + 360 : $0 },
            accuracy: report.accuracy.flatMap(Self.finite).map { max(0, $0) },
            deviceTime: deviceTime, receivedAt: receivedAt, source: source.rawValue
        )
        return .success((UnitPositionRecord(unitID: unitID, position: position), isNewUnit))
    }

    private static func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }

    /// After a commit: new units and last positions into the live table, then the events.
    private static func apply(_ batches: [PositionWriter.Batch], journalID: Int64, to live: SharedLiveUnitTable, events: GatewayEventBus) {
        var cameOnline: [String] = []
        var updated: [UnitPositionRecord] = []
        // Building position events costs more than storing positions; skip it while nobody listens.
        let announcePositions = events.hasSubscribers(for: .unitPosition)
        live.withLock { table in
            for batch in batches {
                for unit in batch.newUnits where !table.contains(unit.id) {
                    table.insert(id: unit.id, name: unit.name, kind: unit.kind, position: nil)
                }
                for record in batch.records {
                    guard case .updated(let unitCameOnline) = table.apply(id: record.unitID, position: record.position, journalID: journalID) else {
                        continue
                    }
                    if announcePositions { updated.append(record) }
                    if unitCameOnline { cameOnline.append(record.unitID) }
                }
            }
        }
        for unit in cameOnline { events.publish(GatewayEvent(.unitOnline, channel: "", fields: ["unit": unit])) }
        for record in updated { events.publish(positionEvent(record)) }
    }

    private static func positionEvent(_ record: UnitPositionRecord) -> GatewayEvent {
        let position = record.position
        var values = ["latitude": position.latitude, "longitude": position.longitude]
        values["altitude"] = position.altitude
        values["speed"] = position.speed
        values["heading"] = position.heading
        values["accuracy"] = position.accuracy
        return GatewayEvent(
            .unitPosition, channel: "", fields: ["unit": record.unitID, "source": position.source], values: values, at: position.deviceTime
        )
    }

    // MARK: Units registered or removed through the API

    public func unitRegistered(_ unit: FieldUnit) {
        live.withLock { $0.insert(id: unit.id, name: unit.name, kind: unit.kind, position: unit.lastPosition) }
    }

    public func unitRemoved(id: String) {
        live.withLock { $0.remove(id: id) }
    }

    // MARK: Queries

    /// A unit as the tracker knows it now.
    public struct TrackedUnit: Sendable, Hashable {
        public var id: String
        public var name: String
        public var kind: UnitKind
        public var position: UnitPosition?
        public var online: Bool
        /// Metres from the query's centre, for proximity queries.
        public var distance: Double?
    }

    public func isFresh(_ position: UnitPosition?, now: Date = Date()) -> Bool {
        guard let position else { return false }
        return now.timeIntervalSince(position.receivedAt) <= configuration.onlineTimeout
    }

    /// Units whose last position is fresh.
    public var onlineUnitCount: Int {
        let now = Date()
        return live.withLock { table in table.count { isFresh($0.position, now: now) } }
    }

    public func unit(id: String) -> TrackedUnit? {
        live.withLock { $0.entry(id) }.map { tracked($0, distance: nil, now: Date()) }
    }

    /// Units whose last position is within `radius` metres, nearest first.
    public func unitsNear(latitude: Double, longitude: Double, radius: Double, limit: Int) -> [TrackedUnit] {
        let boxes = GeoMath.boxes(aroundLatitude: latitude, longitude: longitude, radius: radius)
        let candidates = live.withLock { table in boxes.flatMap { table.entries(in: $0) } }
        let now = Date()
        var found: [TrackedUnit] = []
        for entry in candidates {
            guard let position = entry.position else { continue }
            let distance = GeoMath.distance(latitude: latitude, longitude: longitude, toLatitude: position.latitude, longitude: position.longitude)
            if distance <= radius { found.append(tracked(entry, distance: distance, now: now)) }
        }
        found.sort { ($0.distance ?? 0, $0.id) < ($1.distance ?? 0, $1.id) }
        return Array(found.prefix(max(limit, 0)))
    }

    /// Units whose last position lies in the box, by id.
    public func units(in box: GeoMath.Box, limit: Int) -> [TrackedUnit] {
        let now = Date()
        let entries = live.withLock { $0.entries(in: box) }
        return entries.map { tracked($0, distance: nil, now: now) }.sorted { $0.id < $1.id }.prefix(max(limit, 0)).map { $0 }
    }

    private func tracked(_ entry: LiveUnitTable.Entry, distance: Double?, now: Date) -> TrackedUnit {
        TrackedUnit(
            id: entry.id, name: entry.name, kind: entry.kind, position: entry.position, online: isFresh(entry.position, now: now),
            distance: distance
        )
    }

    /// A unit's positions with device times in `from...to`, oldest first; with a tolerance (metres)
    /// the track is simplified to the points that shape it.
    public func track(
        ofUnit id: String, from: Date, to: Date, tolerance: Double?, limit: Int, newest: Bool = false
    ) async throws(DirectoryError) -> [UnitPosition] {
        let positions = try await store.positionHistory(ofUnit: id, from: from, to: to, limit: limit, newest: newest)
        guard let tolerance, tolerance > 0 else { return positions }
        let points = positions.map { TrackSimplifier.Point(latitude: $0.latitude, longitude: $0.longitude) }
        return TrackSimplifier.keptIndices(of: points, tolerance: tolerance).map { positions[$0] }
    }

    /// A channel near a point, and where it is: its unit's last position when the unit has one,
    /// else its registered fixed location.
    public struct NearbyChannel: Sendable, Hashable {
        public var channel: Channel
        public var distance: Double
        public var latitude: Double
        public var longitude: Double
        /// Set when the channel is located by its unit's last position.
        public var unit: TrackedUnit?
    }

    /// Units whose channels one directory read fetches at least, when a nearby query needs more.
    static let unitChannelReadChunk = 16

    /// How many located channels one query considers at most.
    static let locatedChannelCandidateLimit = 100_000

    /// Channels within `radius` metres, nearest first.
    public func nearbyChannels(latitude: Double, longitude: Double, radius: Double, limit: Int) async throws(DirectoryError) -> [NearbyChannel] {
        let units = unitsNear(latitude: latitude, longitude: longitude, radius: radius, limit: Int.max)
        var nearby: [NearbyChannel] = []
        // Nearest units first, and only until `limit` channels are found: a unit further away can
        // only add channels further away (units at the same distance still count, for the tie
        // order by path). A crowded 2 km radius holds hundreds of units, each a directory read.
        var next = units.startIndex
        while next < units.endIndex {
            if nearby.count >= limit && (next == units.startIndex || units[next].distance != units[next - 1].distance) { break }
            var end = min(next + max(limit - nearby.count, Self.unitChannelReadChunk), units.endIndex)
            while end < units.endIndex && units[end].distance == units[end - 1].distance { end += 1 }
            let chunk = units[next..<end]
            let unitByID = Dictionary(chunk.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            for channel in try await store.channels(ofUnits: chunk.map(\.id)) {
                guard let unitID = channel.unitID, let unit = unitByID[unitID], let position = unit.position, let distance = unit.distance else { continue }
                nearby.append(NearbyChannel(channel: channel, distance: distance, latitude: position.latitude, longitude: position.longitude, unit: unit))
            }
            next = end
        }
        var fixed: [(located: LocatedChannel, distance: Double)] = []
        for box in GeoMath.boxes(aroundLatitude: latitude, longitude: longitude, radius: radius) {
            let located = try await store.locatedChannels(
                latitudes: box.latitudes, longitudes: box.longitudes, limit: Self.locatedChannelCandidateLimit
            )
            // A channel on a unit that reports positions is where the unit is, not where it was registered.
            let moving = live.withLock { table in
                Set(located.compactMap(\.unitID).filter { table.entry($0)?.position != nil })
            }
            for candidate in located where candidate.unitID.map({ !moving.contains($0) }) ?? true {
                let distance = GeoMath.distance(latitude: latitude, longitude: longitude, toLatitude: candidate.latitude, longitude: candidate.longitude)
                if distance <= radius { fixed.append((candidate, distance)) }
            }
        }
        fixed.sort { ($0.distance, $0.located.path.rawValue) < ($1.distance, $1.located.path.rawValue) }
        let closestFixed = fixed.prefix(max(limit, 0))
        let channels = try await store.channels(at: closestFixed.map(\.located.path))
        let channelByPath = Dictionary(channels.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        for (located, distance) in closestFixed {
            guard let channel = channelByPath[located.path] else { continue }
            nearby.append(NearbyChannel(channel: channel, distance: distance, latitude: located.latitude, longitude: located.longitude, unit: nil))
        }
        nearby.sort { ($0.distance, $0.channel.path.rawValue) < ($1.distance, $1.channel.path.rawValue) }
        return Array(nearby.prefix(max(limit, 0)))
    }

    // MARK: Housekeeping

    /// How often old history is deleted.
    static let retentionInterval: Double = 3600

    private func keepHouse() async {
        var lastRetention = Date.distantPast
        while !Task.isCancelled {
            await saveLastPositions()
            sweepFreshness()
            await compactJournal()
            if Date().timeIntervalSince(lastRetention) >= Self.retentionInterval {
                lastRetention = Date()
                await applyRetention()
            }
            try? await Task.sleep(for: Self.housekeepingInterval)
        }
    }

    /// Announces units whose last position has gone stale.
    private func sweepFreshness() {
        let now = Date()
        let wentOffline = live.withLock { table -> [String] in
            let ids = table.ids { $0.announcedOnline && !isFresh($0.position, now: now) }
            for id in ids { table.setAnnouncedOnline(id, false) }
            return ids
        }
        for id in wentOffline {
            events.publish(GatewayEvent(.unitOffline, channel: "", fields: ["unit": id]))
        }
    }

    private func compactJournal() async {
        do {
            _ = try await store.compactPositionJournal()
        } catch {
            guard !Task.isCancelled else { return }
            logger.error("cannot move positions from the journal into the history; track queries slow down as it grows", metadata: [
                "error": "\(error)",
            ])
        }
    }

    private func applyRetention() async {
        do {
            let deleted = try await store.deletePositionHistory(receivedBefore: Date().addingTimeInterval(-configuration.retention))
            if deleted > 0 {
                logger.info("old position history deleted", metadata: ["positions": "\(deleted)", "retention_s": "\(Int(configuration.retention))"])
            }
        } catch {
            guard !Task.isCancelled else { return }
            logger.error("cannot delete old position history; the directory file keeps growing", metadata: ["error": "\(error)"])
        }
    }
}
