import Foundation
import GRDB
import MusterCore

extension SQLiteDirectoryStore {
    /// Rows per journal INSERT: one statement run per row cost more than binding the values.
    static let journalRowsPerInsert = 32

    @discardableResult
    public func recordPositions(_ records: [UnitPositionRecord], creatingUnits: [FieldUnit]) async throws(DirectoryError) -> Int64 {
        guard !records.isEmpty || !creatingUnits.isEmpty else { return 0 }
        for unit in creatingUnits { try ChannelValidation.validate(unit) }
        let now = Date().timeIntervalSince1970
        return try await writing { db in
            if !creatingUnits.isEmpty {
                let create = try db.cachedStatement(sql: """
                    INSERT INTO unit (id, name, kind, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
                    """)
                for unit in creatingUnits {
                    create.setUncheckedArguments([unit.id, unit.name, unit.kind.rawValue, now, now])
                    try create.execute()
                }
            }
            try Self.appendToJournal(records, db)
            return db.lastInsertedRowID
        }
    }

    private static func appendToJournal(_ records: [UnitPositionRecord], _ db: Database) throws {
        let columns = "(unit_id, device_time, received_at, latitude, longitude, altitude, speed, heading, accuracy, source)"
        let row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        var many = SQLiteRowBinder(try db.cachedStatement(sql: """
            INSERT INTO position_journal \(columns) VALUES \(Array(repeating: row, count: journalRowsPerInsert).joined(separator: ", "))
            """))
        var one = SQLiteRowBinder(try db.cachedStatement(sql: "INSERT INTO position_journal \(columns) VALUES \(row)"))
        func bind(_ record: UnitPositionRecord, to binder: inout SQLiteRowBinder) {
            let position = record.position
            binder.bind(record.unitID)
            binder.bind(position.deviceTime.timeIntervalSince1970)
            binder.bind(position.receivedAt.timeIntervalSince1970)
            binder.bind(position.latitude)
            binder.bind(position.longitude)
            binder.bind(position.altitude)
            binder.bind(position.speed)
            binder.bind(position.heading)
            binder.bind(position.accuracy)
            binder.bind(position.source)
        }
        var start = records.startIndex
        while records.endIndex - start >= journalRowsPerInsert {
            for record in records[start..<(start + journalRowsPerInsert)] { bind(record, to: &many) }
            try many.run(db)
            start += journalRowsPerInsert
        }
        for record in records[start...] {
            bind(record, to: &one)
            try one.run(db)
        }
    }

    /// Rows per last-position transaction: position commits queue behind each one, so it stays short.
    static let lastPositionBatchSize = 5_000

    public func saveLastPositions(_ records: [UnitPositionRecord], throughJournalID journalID: Int64) async throws(DirectoryError) {
        // All but the last chunk without the watermark: it moves only once every position is saved.
        var remaining = records[...]
        while remaining.count > Self.lastPositionBatchSize {
            let chunk = Array(remaining.prefix(Self.lastPositionBatchSize))
            remaining = remaining.dropFirst(Self.lastPositionBatchSize)
            try await writeLastPositions(chunk, throughJournalID: nil)
        }
        try await writeLastPositions(Array(remaining), throughJournalID: journalID)
    }

    private func writeLastPositions(_ records: [UnitPositionRecord], throughJournalID journalID: Int64?) async throws(DirectoryError) {
        try await writing { db in
            // A late position (older device time than the stored one) stays in the history only.
            var makeLatest = SQLiteRowBinder(try db.cachedStatement(sql: """
                UPDATE unit SET latitude = ?, longitude = ?, altitude = ?, speed = ?, heading = ?, accuracy = ?,
                    device_time = ?, received_at = ?, position_source = ?
                WHERE id = ? AND (device_time IS NULL OR device_time <= ?)
                """))
            for record in records {
                let position = record.position
                makeLatest.bind(position.latitude)
                makeLatest.bind(position.longitude)
                makeLatest.bind(position.altitude)
                makeLatest.bind(position.speed)
                makeLatest.bind(position.heading)
                makeLatest.bind(position.accuracy)
                makeLatest.bind(position.deviceTime.timeIntervalSince1970)
                makeLatest.bind(position.receivedAt.timeIntervalSince1970)
                makeLatest.bind(position.source)
                makeLatest.bind(record.unitID)
                makeLatest.bind(position.deviceTime.timeIntervalSince1970)
                try makeLatest.run(db)
            }
            guard let journalID else { return }
            try db.execute(
                sql: "UPDATE last_position_watermark SET journal_id = max(journal_id, ?) WHERE singleton = 1", arguments: [journalID]
            )
        }
    }

    public func positionsAfterLastSave(afterID: Int64?, limit: Int) async throws(DirectoryError) -> [(id: Int64, record: UnitPositionRecord)] {
        try await reading { db in
            let start: Int64
            if let afterID {
                start = afterID
            } else {
                start = try Self.journalWatermark(db)
            }
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, unit_id, latitude, longitude, altitude, speed, heading, accuracy, device_time, received_at, source
                FROM position_journal WHERE id > ? ORDER BY id LIMIT ?
                """, arguments: [start, max(limit, 0)])
            return rows.map { row in
                let position = UnitPosition(
                    latitude: row[2], longitude: row[3], altitude: row[4], speed: row[5], heading: row[6], accuracy: row[7],
                    deviceTime: Date(timeIntervalSince1970: row[8]), receivedAt: Date(timeIntervalSince1970: row[9]), source: row[10]
                )
                return (row[0], UnitPositionRecord(unitID: row[1], position: position))
            }
        }
    }

    public func positionHistory(ofUnit id: String, from: Date, to: Date, limit: Int, newest: Bool) async throws(DirectoryError) -> [UnitPosition] {
        let order = newest ? "DESC" : "ASC"
        let positions = try await reading { db in
            let arguments: StatementArguments = [id, from.timeIntervalSince1970, to.timeIntervalSince1970, max(limit, 0)]
            let compacted = try db.cachedStatement(sql: """
                SELECT \(Self.positionColumns) FROM position_history INDEXED BY position_history_by_unit
                WHERE unit_id = ? AND device_time BETWEEN ? AND ? ORDER BY device_time \(order) LIMIT ?
                """)
            // The journal holds the last few seconds, unindexed: a short scan.
            let recent = try db.cachedStatement(sql: """
                SELECT \(Self.positionColumns) FROM position_journal
                WHERE unit_id = ? AND device_time BETWEEN ? AND ? ORDER BY device_time \(order) LIMIT ?
                """)
            return try Row.fetchAll(compacted, arguments: arguments).map(Self.position(from:))
                + Row.fetchAll(recent, arguments: arguments).map(Self.position(from:))
        }
        // Stable: positions with equal device times keep the order they were stored in.
        let sorted = positions.enumerated().sorted { a, b in
            a.element.deviceTime != b.element.deviceTime ? a.element.deviceTime < b.element.deviceTime : a.offset < b.offset
        }.map(\.element)
        return newest ? Array(sorted.suffix(max(limit, 0))) : Array(sorted.prefix(max(limit, 0)))
    }

    static let positionColumns = "latitude, longitude, altitude, speed, heading, accuracy, device_time, received_at, source"

    static func position(from row: Row) -> UnitPosition {
        UnitPosition(
            latitude: row[0], longitude: row[1], altitude: row[2], speed: row[3], heading: row[4], accuracy: row[5],
            deviceTime: Date(timeIntervalSince1970: row[6]), receivedAt: Date(timeIntervalSince1970: row[7]), source: row[8]
        )
    }

    static func journalWatermark(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT journal_id FROM last_position_watermark WHERE singleton = 1") ?? 0
    }

    /// Journal rows moved per transaction: position commits wait for each one, so it stays short
    /// (20 000 rows held the writer for a few hundred milliseconds on two busy cores). Each unit has
    /// at most a row or two in such a span, so larger batches would not write fewer index pages.
    static let compactionBatchSize = 5_000

    public func compactPositionJournal() async throws(DirectoryError) -> Int {
        var moved = 0
        while true {
            let count = try await writing { db -> Int in
                // Rows after the watermark wait until their last positions are saved: a restart
                // replays them from the journal.
                let watermark = try Self.journalWatermark(db)
                guard let first = try Int64.fetchOne(db, sql: "SELECT min(id) FROM position_journal"), first <= watermark else { return 0 }
                let last = min(watermark, first + Int64(Self.compactionBatchSize) - 1)
                // In unit order, so that each unit's rows land together in the (unit, time) index.
                try db.execute(sql: """
                    INSERT INTO position_history (unit_id, device_time, received_at, latitude, longitude, altitude, speed, heading, accuracy, source)
                    SELECT unit_id, device_time, received_at, latitude, longitude, altitude, speed, heading, accuracy, source
                    FROM position_journal WHERE id BETWEEN ? AND ? ORDER BY unit_id, device_time
                    """, arguments: [first, last])
                try db.execute(sql: "DELETE FROM position_journal WHERE id BETWEEN ? AND ?", arguments: [first, last])
                return db.changesCount
            }
            guard count > 0 else { return moved }
            moved += count
        }
    }

    /// Rows per retention transaction: small enough that position writes wait milliseconds, not seconds.
    static let retentionBatchSize: Int64 = 20_000

    public func deletePositionHistory(receivedBefore cutoff: Date) async throws(DirectoryError) -> Int {
        let boundary = try await reading { db in try Self.lastHistoryID(db, receivedBefore: cutoff.timeIntervalSince1970) }
        guard let boundary else { return 0 }
        var deleted = 0
        while true {
            let count = try await writing { db -> Int in
                guard let first = try Int64.fetchOne(db, sql: "SELECT min(id) FROM position_history"), first <= boundary else { return 0 }
                try db.execute(
                    sql: "DELETE FROM position_history WHERE id BETWEEN ? AND ?",
                    arguments: [first, min(boundary, first + Self.retentionBatchSize - 1)]
                )
                return db.changesCount
            }
            guard count > 0 else { return deleted }
            deleted += count
        }
    }

    /// The id of the newest row received before `cutoff`. Ids grow with receive time (rows are
    /// appended as they arrive), so a binary search over ids finds it with point lookups.
    private static func lastHistoryID(_ db: Database, receivedBefore cutoff: Double) throws -> Int64? {
        guard var low = try Int64.fetchOne(db, sql: "SELECT min(id) FROM position_history"),
              var high = try Int64.fetchOne(db, sql: "SELECT max(id) FROM position_history") else { return nil }
        let receivedAt = try db.cachedStatement(sql: "SELECT id, received_at FROM position_history WHERE id >= ? ORDER BY id LIMIT 1")
        func firstRow(atOrAfter id: Int64) throws -> (id: Int64, receivedAt: Double)? {
            try Row.fetchOne(receivedAt, arguments: [id]).map { ($0[0], $0[1]) }
        }
        guard let oldest = try firstRow(atOrAfter: low), oldest.receivedAt < cutoff else { return nil }
        // Invariant: the row at or after `low` was received before the cutoff; find the last such row.
        while low < high {
            let middle = low + (high - low + 1) / 2
            guard let row = try firstRow(atOrAfter: middle) else { high = middle - 1; continue }
            if row.receivedAt < cutoff { low = row.id } else { high = middle - 1 }
        }
        return low
    }

    public func locatedChannels(latitudes: ClosedRange<Double>, longitudes: ClosedRange<Double>, limit: Int) async throws(DirectoryError) -> [LocatedChannel] {
        try await reading { db in
            let statement = try db.cachedStatement(sql: """
                SELECT c.path, c.latitude, c.longitude, c.unit_id FROM channel_location l JOIN channel c ON c.id = l.id
                WHERE l.max_latitude >= ? AND l.min_latitude <= ? AND l.max_longitude >= ? AND l.min_longitude <= ?
                    AND c.latitude IS NOT NULL AND c.longitude IS NOT NULL
                LIMIT ?
                """)
            return try Row.fetchAll(
                statement, arguments: [latitudes.lowerBound, latitudes.upperBound, longitudes.lowerBound, longitudes.upperBound, max(limit, 0)]
            ).compactMap { row in
                guard let path = try? ChannelPath(validating: row[0] as String) else { return nil }
                return LocatedChannel(path: path, latitude: row[1], longitude: row[2], unitID: row[3])
            }
        }
    }

    public func channels(ofUnits ids: [String]) async throws(DirectoryError) -> [Channel] {
        guard !ids.isEmpty else { return [] }
        return try await reading { db in
            let statement = try db.cachedStatement(sql: "SELECT \(StoredChannel.columns) FROM channel c INDEXED BY channel_by_unit WHERE c.unit_id = ?")
            var channels: [Channel] = []
            for id in ids {
                channels += try Row.fetchAll(statement, arguments: [id]).map { try StoredChannel(row: $0).channel }
            }
            return channels
        }
    }

    public func channels(at paths: [ChannelPath]) async throws(DirectoryError) -> [Channel] {
        guard !paths.isEmpty else { return [] }
        return try await reading { db in
            try paths.compactMap { try StoredChannel.fetch(db, path: $0.rawValue)?.channel }
        }
    }
}
