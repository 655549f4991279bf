import GRDB

/// Runs one page of `channels(matching:)` inside a read transaction.
///
/// SQLite's planner, even with statistics, costs an ordered index scan as if it read every row,
/// although a `LIMIT 100` stops it early: for "kind = drone, sorted by name" it sorts 100 000 rows
/// instead of walking the name index for 2 000. And no planner knows how matches spread along the
/// sort order: names containing "矿库" all sort together, far from the start of the name index.
/// So this one measures instead of estimating:
/// 1. it counts, up to `probeCap`, the index entries each usable filter would read; if one reads
///    fewer, that filter drives the scan and the few rows are sorted (ordered filters win ties);
/// 2. else it walks an index already in the sort order (a filter's, or the sort's own) for a
///    bounded number of entries (up to the key of the last one, looked up in the index alone),
///    which fills the page unless the matches are rare or bunched elsewhere;
/// 3. else it counts again with a cap `fallbackFactor` times higher, and either sorts that many
///    rows or, past it, walks the sort order to the end.
/// The first two steps bound a page at a few `probeCap`s of entries read.
enum ChannelListing {
    static let defaultProbeCap = 7_500
    /// The first walk's budget, in index entries.
    static let walkStart = 1_000
    /// The second walk's budget is `walkFactor × probeCap`: with 2 000 000 channels and more than
    /// 7 500 matches spread evenly, 30 000 entries hold a page of 100.
    static let walkFactor = 4
    static let fallbackFactor = 20

    static func page(_ db: Database, _ request: ChannelListingRequest, probeCap: Int) throws -> ChannelPage {
        var rows = try indexedRows(db, request, probeCap: probeCap)
        if try ChannelIndexCatchUp.hasPending(db) {
            rows += try fetch(db, .pending(request))
            rows.sort(by: request.precedes)
        }
        let hasMore = rows.count > request.limit
        let page = rows.prefix(request.limit)
        let next = hasMore ? page.last.map { ChannelCursor(after: $0, sort: request.sort, descending: request.descending).encoded } : nil
        return ChannelPage(channels: page.map(\.channel), nextCursor: next)
    }

    private static func indexedRows(_ db: Database, _ request: ChannelListingRequest, probeCap: Int) throws -> [StoredChannel] {
        // Walk a little first (most walks fill their page within a few hundred entries), then as
        // far as the matches seen so far say a page needs, at most far enough that matches as
        // rare as the probe allows (probeCap of N) fill a page.
        let longestWalk = probeCap * walkFactor
        var budget = min(walkStart, probeCap)
        var firstWalk: (rows: [StoredChannel], isComplete: Bool)?
        var candidates: [Int64]?
        if let name = request.name {
            var denseEnoughToWalk = false
            if walksNamesInPathIndex(request) {
                // The short walk reads names from the index alone. Collecting the trigram hits
                // (2–8 ms for a term in one name of a hundred at 2 000 000 channels) is worth it
                // only when the long walk is not expected to fill the page.
                let first = try walk(db, request, driver: .sortOrder, candidates: nil, budget: budget)
                if first.isComplete { return first.rows }
                denseEnoughToWalk = first.rows.count * longestWalk > (request.limit + 1) * budget
                firstWalk = first
            }
            if !denseEnoughToWalk { candidates = try name.candidateIDs(db, cap: candidateCap(request, probeCap: probeCap)) }
        }
        let (driver, walksInOrder) = try plan(db, request, candidates: candidates, probeCap: probeCap)
        if !walksInOrder {
            return try fetch(db, .indexed(request, driver: driver, candidates: candidates))
        }
        let ordered = driver
        // One walk sized by the density seen, then the longest: more steps would re-read more.
        var sizedByDensity = false
        if let first = firstWalk, ordered == .sortOrder, candidates == nil {
            budget = nextWalkBudget(after: budget, found: first.rows.count, limit: request.limit, longest: longestWalk)
            sizedByDensity = true
        }
        while true {
            let step = try walk(db, request, driver: ordered, candidates: candidates, budget: budget)
            if step.isComplete { return step.rows }
            if budget >= longestWalk { break }
            budget = sizedByDensity ? longestWalk : nextWalkBudget(after: budget, found: step.rows.count, limit: request.limit, longest: longestWalk)
            sizedByDensity = true
        }
        // The walk used its budget without filling the page: matches are rare along this order.
        let fallbackCap = probeCap * fallbackFactor
        if request.name != nil, candidates == nil { candidates = try request.name?.candidateIDs(db, cap: fallbackCap) }
        let wider = try measure(db, request, candidates: candidates, cap: fallbackCap)
        if let narrow = narrowest(wider.filter { $0.driver != ordered }, sort: request.sort), narrow.count < fallbackCap {
            return try fetch(db, .indexed(request, driver: narrow.driver, candidates: candidates))
        }
        return try fetch(db, .indexed(request, driver: ordered, candidates: candidates))
    }

    /// The next walk's budget after one of `budget` entries found `found` matches: half as far
    /// again as that density says a page needs, at least twice the last, at most `longest`.
    /// (Its boundary alone reads the whole budget: 30 000 entries for a page that 1 500 fill cost
    /// several milliseconds at 2 000 000 channels.) No match says little: the longest walk.
    static func nextWalkBudget(after budget: Int, found: Int, limit: Int, longest: Int) -> Int {
        guard found > 0 else { return longest }
        let needed = budget * (limit + 1) / found
        return min(longest, max(budget * 2, needed * 3 / 2))
    }

    /// Reads the ordered driver up to `budget` entries after the cursor, stopping at a full page.
    /// Complete when the page is full or the index ended within the budget.
    private static func walk(_ db: Database, _ request: ChannelListingRequest, driver: ChannelScanDriver, candidates: [Int64]?, budget: Int) throws -> (rows: [StoredChannel], isComplete: Bool) {
        let limits = ChannelListingSQL.boundary(request, driver: driver, budget: budget)
        let boundary = try Row.fetchOne(db.cachedStatement(sql: limits.sql), arguments: limits.arguments)
        let rows = try fetch(db, .indexed(request, driver: driver, candidates: candidates, until: boundary))
        return (rows, rows.count > request.limit || boundary == nil)
    }

    /// A name search in path order with no filter that has an index of its own: its walk checks
    /// names in `channel_name_by_path` and reads only the matching rows.
    static func walksNamesInPathIndex(_ request: ChannelListingRequest) -> Bool {
        request.sort == .path && request.kind == nil && request.zone == nil && request.tag == nil
            && request.pathPrefix == nil && request.onlyPaths == nil
    }

    /// How many name search hits are worth sorting instead of walking the sort order. A hit costs a
    /// row read; an entry of a walk through `channel_name_by_path` about a tenth of that (at
    /// 2 000 000 channels: 4.6 µs a cold row, 0.4 µs an entry). With N hits the walk reads about
    /// 100 × 2 000 000 / N entries for a page, so it costs less from about 4 000 hits on.
    static func candidateCap(_ request: ChannelListingRequest, probeCap: Int) -> Int {
        walksNamesInPathIndex(request) ? probeCap / 2 : probeCap
    }

    private static func fetch(_ db: Database, _ query: ChannelListingSQL) throws -> [StoredChannel] {
        let statement = try db.cachedStatement(sql: query.sql)
        return try Row.fetchAll(statement, arguments: query.arguments).map(StoredChannel.init(row:))
    }

    struct Option: Equatable {
        var driver: ChannelScanDriver
        /// Index entries the driver reads, counted up to the cap.
        var count: Int
    }

    /// Steps 1 and 2: a narrow driver (read it all), or the ordered one to walk with a budget.
    /// A sole driver that reads in the sort order is walked without counting: a walk stops at
    /// its page or at the end of its entries, so reading them all is never cheaper, and the
    /// count alone read up to `probeCap` entries for every page of a common filter.
    static func plan(_ db: Database, _ request: ChannelListingRequest, candidates: [Int64]?, probeCap: Int) throws -> (driver: ChannelScanDriver, walksInOrder: Bool) {
        let drivers = possibleDrivers(request, candidates: candidates)
        if drivers.count == 1, drivers[0].driver.isOrdered(for: request.sort) { return (drivers[0].driver, true) }
        let options = try drivers.map { Option(driver: $0.driver, count: try $0.count(db, probeCap)) }
        if let narrow = narrowest(options, sort: request.sort), narrow.count < probeCap { return (narrow.driver, false) }
        return (options.first { $0.driver.isOrdered(for: request.sort) }?.driver ?? .sortOrder, true)
    }

    /// The fewest entries to read; an ordered driver wins a tie.
    static func narrowest(_ options: [Option], sort: ChannelQuery.SortKey) -> Option? {
        options.min { ($0.count, $0.driver.isOrdered(for: sort) ? 0 : 1) < ($1.count, $1.driver.isOrdered(for: sort) ? 0 : 1) }
    }

    /// Every driver the filters allow, with its count up to `cap`.
    static func measure(_ db: Database, _ request: ChannelListingRequest, candidates: [Int64]?, cap: Int) throws -> [Option] {
        try possibleDrivers(request, candidates: candidates).map { Option(driver: $0.driver, count: try $0.count(db, cap)) }
    }

    /// A driver the filters allow, and how to count its entries up to a cap.
    struct PossibleDriver {
        var driver: ChannelScanDriver
        var count: (Database, Int) throws -> Int
    }

    static func possibleDrivers(_ request: ChannelListingRequest, candidates: [Int64]?) -> [PossibleDriver] {
        var drivers: [PossibleDriver] = []
        let range = request.pathPrefix.map { [$0.exact, $0.end] as StatementArguments }
        if let kind = request.kind?.rawValue, let zone = request.zone {
            drivers.append(PossibleDriver(driver: .kindZone) { db, cap in
                try probe(db, cap: cap, "channel_by_kind_zone_path", "indexed = 1 AND kind = ? AND zone = ?", [kind, zone], range: range)
            })
        } else if let zone = request.zone, request.sort == .name, range == nil {
            drivers.append(PossibleDriver(driver: .zoneName) { db, cap in
                try probe(db, cap: cap, "channel_by_zone_name", "indexed = 1 AND zone = ?", [zone], range: nil)
            })
        } else if let zone = request.zone {
            drivers.append(PossibleDriver(driver: .zone) { db, cap in
                try probe(db, cap: cap, "channel_by_zone_path", "indexed = 1 AND zone = ?", [zone], range: range)
            })
        } else if let kind = request.kind?.rawValue {
            drivers.append(PossibleDriver(driver: .kind) { db, cap in
                try probe(db, cap: cap, "channel_by_kind_zone_path", "indexed = 1 AND kind = ?", [kind], range: nil)
            })
        }
        if let tag = request.tag {
            drivers.append(PossibleDriver(driver: .tag) { db, cap in
                let rangeCondition = range == nil ? "" : " AND path >= ? AND path < ?"
                let sql = "SELECT count(*) FROM (SELECT 1 FROM channel_tag WHERE tag = ?\(rangeCondition) LIMIT ?)"
                return try Int.fetchOne(db.cachedStatement(sql: sql), arguments: [tag] + (range ?? []) + [cap]) ?? 0
            })
        }
        if let range {
            // The unique path index has no `indexed` column: this counts pending rows too.
            drivers.append(PossibleDriver(driver: .pathRange) { db, cap in try probe(db, cap: cap, "channel_path", "1", [], range: range) })
        }
        if let only = request.onlyPaths { drivers.append(PossibleDriver(driver: .onlyPaths) { _, _ in only.count }) }
        if let candidates { drivers.append(PossibleDriver(driver: .nameCandidates) { _, _ in candidates.count }) }
        return drivers
    }

    /// How many entries of `index` match, counted up to `cap` (covering: no table reads).
    private static func probe(_ db: Database, cap: Int, _ index: String, _ condition: String, _ arguments: StatementArguments, range: StatementArguments?) throws -> Int {
        let rangeCondition = range == nil ? "" : " AND path >= ? AND path < ?"
        let sql = "SELECT count(*) FROM (SELECT 1 FROM channel INDEXED BY \(index) WHERE \(condition)\(rangeCondition) LIMIT ?)"
        return try Int.fetchOne(db.cachedStatement(sql: sql), arguments: arguments + (range ?? []) + [cap]) ?? 0
    }
}
