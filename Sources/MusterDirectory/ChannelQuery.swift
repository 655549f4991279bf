import MusterCore

/// A filtered, sorted page of the channel list.
public struct ChannelQuery: Sendable, Hashable {
    public enum SortKey: String, Sendable, CaseIterable {
        case path, name, createdAt = "created_at", updatedAt = "updated_at"
    }

    public var kind: ChannelKind?
    public var zone: String?
    public var tag: String?
    /// Channels whose path equals this or starts with it followed by '/' (`hq` matches `hq/gate-1`).
    public var pathPrefix: String?
    /// Case-insensitive substring of the name (also matches Chinese names).
    public var nameContains: String?
    /// When set, only these paths (the API uses it for `state=online`: the live paths).
    public var onlyPaths: Set<String>?
    /// When set, never these paths (`state=offline`).
    public var excludedPaths: Set<String>?
    public var sort: SortKey = .path
    public var descending = false
    /// An opaque cursor from a previous page's `nextCursor`.
    public var cursor: String?
    public var limit: Int = 100

    public static let maximumLimit = 1000

    public init() {}
}

/// One page of channels; `nextCursor` is nil on the last page.
public struct ChannelPage: Sendable, Hashable {
    public var channels: [Channel]
    public var nextCursor: String?
    public init(channels: [Channel], nextCursor: String?) {
        self.channels = channels
        self.nextCursor = nextCursor
    }
}

/// The outcome of a bulk import: how many rows were stored and why the others were not.
public struct ChannelImportResult: Sendable, Hashable {
    public struct RowError: Sendable, Hashable {
        /// 1-based line (JSON lines) or record (CSV, header not counted) number.
        public var row: Int
        public var message: String
        public init(row: Int, message: String) {
            self.row = row
            self.message = message
        }
    }
    public var imported: Int
    public var errors: [RowError]
    public init(imported: Int = 0, errors: [RowError] = []) {
        self.imported = imported
        self.errors = errors
    }
}
