import Foundation
import Logging
import MusterCore
import MusterDirectory
import MusterPositionFormats
import Testing
@testable import MusterTracker

@Suite struct PositionTrackerTests {
    let store: SQLiteDirectoryStore
    let events = GatewayEventBus()

    init() throws {
        store = try SQLiteDirectoryStore.temporary()
    }

    func tracker(_ configure: (inout TrackerConfiguration) -> Void = { _ in }) async throws -> PositionTracker {
        var configuration = TrackerConfiguration()
        configure(&configuration)
        return try await PositionTracker.start(store: store, events: events, configuration: configuration, logger: Logger(label: "test"))
    }

    func report(_ unit: String?, _ latitude: Double, _ longitude: Double, at time: Date? = nil, speed: Double? = nil) -> PositionReport {
        var report = PositionReport(unitID: unit, latitude: latitude, longitude: longitude)
        report.deviceTime = time
        report.speed = speed
        return report
    }

    @Test func acceptedPositionsAreStoredAndBecomeTheLastPosition() async throws {
        _ = try await store.createUnit(FieldUnit(id: "rescuer-1", name: "Rescuer 1", kind: .bodyWorn))
        let tracker = try await tracker()
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let outcomes = await tracker.submit(
            [report("rescuer-1", 39.90, 116.40, at: start), report("rescuer-1", 39.91, 116.41, at: start + 10, speed: 1.5)], source: .http
        )
        #expect(outcomes == [.accepted, .accepted])
        let live = try #require(tracker.unit(id: "rescuer-1")?.position)
        #expect(live.latitude == 39.91 && live.speed == 1.5 && live.source == "http")
        // A late position joins the history but does not move the unit back.
        #expect(await tracker.submit([report("rescuer-1", 39.80, 116.30, at: start + 5)], source: .nmea) == [.accepted])
        #expect(tracker.unit(id: "rescuer-1")?.position?.latitude == 39.91)
        let track = try await tracker.track(ofUnit: "rescuer-1", from: start, to: start + 60, tolerance: nil, limit: 100)
        #expect(track.map(\.latitude) == [39.90, 39.80, 39.91])
        // The unit table gets last positions in periodic saves, and at the latest when stopping.
        await tracker.stop()
        let stored = try #require(try await store.unit(id: "rescuer-1")?.lastPosition)
        #expect(stored.latitude == 39.91 && stored.speed == 1.5 && stored.source == "http")
        let newestTwo = try await tracker.track(ofUnit: "rescuer-1", from: start, to: start + 60, tolerance: nil, limit: 2, newest: true)
        #expect(newestTwo.map(\.latitude) == [39.80, 39.91])
        let oldestTwo = try await tracker.track(ofUnit: "rescuer-1", from: start, to: start + 60, tolerance: nil, limit: 2)
        #expect(oldestTwo.map(\.latitude) == [39.90, 39.80])
        #expect(tracker.tally.snapshot.accepted == [.http: 2, .nmea: 1])
        await tracker.stop()
    }

    @Test func everyBadInputClassIsRejectedCountedAndNotStored() async throws {
        _ = try await store.createUnit(FieldUnit(id: "known", name: "Known", kind: .phone))
        let tracker = try await tracker()
        let now = Date()
        let outcomes = await tracker.submit([
            report("stranger", 39.9, 116.4),
            report("known", 116.4, 39.9),          // swapped beyond range
            report("known", 39.9, 181),
            report("known", .nan, 116.4),
            report("known", 39.9, 116.4, at: now + 3600),
            report("known", 0, 0),
            report(nil, 39.9, 116.4),
        ], source: .osmand, receivedAt: now)
        let reasons = outcomes.map { outcome -> PositionRejection.Reason? in
            if case .rejected(let rejection) = outcome { return rejection.reason }
            return nil
        }
        #expect(reasons == [.unknownUnit, .coordinatesOutOfRange, .coordinatesOutOfRange, .coordinatesOutOfRange, .timeInFuture, .invalidFix, .malformed])
        let rejected = tracker.tally.snapshot.rejected
        #expect(rejected[.init(source: .osmand, reason: .coordinatesOutOfRange)] == 3)
        #expect(rejected[.init(source: .osmand, reason: .unknownUnit)] == 1)
        #expect(try await store.positionHistory(ofUnit: "known", from: .distantPast, to: .distantFuture, limit: 10, newest: false).isEmpty)
        #expect(try await store.unit(id: "stranger") == nil)
        await tracker.stop()
    }

    @Test func unknownUnitsAreRegisteredWhenAutoCreateIsOn() async throws {
        let tracker = try await tracker { $0.autoCreateUnits = true }
        #expect(await tracker.submit([report("drone-7", 30.5, 114.3), report("bad id!", 30.5, 114.3)], source: .klv).first == .accepted)
        await tracker.stop()
        let unit = try #require(try await store.unit(id: "drone-7"))
        #expect(unit.kind == .drone)
        #expect(unit.lastPosition?.latitude == 30.5)
        #expect(try await store.unit(id: "bad id!") == nil)
    }

    @Test func lastPositionsNotSavedBeforeACrashAreRecoveredFromTheHistory() async throws {
        _ = try await store.createUnit(FieldUnit(id: "u", name: "u", kind: .tracker))
        let at = Date(timeIntervalSince1970: 1_790_000_000)
        func position(_ latitude: Double, _ seconds: Double) -> UnitPosition {
            UnitPosition(latitude: latitude, longitude: 114, deviceTime: at + seconds, receivedAt: at + seconds, source: "nmea")
        }
        // History written, then the process died before the periodic save of last positions.
        try await store.recordPositions([
            UnitPositionRecord(unitID: "u", position: position(30.1, 0)),
            UnitPositionRecord(unitID: "u", position: position(30.3, 20)),
            UnitPositionRecord(unitID: "u", position: position(30.2, 10)),
        ], creatingUnits: [])
        #expect(try await store.unit(id: "u")?.lastPosition == nil)
        let tracker = try await tracker()
        #expect(tracker.unit(id: "u")?.position?.latitude == 30.3)
        #expect(try await store.unit(id: "u")?.lastPosition?.latitude == 30.3)
        #expect(try await store.positionsAfterLastSave(afterID: nil, limit: 10).isEmpty)
        await tracker.stop()
    }

    @Test func nearbyRanksFixedCamerasAndMovingUnitsTogether() async throws {
        let incident = (latitude: 39.9042, longitude: 116.4074)
        func channel(_ path: String, latitude: Double? = nil, longitude: Double? = nil, unit: String? = nil) throws -> Channel {
            Channel(path: try ChannelPath(validating: path), name: path, kind: unit == nil ? .camera : .bodyWorn, source: .push,
                    unitID: unit, latitude: latitude, longitude: longitude)
        }
        _ = try await store.createChannel(try channel("gate", latitude: 39.9050, longitude: 116.4074))       // ~90 m
        _ = try await store.createChannel(try channel("dam", latitude: 39.9300, longitude: 116.4074))        // ~2.9 km
        _ = try await store.createChannel(try channel("far", latitude: 31.2304, longitude: 121.4737))
        // Registered near the incident, but its unit reports from 1 km north: the unit wins.
        _ = try await store.createChannel(try channel("helmet", latitude: 39.9042, longitude: 116.4075, unit: "rescuer"))
        _ = try await store.createUnit(FieldUnit(id: "rescuer", name: "Rescuer", kind: .bodyWorn))
        let tracker = try await tracker()
        #expect(await tracker.submit([report("rescuer", 39.9132, 116.4074)], source: .osmand) == [.accepted])

        let within2km = try await tracker.nearbyChannels(latitude: incident.latitude, longitude: incident.longitude, radius: 2_000, limit: 10)
        #expect(within2km.map(\.channel.path.rawValue) == ["gate", "helmet"])
        #expect(abs(within2km[0].distance - 89) < 2)
        #expect(abs(within2km[1].distance - 1_000) < 5)
        #expect(within2km[1].unit?.id == "rescuer")
        let within5km = try await tracker.nearbyChannels(latitude: incident.latitude, longitude: incident.longitude, radius: 5_000, limit: 2)
        #expect(within5km.map(\.channel.path.rawValue) == ["gate", "helmet"])
        let all = try await tracker.nearbyChannels(latitude: incident.latitude, longitude: incident.longitude, radius: 5_000, limit: 10)
        #expect(all.map(\.channel.path.rawValue) == ["gate", "helmet", "dam"])

        // The spatial index follows channel changes.
        var patch = ChannelPatch()
        patch.latitude = .some(nil)
        patch.longitude = .some(nil)
        _ = try await store.updateChannel(at: try ChannelPath(validating: "gate"), with: patch)
        try await store.deleteChannel(at: try ChannelPath(validating: "dam"))
        let afterChanges = try await tracker.nearbyChannels(latitude: incident.latitude, longitude: incident.longitude, radius: 5_000, limit: 10)
        #expect(afterChanges.map(\.channel.path.rawValue) == ["helmet"])
        await tracker.stop()
    }

    @Test func nearbyReadsOnlyTheNearestUnitsChannelsButKeepsTheSameOrder() async throws {
        // 40 units 100 m apart going north; every third has no channel, the others one or two.
        // Units 9 and 10 stand on the same spot, so their channels tie on distance and go by path.
        let tracker = try await tracker()
        var reports: [PositionReport] = []
        for index in 0..<40 {
            let id = "unit-\(index)"
            _ = try await store.createUnit(FieldUnit(id: id, name: id, kind: .bodyWorn))
            tracker.unitRegistered(FieldUnit(id: id, name: id, kind: .bodyWorn))
            let step = index == 10 ? 9 : index
            reports.append(report(id, 30.0 + Double(step) * 0.0009, 114.0))
            guard index % 3 != 2 else { continue }
            for suffix in index % 2 == 0 ? ["a"] : ["b", "a"] {
                // Unit 10's channel sorts before unit 9's.
                let path = index == 10 ? "a-unit-10-\(suffix)" : "unit-\(index)-\(suffix)"
                _ = try await store.createChannel(Channel(path: try ChannelPath(validating: path), name: path, kind: .bodyWorn, source: .push, unitID: id))
            }
        }
        #expect(await tracker.submit(reports, source: .osmand).allSatisfy { $0 == .accepted })

        let all = try await tracker.nearbyChannels(latitude: 30.0, longitude: 114.0, radius: 10_000, limit: 1_000)
        for limit in [0, 1, 2, 5, 9, 10, 11, 12, 13, 16, 40] {
            let nearest = try await tracker.nearbyChannels(latitude: 30.0, longitude: 114.0, radius: 10_000, limit: limit)
            #expect(nearest.map(\.channel.path) == all.prefix(limit).map(\.channel.path), "limit \(limit)")
        }
        #expect(all.count == 41)
        #expect(all[9..<12].map(\.channel.path.rawValue) == ["a-unit-10-a", "unit-9-a", "unit-9-b"])
        await tracker.stop()
    }

    @Test func unitsNearAndInABoxComeFromMemory() async throws {
        for id in ["a", "b", "c"] { _ = try await store.createUnit(FieldUnit(id: id, name: id, kind: .phone)) }
        let tracker = try await tracker()
        _ = await tracker.submit([report("a", 39.9042, 116.4074), report("b", 39.9100, 116.4074), report("c", -33.86, 151.21)], source: .http)
        let near = tracker.unitsNear(latitude: 39.9042, longitude: 116.4074, radius: 1_000, limit: 10)
        #expect(near.map(\.id) == ["a", "b"])
        #expect(near.allSatisfy { $0.online })
        let sydney = tracker.units(in: GeoMath.Box(latitudes: -34...(-33), longitudes: 151...152), limit: 10)
        #expect(sydney.map(\.id) == ["c"])
        tracker.unitRemoved(id: "a")
        #expect(tracker.unitsNear(latitude: 39.9042, longitude: 116.4074, radius: 1_000, limit: 10).map(\.id) == ["b"])
        await tracker.stop()
    }

    @Test func retentionDeletesOnlyOldHistory() async throws {
        _ = try await store.createUnit(FieldUnit(id: "u", name: "u", kind: .tracker))
        let tracker = try await tracker()
        let now = Date()
        for offset in stride(from: 10.0, through: 1, by: -1) {
            _ = await tracker.submit([report("u", 10 + offset / 100, 20, at: now - offset * 3600)], source: .http, receivedAt: now - offset * 3600)
        }
        // Stopping saves the last positions, which lets the journal move into the history.
        await tracker.stop()
        // The tracker's own periodic compaction may have moved them already on a slow machine.
        let compacted = try await store.compactPositionJournal()
        let all = try await store.positionHistory(ofUnit: "u", from: .distantPast, to: .distantFuture, limit: 100, newest: false)
        #expect(all.count == 10, "\(compacted) compacted now")
        #expect(try await store.deletePositionHistory(receivedBefore: now - 4.5 * 3600) == 6)
        let kept = try await store.positionHistory(ofUnit: "u", from: .distantPast, to: .distantFuture, limit: 100, newest: false)
        #expect(kept.count == 4)
        #expect(try await store.deletePositionHistory(receivedBefore: now - 4.5 * 3600) == 0)
    }

    @Test func theJournalMovesIntoTheHistoryOnlyOnceLastPositionsAreSaved() async throws {
        _ = try await store.createUnit(FieldUnit(id: "a", name: "a", kind: .tracker))
        _ = try await store.createUnit(FieldUnit(id: "b", name: "b", kind: .tracker))
        let at = Date(timeIntervalSince1970: 1_790_000_000)
        func record(_ unit: String, _ seconds: Double) -> UnitPositionRecord {
            UnitPositionRecord(unitID: unit, position: UnitPosition(
                latitude: 30 + seconds / 1000, longitude: 114, deviceTime: at + seconds, receivedAt: at + seconds, source: "http"
            ))
        }
        let first = try await store.recordPositions([record("a", 1), record("b", 2), record("a", 3)], creatingUnits: [])
        let second = try await store.recordPositions([record("b", 4), record("a", 5)], creatingUnits: [])
        #expect(try await store.compactPositionJournal() == 0, "nothing is saved yet")
        try await store.saveLastPositions([record("a", 3), record("b", 2)], throughJournalID: first)
        #expect(try await store.compactPositionJournal() == 3)
        #expect(try await store.positionsAfterLastSave(afterID: nil, limit: 10).map(\.id) == [second - 1, second])
        // Queries see the history and the journal as one track.
        let a = try await store.positionHistory(ofUnit: "a", from: .distantPast, to: .distantFuture, limit: 10, newest: false)
        #expect(a.map(\.deviceTime) == [at + 1, at + 3, at + 5])
        let newestB = try await store.positionHistory(ofUnit: "b", from: .distantPast, to: .distantFuture, limit: 1, newest: true)
        #expect(newestB.map(\.deviceTime) == [at + 4])
    }

    @Test func positionsAndOnlineChangesAreAnnounced() async throws {
        _ = try await store.createUnit(FieldUnit(id: "u", name: "u", kind: .tracker))
        let tracker = try await tracker()
        let stream = events.subscribe()
        _ = await tracker.submit([report("u", 39.9, 116.4)], source: .http)
        var iterator = stream.makeAsyncIterator()
        let online = await iterator.next()
        let position = await iterator.next()
        #expect(online?.kind == .unitOnline && online?.fields["unit"] == "u")
        #expect(position?.kind == .unitPosition && position?.values["latitude"] == 39.9 && position?.fields["source"] == "http")
        await tracker.stop()
    }
}
