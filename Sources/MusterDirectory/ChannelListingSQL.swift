import GRDB

/// The access path that drives the scan of indexed channels; every other filter is checked per row.
enum ChannelScanDriver: Equatable, Sendable {
    /// Walk the sort order's own index and stop after the page: best when most rows match.
    case sortOrder
    /// `channel_by_kind_zone_path`: in path order within one kind and zone.
    case kindZone
    /// `channel_by_zone_path`.
    case zone
    /// `channel_by_zone_name`: in name order within one zone.
    case zoneName
    /// The kind prefix of `channel_by_kind_zone_path`: never in sort order, for a rare kind.
    case kind
    /// `channel_tag`, in path order per tag.
    case tag
    case pathRange
    /// The listed paths, looked up one by one.
    case onlyPaths
    /// The name search's candidate ids, looked up one by one.
    case nameCandidates

    /// Whether the driver reads rows in the listing's order, so that the scan can stop after a page.
    func isOrdered(for sort: ChannelQuery.SortKey) -> Bool {
        switch self {
        case .sortOrder: true
        case .kindZone, .zone, .tag, .pathRange: sort == .path
        case .zoneName: sort == .name
        case .kind, .onlyPaths, .nameCandidates: false
        }
    }
}

/// One `SELECT` of a listing with its arguments.
struct ChannelListingSQL {
    var sql: String
    var arguments: StatementArguments

    /// Indexed channels (`indexed = 1`), read through `driver`; `candidates` feeds `.nameCandidates`.
    static func indexed(_ request: ChannelListingRequest, driver: ChannelScanDriver, candidates: [Int64]?, until boundary: Row? = nil) -> ChannelListingSQL {
        var builder = Builder()
        var pathColumn = "c.path"
        var tagCondition = "EXISTS (SELECT 1 FROM channel_tag t2 WHERE t2.tag = ? AND t2.path = c.path)"
        var filtersOnlyPaths = true
        // INDEXED BY and CROSS JOIN pin the plan that ChannelListing chose from real counts; SQLite's
        // own planner ignores that a LIMIT lets an ordered scan stop early.
        switch driver {
        case .sortOrder: builder.from = "channel c INDEXED BY \(request.sortIndex)"
        case .kindZone: builder.from = "channel c INDEXED BY channel_by_kind_zone_path"
        case .zone: builder.from = "channel c INDEXED BY channel_by_zone_path"
        case .zoneName: builder.from = "channel c INDEXED BY channel_by_zone_name"
        case .kind: builder.from = "channel c INDEXED BY channel_by_kind_zone_path"
        case .pathRange: builder.from = "channel c INDEXED BY \(request.pathIndex.name)"
        case .tag:
            builder.from = "channel_tag t CROSS JOIN channel c ON c.path = t.path"
            pathColumn = "t.path"
            tagCondition = "t.tag = ?"
        case .onlyPaths:
            builder.from = "json_each(?) o CROSS JOIN channel c ON c.path = o.value"
            builder.fromArguments = [SQLJSONArray.strings(request.onlyPaths ?? [])]
            filtersOnlyPaths = false
        case .nameCandidates:
            builder.from = "json_each(?) h CROSS JOIN channel c ON c.id = h.value"
            builder.fromArguments = [SQLJSONArray.integers(candidates ?? [])]
        }
        builder.add("c.indexed = 1")
        builder.addFilters(request, pathColumn: pathColumn, tagCondition: tagCondition, filtersOnlyPaths: filtersOnlyPaths)
        if let boundary {
            let comparison = request.descending ? ">=" : "<="
            if request.sort == .path {
                builder.add("\(pathColumn) \(comparison) ?", [boundary[0] as DatabaseValue])
            } else {
                builder.add("(\(request.sortColumn), c.id) \(comparison) (?, ?)", [boundary[0] as DatabaseValue, boundary[1] as DatabaseValue])
            }
        }
        if driver.isOrdered(for: request.sort) { return builder.select(request, pathColumn: pathColumn) }
        // Rows read out of order are sorted: sort their keys and ids only, then read the page's
        // rows — a sorter full of whole rows (URLs, tags) cost a third of such a query.
        let keys = builder.select(request, pathColumn: pathColumn, columns: "c.id")
        var outer = Builder()
        outer.from = "channel c"
        outer.add("c.id IN (\(keys.sql))", keys.arguments)
        return outer.select(request, pathColumn: "c.path")
    }

    /// The sort key of the `budget`-th entry an ordered driver would read after the cursor,
    /// read from the index alone; nil if the index ends sooner. A walk limited to keys up to it
    /// reads at most `budget` entries and still stops as soon as its page is full.
    static func boundary(_ request: ChannelListingRequest, driver: ChannelScanDriver, budget: Int) -> ChannelListingSQL {
        var inner = Builder()
        var pathColumn = "c.path"
        switch driver {
        case .kindZone:
            inner.from = "channel c INDEXED BY channel_by_kind_zone_path"
            inner.add("c.indexed = 1 AND c.kind = ? AND c.zone = ?", [request.kind?.rawValue, request.zone])
        case .zone:
            inner.from = "channel c INDEXED BY channel_by_zone_path"
            inner.add("c.indexed = 1 AND c.zone = ?", [request.zone])
        case .zoneName:
            inner.from = "channel c INDEXED BY channel_by_zone_name"
            inner.add("c.indexed = 1 AND c.zone = ?", [request.zone])
        case .tag:
            inner.from = "channel_tag t"
            inner.add("t.tag = ?", [request.tag])
            pathColumn = "t.path"
        case .pathRange:
            inner.from = "channel c INDEXED BY \(request.pathIndex.name)"
            if request.pathIndex.isPartial { inner.add("c.indexed = 1") }
        default:
            inner.from = "channel c INDEXED BY \(request.sortIndex)"
            // The partial indexes hold only indexed rows; saying so lets SQLite use them.
            if request.sort != .path || request.pathIndex.isPartial { inner.add("c.indexed = 1") }
        }
        if let prefix = request.pathPrefix, request.sort == .path {
            inner.add("\(pathColumn) >= ? AND \(pathColumn) < ?", [prefix.exact, prefix.end])
        }
        inner.addCursor(request, pathColumn: pathColumn)
        let direction = request.descending ? "DESC" : "ASC"
        let columns = request.sort == .path ? pathColumn : "\(request.sortColumn), c.id"
        let order = request.sort == .path ? "\(pathColumn) \(direction)" : "\(request.sortColumn) \(direction), c.id \(direction)"
        let conditions = inner.conditions.isEmpty ? "1" : inner.conditions.joined(separator: " AND ")
        return ChannelListingSQL(
            sql: "SELECT \(columns) FROM \(inner.from) WHERE \(conditions) ORDER BY \(order) LIMIT 1 OFFSET ?",
            arguments: inner.arguments + [budget - 1]
        )
    }

    /// Channels waiting for the catch-up (`indexed = 0`): few, so every filter is a row check.
    static func pending(_ request: ChannelListingRequest) -> ChannelListingSQL {
        var builder = Builder()
        builder.from = "channel c INDEXED BY channel_pending"
        builder.add("c.indexed = 0")
        builder.addFilters(
            request, pathColumn: "c.path", tagCondition: "EXISTS (SELECT 1 FROM json_each(c.tags) WHERE value = ?)",
            filtersOnlyPaths: true
        )
        return builder.select(request, pathColumn: "c.path")
    }

    private struct Builder {
        var from = ""
        var fromArguments = StatementArguments()
        var conditions: [String] = []
        var arguments = StatementArguments()

        mutating func add(_ condition: String, _ values: StatementArguments = []) {
            conditions.append(condition)
            arguments += values
        }

        mutating func addFilters(_ request: ChannelListingRequest, pathColumn: String, tagCondition: String, filtersOnlyPaths: Bool) {
            if let kind = request.kind { add("c.kind = ?", [kind.rawValue]) }
            if let zone = request.zone { add("c.zone = ?", [zone]) }
            if let tag = request.tag { add(tagCondition, [tag]) }
            if let prefix = request.pathPrefix {
                // One index range [exact, exact + "0"), minus siblings such as "hq-x" and "hq.x"
                // ('-' and '.' sort between "hq" and "hq/").
                add(
                    "\(pathColumn) >= ? AND \(pathColumn) < ? AND (\(pathColumn) = ? OR \(pathColumn) > ?)",
                    [prefix.exact, prefix.end, prefix.exact, prefix.children]
                )
            }
            if filtersOnlyPaths, let only = request.onlyPaths {
                add("c.path IN (SELECT value FROM json_each(?))", [SQLJSONArray.strings(only)])
            }
            if let excluded = request.excludedPaths {
                add("c.path NOT IN (SELECT value FROM json_each(?))", [SQLJSONArray.strings(excluded)])
            }
            if let name = request.name { add(ChannelNameSearch.rowCondition, [name.folded]) }
            addCursor(request, pathColumn: pathColumn)
        }

        mutating func addCursor(_ request: ChannelListingRequest, pathColumn: String) {
            if let cursor = request.cursor {
                let comparison = request.descending ? "<" : ">"
                let column = request.sort == .path ? pathColumn : request.sortColumn
                switch (cursor.value, cursor.id) {
                case (.text(let text), nil): add("\(column) \(comparison) ?", [text])
                case (.text(let text), .some(let id)): add("(\(column), c.id) \(comparison) (?, ?)", [text, id])
                case (.number(let number), let id): add("(\(column), c.id) \(comparison) (?, ?)", [number, id ?? 0])
                }
            }
        }

        func select(_ request: ChannelListingRequest, pathColumn: String, columns: String = StoredChannel.columns) -> ChannelListingSQL {
            let direction = request.descending ? "DESC" : "ASC"
            let order = request.sort == .path ? "\(pathColumn) \(direction)" : "\(request.sortColumn) \(direction), c.id \(direction)"
            let sql = "SELECT \(columns) FROM \(from) WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order) LIMIT ?"
            return ChannelListingSQL(sql: sql, arguments: fromArguments + arguments + [request.limit + 1])
        }
    }
}
