import Foundation

/// A `ChannelQuery` checked and put in the shape the SQL needs.
struct ChannelListingRequest {
    var kind: ChannelKind?
    var zone: String?
    var tag: String?
    /// `path = exact OR (path > exact + "/" AND path < exact + "0")`: '0' is the byte after '/', and
    /// the range starts at `exact` itself so that one index range covers both.
    var pathPrefix: (exact: String, children: String, end: String)?
    var name: ChannelNameSearch?
    var onlyPaths: [String]?
    var excludedPaths: [String]?
    var sort: ChannelQuery.SortKey
    var descending: Bool
    var cursor: ChannelCursor?
    var limit: Int
    /// True when no channel can match (a zone or tag that cannot exist, an empty `onlyPaths`).
    var matchesNothing = false

    init(_ query: ChannelQuery) throws(DirectoryError) {
        sort = query.sort
        descending = query.descending
        limit = min(max(query.limit, 1), ChannelQuery.maximumLimit)
        cursor = try query.cursor.map { text throws(DirectoryError) in
            try ChannelCursor(decoding: text, sort: query.sort, descending: query.descending)
        }
        kind = query.kind
        // Filters that cannot match any stored channel short-cut to an empty page instead of an error:
        // a list filter is a question, not an input.
        if let zone = query.zone {
            self.zone = zone
            if !ChannelValidation.isLabel(zone) { matchesNothing = true }
        }
        if let tag = query.tag {
            self.tag = tag
            if !ChannelValidation.isLabel(tag) { matchesNothing = true }
        }
        if var prefix = query.pathPrefix {
            while prefix.hasSuffix("/") { prefix.removeLast() }
            if !prefix.isEmpty { pathPrefix = (prefix, prefix + "/", prefix + "0") }
        }
        name = ChannelNameSearch(query.nameContains)
        if let only = query.onlyPaths {
            onlyPaths = only.sorted()
            if only.isEmpty { matchesNothing = true }
        }
        if let excluded = query.excludedPaths, !excluded.isEmpty { excludedPaths = excluded.sorted() }
    }

    /// The column a sort orders by, for a channel table aliased `c`.
    var sortColumn: String {
        switch sort {
        case .path: "c.path"
        case .name: "c.name"
        case .createdAt: "c.created_at"
        case .updatedAt: "c.updated_at"
        }
    }

    /// The index that walks channels in path order. With a name search it is the partial one that
    /// holds the names too, so that a row is read only when its name matches.
    var pathIndex: (name: String, isPartial: Bool) {
        name == nil ? ("channel_path", false) : ("channel_name_by_path", true)
    }

    /// The deferred (or, for path, the unique) index that walks channels in sort order.
    var sortIndex: String {
        switch sort {
        case .path: pathIndex.name
        case .name: "channel_by_name"
        case .createdAt: "channel_by_created"
        case .updatedAt: "channel_by_updated"
        }
    }

    /// Orders two listed rows the way SQLite's `ORDER BY` does (BINARY collation compares UTF-8 bytes).
    func precedes(_ a: StoredChannel, _ b: StoredChannel) -> Bool {
        let ascending: Bool
        switch (a.sortValue(sort), b.sortValue(sort)) {
        case (.text(let x), .text(let y)) where !x.utf8.elementsEqual(y.utf8): ascending = x.utf8.lexicographicallyPrecedes(y.utf8)
        case (.number(let x), .number(let y)) where x != y: ascending = x < y
        default: ascending = a.id < b.id
        }
        return ascending != descending
    }
}

/// JSON arrays for `json_each(?)`: one bound parameter however many values.
enum SQLJSONArray {
    /// Built by hand: the live-path lists hold thousands of paths and JSONEncoder took
    /// milliseconds for them.
    static func strings(_ values: [String]) -> String {
        var json = "["
        json.reserveCapacity(values.reduce(2) { $0 + $1.utf8.count + 3 })
        for (index, value) in values.enumerated() {
            if index > 0 { json += "," }
            json += "\""
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": json += "\\\""
                case "\\": json += "\\\\"
                case _ where scalar.value < 0x20: json += String(format: "\\u%04x", scalar.value)
                default: json.unicodeScalars.append(scalar)
                }
            }
            json += "\""
        }
        return json + "]"
    }

    static func integers(_ values: [Int64]) -> String {
        "[" + values.map(String.init).joined(separator: ",") + "]"
    }
}
