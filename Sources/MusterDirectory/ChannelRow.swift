import Foundation
import GRDB
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

    /// Binds `insert`'s parameters: path, the writable columns (see `bindValues`), times.
    static func bindInsert(_ channel: Channel, now: Double, to binder: inout SQLiteRowBinder) {
        binder.bind(channel.path.rawValue)
        bindValues(of: channel, to: &binder)
        binder.bind(now)
        binder.bind(now)
    }

    /// Binds `replace`'s parameters: the writable columns, `updated_at`, the row id.
    static func bindUpdate(_ channel: Channel, now: Double, id: Int64, to binder: inout SQLiteRowBinder) {
        bindValues(of: channel, to: &binder)
        binder.bind(now)
        binder.bind(id)
    }

    /// `name, name_folded, kind, source, zone, unit_id, latitude, longitude, tags, on_demand`.
    private static func bindValues(of channel: Channel, to binder: inout SQLiteRowBinder) {
        binder.bind(channel.name)
        binder.bind(storedFolded(channel.name))
        binder.bind(channel.kind.rawValue)
        binder.bind(channel.source.storedValue)
        binder.bind(channel.zone)
        binder.bind(channel.unitID)
        binder.bind(channel.latitude)
        binder.bind(channel.longitude)
        binder.bind(ChannelTags.encode(channel.tags))
        binder.bind(Int64(channel.onDemand ? 1 : 0))
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
