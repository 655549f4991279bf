import Foundation
import GRDB
import MusterCore

extension SQLiteDirectoryStore {
    public func createChannel(_ channel: Channel) async throws(DirectoryError) -> Channel {
        let channel = try ChannelValidation.validated(channel)
        let now = Date().timeIntervalSince1970
        return try await writingChannels { db in
            guard try ChannelWrites.insert(db, channel, now: now) else { throw DirectoryError.channelExists(path: channel.path.rawValue) }
            return ChannelWrites.stamped(channel, created: now, updated: now)
        }
    }

    public func upsertChannel(_ channel: Channel) async throws(DirectoryError) -> Channel {
        let channel = try ChannelValidation.validated(channel)
        let now = Date().timeIntervalSince1970
        return try await writingChannels { db in try ChannelWrites.upsert(db, channel, now: now) }
    }

    public func updateChannel(at path: ChannelPath, with patch: ChannelPatch) async throws(DirectoryError) -> Channel {
        let now = Date().timeIntervalSince1970
        return try await writingChannels { db in
            guard let old = try StoredChannel.fetch(db, path: path.rawValue) else { throw DirectoryError.channelNotFound(path: path.rawValue) }
            let updated = try ChannelValidation.validated(patch.applied(to: old.channel))
            return try ChannelWrites.replace(db, old, with: updated, now: now)
        }
    }

    @discardableResult
    public func deleteChannel(at path: ChannelPath) async throws(DirectoryError) -> Channel {
        try await writingChannels { db in
            guard let old = try StoredChannel.fetch(db, path: path.rawValue) else { throw DirectoryError.channelNotFound(path: path.rawValue) }
            try ChannelIndexCatchUp.removeIndexEntries(db, of: old)
            try db.execute(sql: "DELETE FROM channel WHERE id = ?", arguments: [old.id])
            return old.channel
        }
    }

    public func channel(at path: ChannelPath) async throws(DirectoryError) -> Channel? {
        try await reading { db in try StoredChannel.fetch(db, path: path.rawValue)?.channel }
    }

    public func channels(matching query: ChannelQuery) async throws(DirectoryError) -> ChannelPage {
        let request = try ChannelListingRequest(query)
        if request.matchesNothing { return ChannelPage(channels: [], nextCursor: nil) }
        let probeCap = listingProbeCap
        return try await reading { db in try ChannelListing.page(db, request, probeCap: probeCap) }
    }

    public func channelCount() async throws(DirectoryError) -> Int {
        try await reading { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM channel") ?? 0 }
    }

    public func importChannels(_ rows: [(row: Int, channel: ValidatedChannel)], upsert: Bool) async throws(DirectoryError) -> ChannelImportResult {
        let now = Date().timeIntervalSince1970
        let (imported, collisions) = try await writingChannels(rows: rows.count) { db in
            var imported = 0
            var collisions: [ChannelImportResult.RowError] = []
            for (row, validated) in rows {
                let channel = validated.channel
                if try ChannelWrites.insert(db, channel, now: now) {
                    imported += 1
                } else if upsert {
                    _ = try ChannelWrites.upsert(db, channel, now: now)
                    imported += 1
                } else {
                    collisions.append(.init(row: row, message: DirectoryError.channelExists(path: channel.path.rawValue).description))
                }
            }
            return (imported, collisions)
        }
        return ChannelImportResult(imported: imported, errors: collisions)
    }

    public func alwaysOnPullChannels() async throws(DirectoryError) -> [Channel] {
        try await reading { db in
            try Row.fetchAll(db, sql: "SELECT \(StoredChannel.columns) FROM channel c WHERE c.on_demand = 0 AND c.source <> 'push' ORDER BY c.path")
                .map { try StoredChannel(row: $0).channel }
        }
    }

    public func channelPaths(ofUnit id: String) async throws(DirectoryError) -> [ChannelPath] {
        try await reading { db in
            try String.fetchAll(db, sql: "SELECT path FROM channel INDEXED BY channel_by_unit WHERE unit_id = ? ORDER BY path", arguments: [id])
                .compactMap { try? ChannelPath(validating: $0) }
        }
    }
}

/// The statements every channel write shares. Callers have validated the channel.
enum ChannelWrites {
    /// Inserts a new channel; false when its path is taken.
    static func insert(_ db: Database, _ channel: Channel, now: Double) throws -> Bool {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO channel (path, name, name_folded, kind, source, zone, unit_id, latitude, longitude, tags, on_demand, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (path) DO NOTHING
            """)
        var binder = SQLiteRowBinder(statement)
        ChannelColumns.bindInsert(channel, now: now, to: &binder)
        return try binder.run(db) > 0
    }

    /// Creates the channel, or replaces an existing one's fields (not `createdAt`).
    static func upsert(_ db: Database, _ channel: Channel, now: Double) throws -> Channel {
        if let old = try StoredChannel.fetch(db, path: channel.path.rawValue) {
            return try replace(db, old, with: channel, now: now)
        }
        _ = try insert(db, channel, now: now)
        return stamped(channel, created: now, updated: now)
    }

    /// Writes `channel` over `old`. Nothing is written, and `updatedAt` stays, when nothing
    /// changed: re-importing the same file must not rebuild the indexes of every row.
    static func replace(_ db: Database, _ old: StoredChannel, with channel: Channel, now: Double) throws -> Channel {
        if sameContent(old.channel, channel) { return old.channel }
        try ChannelIndexCatchUp.removeIndexEntries(db, of: old)
        let statement = try db.cachedStatement(sql: """
            UPDATE channel SET name = ?, name_folded = ?, kind = ?, source = ?, zone = ?, unit_id = ?, latitude = ?,
                longitude = ?, tags = ?, on_demand = ?, updated_at = ?, indexed = 0
            WHERE id = ?
            """)
        var binder = SQLiteRowBinder(statement)
        ChannelColumns.bindUpdate(channel, now: now, id: old.id, to: &binder)
        try binder.run(db)
        return stamped(channel, created: old.createdAt, updated: now)
    }

    static func stamped(_ channel: Channel, created: Double, updated: Double) -> Channel {
        var channel = channel
        channel.createdAt = Date(timeIntervalSince1970: created)
        channel.updatedAt = Date(timeIntervalSince1970: updated)
        return channel
    }

    /// Field by field, names compared as stored bytes (Swift's `==` equates canonically equivalent text).
    private static func sameContent(_ a: Channel, _ b: Channel) -> Bool {
        a.name.utf8.elementsEqual(b.name.utf8) && a.kind == b.kind && a.source.storedValue.utf8.elementsEqual(b.source.storedValue.utf8)
            && a.zone == b.zone && a.unitID == b.unitID && a.latitude == b.latitude && a.longitude == b.longitude
            && a.tags == b.tags && a.onDemand == b.onDemand
    }
}
