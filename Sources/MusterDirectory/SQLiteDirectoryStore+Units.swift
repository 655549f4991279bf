import Foundation
import GRDB

extension SQLiteDirectoryStore {
    public func createUnit(_ unit: FieldUnit) async throws(DirectoryError) -> FieldUnit {
        try ChannelValidation.validate(unit)
        let now = Date().timeIntervalSince1970
        return try await writing { db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO unit (id, name, kind, latitude, longitude, altitude, speed, heading, accuracy, device_time,
                    received_at, position_source, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
                """)
            try statement.execute(arguments: StatementArguments([unit.id, unit.name, unit.kind.rawValue] + UnitRow.positionValues(unit.lastPosition) + [now, now]))
            guard db.changesCount > 0 else { throw DirectoryError.unitExists(id: unit.id) }
            var stored = unit
            stored.createdAt = Date(timeIntervalSince1970: now)
            stored.updatedAt = stored.createdAt
            return stored
        }
    }

    public func updateUnit(id: String, with patch: UnitPatch) async throws(DirectoryError) -> FieldUnit {
        if let name = patch.name { try ChannelValidation.validateName(name) }
        let now = Date().timeIntervalSince1970
        return try await writing { db in
            guard var unit = try UnitRow.fetch(db, id: id) else { throw DirectoryError.unitNotFound(id: id) }
            if let name = patch.name { unit.name = name }
            if let kind = patch.kind { unit.kind = kind }
            unit.updatedAt = Date(timeIntervalSince1970: now)
            try db.execute(
                sql: "UPDATE unit SET name = ?, kind = ?, updated_at = ? WHERE id = ?",
                arguments: [unit.name, unit.kind.rawValue, now, id]
            )
            return unit
        }
    }

    /// Channels tied to the unit keep their `unit_id`: it names a device, which may be registered again.
    @discardableResult
    public func deleteUnit(id: String) async throws(DirectoryError) -> FieldUnit {
        try await writing { db in
            guard let unit = try UnitRow.fetch(db, id: id) else { throw DirectoryError.unitNotFound(id: id) }
            try db.execute(sql: "DELETE FROM unit WHERE id = ?", arguments: [id])
            return unit
        }
    }

    public func unit(id: String) async throws(DirectoryError) -> FieldUnit? {
        try await reading { db in try UnitRow.fetch(db, id: id) }
    }

    public func units(afterID: String?, limit: Int) async throws(DirectoryError) -> [FieldUnit] {
        let limit = max(limit, 0)
        return try await reading { db in
            try Row.fetchAll(
                db, sql: "SELECT \(UnitRow.columns) FROM unit WHERE id > ? ORDER BY id LIMIT ?",
                arguments: [afterID ?? "", limit]
            ).map(UnitRow.unit(from:))
        }
    }
}

/// How a unit maps to its row.
enum UnitRow {
    static let columns = "id, name, kind, latitude, longitude, altitude, speed, heading, accuracy, device_time, received_at, position_source, created_at, updated_at"

    static func fetch(_ db: Database, id: String) throws -> FieldUnit? {
        try Row.fetchOne(db, sql: "SELECT \(columns) FROM unit WHERE id = ?", arguments: [id]).map(unit(from:))
    }

    static func unit(from row: Row) throws -> FieldUnit {
        let kindText: String = row[2]
        guard let kind = UnitKind(rawValue: kindText) else {
            throw DirectoryError.storage(message: "unit row '\(row[0] as String)' holds an unknown kind '\(kindText)'")
        }
        var position: UnitPosition?
        if let latitude = row[3] as Double?, let longitude = row[4] as Double?,
           let deviceTime = row[9] as Double?, let receivedAt = row[10] as Double? {
            position = UnitPosition(
                latitude: latitude, longitude: longitude, altitude: row[5], speed: row[6], heading: row[7], accuracy: row[8],
                deviceTime: Date(timeIntervalSince1970: deviceTime), receivedAt: Date(timeIntervalSince1970: receivedAt),
                source: row[11] ?? ""
            )
        }
        return FieldUnit(
            id: row[0], name: row[1], kind: kind, lastPosition: position,
            createdAt: Date(timeIntervalSince1970: row[12]), updatedAt: Date(timeIntervalSince1970: row[13])
        )
    }

    /// `latitude … position_source`, all NULL without a position.
    static func positionValues(_ position: UnitPosition?) -> [(any DatabaseValueConvertible)?] {
        guard let position else { return Array(repeating: nil, count: 9) }
        return [
            position.latitude, position.longitude, position.altitude, position.speed, position.heading, position.accuracy,
            position.deviceTime.timeIntervalSince1970, position.receivedAt.timeIntervalSince1970, position.source,
        ]
    }
}
