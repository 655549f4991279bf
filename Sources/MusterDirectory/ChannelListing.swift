import GRDB

/// Runs one page of `channels(matching:)` inside a read transaction.
///
/// SQLite's planner, even with statistics, costs an ordered index scan as if it read every row,
/// although a `LIMIT 100` stops it early: for "kind = drone, sorted by name" it sorts 300 000 rows
/// instead of walking the name index for 700. So this planner counts, up to a cap, how many index
/// entries each usable filter would read, and picks:
/// 1. the narrowest access path if it reads fewer than `probeCap` entries (ordered ones win ties);
/// 2. else an access path that is already in the sort order (it stops after the page);
/// 3. else the sort order's own index, checking every filter per row.
/// With a cap of 10 000 the worst case is about 10 000 rows read either way (few matches sorted, or
/// 10 000 ÷ matches × page-size rows walked), which stays within a few milliseconds.
enum ChannelListing {
    static let defaultProbeCap = 10_000

    static func page(_ db: Database, _ request: ChannelListingRequest, probeCap: Int) throws -> ChannelPage {
        let candidates = try request.name?.candidateIDs(db, cap: probeCap)
        let driver = try chooseDriver(db, request, candidates: candidates, probeCap: probeCap)
        var rows = try fetch(db, .indexed(request, driver: driver, candidates: candidates))
        if try ChannelIndexCatchUp.hasPending(db) {
            rows += try fetch(db, .pending(request))
            rows.sort(by: request.precedes)
        }
        let hasMore = rows.count > request.limit
        let page = rows.prefix(request.limit)
        let next = hasMore ? page.last.map { ChannelCursor(after: $0, sort: request.sort, descending: request.descending).encoded } : nil
        return ChannelPage(channels: page.map(\.channel), nextCursor: next)
    }

    private static func fetch(_ db: Database, _ query: ChannelListingSQL) throws -> [StoredChannel] {
        let statement = try db.cachedStatement(sql: query.sql)
        return try Row.fetchAll(statement, arguments: query.arguments).map(StoredChannel.init(row:))
    }

    private struct Option {
        var driver: ChannelScanDriver
        var count: Int
        var ordered: Bool
    }

    static func chooseDriver(_ db: Database, _ request: ChannelListingRequest, candidates: [Int64]?, probeCap: Int) throws -> ChannelScanDriver {
        var options: [Option] = []
        let byPath = request.sort == .path
        let range = request.pathPrefix.map { [$0.exact, $0.end] as StatementArguments }
        if let kind = request.kind?.rawValue, let zone = request.zone {
            let count = try probe(db, cap: probeCap, "channel_by_kind_zone_path", "indexed = 1 AND kind = ? AND zone = ?", [kind, zone], range: range)
            options.append(Option(driver: .kindZone(byName: false), count: count, ordered: byPath))
            if request.sort == .name {
                let all = range == nil ? count : try probe(db, cap: probeCap, "channel_by_kind_zone_path", "indexed = 1 AND kind = ? AND zone = ?", [kind, zone], range: nil)
                options.append(Option(driver: .kindZone(byName: true), count: all, ordered: true))
            }
        } else if let zone = request.zone {
            let count = try probe(db, cap: probeCap, "channel_by_zone_path", "indexed = 1 AND zone = ?", [zone], range: range)
            options.append(Option(driver: .zone(byName: false), count: count, ordered: byPath))
            if request.sort == .name {
                let all = range == nil ? count : try probe(db, cap: probeCap, "channel_by_zone_path", "indexed = 1 AND zone = ?", [zone], range: nil)
                options.append(Option(driver: .zone(byName: true), count: all, ordered: true))
            }
        } else if let kind = request.kind?.rawValue {
            let count = try probe(db, cap: probeCap, "channel_by_kind_zone_path", "indexed = 1 AND kind = ?", [kind], range: nil)
            options.append(Option(driver: .kind, count: count, ordered: false))
        }
        if let tag = request.tag {
            options.append(Option(driver: .tag, count: try probeTag(db, tag, range: range, cap: probeCap), ordered: byPath))
        }
        if let range {
            // The unique path index has no `indexed` column: count all rows, pending ones too.
            options.append(Option(driver: .pathRange, count: try probe(db, cap: probeCap, "channel_path", "1", [], range: range), ordered: byPath))
        }
        if let only = request.onlyPaths {
            options.append(Option(driver: .onlyPaths, count: only.count, ordered: false))
        }
        if let candidates {
            options.append(Option(driver: .nameCandidates, count: candidates.count, ordered: false))
        }

        let narrowest = options.min { ($0.count, $0.ordered ? 0 : 1) < ($1.count, $1.ordered ? 0 : 1) }
        if let narrowest, narrowest.count < probeCap { return narrowest.driver }
        if let ordered = options.first(where: \.ordered) { return ordered.driver }
        return .sortOrder
    }

    /// How many entries of `index` match, counted up to `probeCap` (covering: no table reads).
    private static func probe(_ db: Database, cap: Int, _ index: String, _ condition: String, _ arguments: StatementArguments, range: StatementArguments?) throws -> Int {
        let rangeCondition = range == nil ? "" : " AND path >= ? AND path < ?"
        let sql = "SELECT count(*) FROM (SELECT 1 FROM channel INDEXED BY \(index) WHERE \(condition)\(rangeCondition) LIMIT ?)"
        return try Int.fetchOne(db.cachedStatement(sql: sql), arguments: arguments + (range ?? []) + [cap]) ?? 0
    }

    private static func probeTag(_ db: Database, _ tag: String, range: StatementArguments?, cap: Int) throws -> Int {
        let rangeCondition = range == nil ? "" : " AND path >= ? AND path < ?"
        let sql = "SELECT count(*) FROM (SELECT 1 FROM channel_tag WHERE tag = ?\(rangeCondition) LIMIT ?)"
        return try Int.fetchOne(db.cachedStatement(sql: sql), arguments: [tag] + (range ?? []) + [cap]) ?? 0
    }
}
