import Foundation
import GRDB
import GRDBSQLite
import MusterCore

/// A channel as stored: the public value plus the row's id, its raw times (the exact doubles a
/// cursor must repeat) and whether the deferred indexes hold it.
struct StoredChannel: Sendable {
    var id: Int64
    var indexed: Bool
    var createdAt: Double
    var updatedAt: Double
    var channel: Channel

    /// The columns `init(row:)` reads, in order, for a table aliased `c`.
    static let columns = "c.id, c.indexed, c.path, c.name, c.kind, c.source, c.zone, c.unit_id, c.latitude, c.longitude, c.tags, c.on_demand, c.created_at, c.updated_at"

    init(row: Row) throws {
        id = row[0]
        indexed = row[1]
        createdAt = row[12]
        updatedAt = row[13]
        let pathText: String = row[2]
        let kindText: String = row[4]
        guard let path = try? ChannelPath(validating: pathText), let kind = ChannelKind(rawValue: kindText) else {
            throw DirectoryError.storage(message: "channel row \(id) holds an invalid path or kind ('\(pathText)', '\(kindText)')")
        }
        channel = Channel(
            path: path, name: row[3], kind: kind, source: ChannelSource(storedValue: row[5]),
            zone: row[6], unitID: row[7], latitude: row[8], longitude: row[9],
            tags: ChannelTags.decode(row[10]), onDemand: row[11],
            createdAt: Date(timeIntervalSince1970: createdAt), updatedAt: Date(timeIntervalSince1970: updatedAt)
        )
    }

    static func fetch(_ db: Database, path: String) throws -> StoredChannel? {
        let statement = try db.cachedStatement(sql: "SELECT \(columns) FROM channel c WHERE c.path = ?")
        return try Row.fetchOne(statement, arguments: [path]).map(StoredChannel.init(row:))
    }

    /// The value column that the given sort orders by, as stored.
    func sortValue(_ sort: ChannelQuery.SortKey) -> ChannelCursor.Value {
        switch sort {
        case .path: .text(channel.path.rawValue)
        case .name: .text(channel.name)
        case .createdAt: .number(createdAt)
        case .updatedAt: .number(updatedAt)
        }
    }
}

/// How channel fields become column values.
enum ChannelColumns {
    /// Case folding for search: applied to names when stored and to queries, so both sides agree.
    static func folded(_ name: String) -> String { name.lowercased() }

    /// `name_folded`: nil when folding changes nothing, which saves the copy for most names.
    static func storedFolded(_ name: String) -> String? {
        // Most names are ASCII or CJK: decide those without Unicode case tables.
        for scalar in name.unicodeScalars {
            switch scalar.value {
            case 0x41...0x5A: return folded(name)
            case 0...0x7F, 0x3000...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF: continue
            default:
                let folded = folded(name)
                return folded.utf8.elementsEqual(name.utf8) ? nil : folded
            }
        }
        return nil
    }

    /// `insert`'s parameters: path, the writable columns (see `values`), times.
    static func insertParameters(_ channel: Channel, now: Double) -> [SQLParameter] {
        [.text(channel.path.rawValue)] + values(of: channel) + [.real(now), .real(now)]
    }

    /// `replace`'s parameters: the writable columns, `updated_at`, the row id.
    static func updateParameters(_ channel: Channel, now: Double, id: Int64) -> [SQLParameter] {
        values(of: channel) + [.real(now), .integer(id)]
    }

    /// `name, name_folded, kind, source, zone, unit_id, latitude, longitude, tags, on_demand`.
    private static func values(of channel: Channel) -> [SQLParameter] {
        [
            .text(channel.name), .text(storedFolded(channel.name)), .text(channel.kind.rawValue), .text(channel.source.storedValue),
            .text(channel.zone), .text(channel.unitID), .real(channel.latitude), .real(channel.longitude),
            .text(ChannelTags.encode(channel.tags)), .integer(channel.onDemand ? 1 : 0),
        ]
    }
}

/// A statement parameter for `SQLiteStatementRun`.
enum SQLParameter {
    case text(String?)
    case real(Double?)
    case integer(Int64)
}

/// Runs a prepared data-changing statement through SQLite's C interface. GRDB's
/// `StatementArguments` box every value in an existential and convert it generically (not
/// specialized across modules), and its execution path does bookkeeping per run; in bulk import
/// profiles that, with SQLite's copy of every text, cost more than the insert itself. Texts are
/// copied once into one buffer that stays valid until the step is done, and bound without a copy.
/// No transaction observer is registered on this database, so GRDB has nothing to be told.
enum SQLiteStatementRun {
    /// Binds `parameters` in order, steps once and resets; the number of rows changed.
    static func execute(_ statement: Statement, in db: Database, _ parameters: [SQLParameter]) throws -> Int {
        var text: [UInt8] = []
        var spans: [Range<Int>?] = []
        spans.reserveCapacity(parameters.count)
        for parameter in parameters {
            guard case .text(let value) = parameter else { spans.append(nil); continue }
            guard let value else { spans.append(nil); continue }
            let start = text.count
            text.append(contentsOf: value.utf8)
            spans.append(start..<text.count)
        }
        let handle = statement.sqliteStatement
        return try text.withUnsafeBufferPointer { bytes in
            // The bindings point into `bytes`: every run binds every parameter again before it steps.
            defer { sqlite3_reset(handle) }
            for (offset, parameter) in parameters.enumerated() {
                let index = Int32(offset + 1)
                let code: Int32
                switch parameter {
                case .text(.some):
                    let span = spans[offset]!
                    // An empty text needs an address too: a null pointer would bind NULL, not ''.
                    let base = bytes.baseAddress.map { UnsafeRawPointer($0 + span.lowerBound) } ?? UnsafeRawPointer(bitPattern: 1)!
                    code = sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), Int32(span.count), nil)
                case .text(nil), .real(nil): code = sqlite3_bind_null(handle, index)
                case .real(.some(let number)): code = sqlite3_bind_double(handle, index, number)
                case .integer(let number): code = sqlite3_bind_int64(handle, index, number)
                }
                guard code == SQLITE_OK else { throw error(code, db, statement) }
            }
            let code = sqlite3_step(handle)
            guard code == SQLITE_DONE else { throw error(code, db, statement) }
            return Int(sqlite3_changes(db.sqliteConnection))
        }
    }

    private static func error(_ code: Int32, _ db: Database, _ statement: Statement) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
    }
}

/// Tags are stored as a JSON array. Validated tags are plain `[a-z0-9_-]`, so the encoder needs no
/// escaping; the decoder falls back to Foundation for anything written by other hands.
enum ChannelTags {
    static func encode(_ tags: [String]) -> String {
        if tags.isEmpty { return "[]" }
        return "[\"" + tags.joined(separator: "\",\"") + "\"]"
    }

    static func decode(_ text: String) -> [String] {
        if text == "[]" { return [] }
        if text.hasPrefix("[\""), text.hasSuffix("\"]"), text.utf8.allSatisfy(isPlain) {
            return text.dropFirst(2).dropLast(2).components(separatedBy: "\",\"")
        }
        return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }

    /// A byte of `["a-b","c_d"]`: no spaces, escapes or other JSON.
    private static func isPlain(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "\""), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"): true
        default: false
        }
    }
}
