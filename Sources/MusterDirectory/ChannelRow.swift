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

    /// The arguments of `ChannelWrites.insert`: path, the writable columns (see `values`), times.
    static func insertArguments(_ channel: Channel, now: Double) -> StatementArguments {
        var values: [(any DatabaseValueConvertible)?] = []
        values.reserveCapacity(13)
        values.append(channel.path.rawValue)
        appendValues(of: channel, to: &values)
        values.append(now)
        values.append(now)
        return StatementArguments(values)
    }

    /// The arguments of `ChannelWrites.replace`: the writable columns, `updated_at`, the row id.
    static func updateArguments(_ channel: Channel, now: Double, id: Int64) -> StatementArguments {
        var values: [(any DatabaseValueConvertible)?] = []
        values.reserveCapacity(12)
        appendValues(of: channel, to: &values)
        values.append(now)
        values.append(id)
        return StatementArguments(values)
    }

    /// `name, name_folded, kind, source, zone, unit_id, latitude, longitude, tags, on_demand`.
    /// One array per row, built in place: in import profiles GRDB's argument conversion (generic,
    /// not specialized across modules) costs as much as SQLite's insert.
    private static func appendValues(of channel: Channel, to values: inout [(any DatabaseValueConvertible)?]) {
        values.append(channel.name)
        values.append(storedFolded(channel.name))
        values.append(channel.kind.rawValue)
        values.append(channel.source.storedValue)
        values.append(channel.zone)
        values.append(channel.unitID)
        values.append(channel.latitude)
        values.append(channel.longitude)
        values.append(ChannelTags.encode(channel.tags))
        values.append(channel.onDemand)
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
