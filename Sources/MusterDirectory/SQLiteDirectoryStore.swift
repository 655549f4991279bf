import Foundation
import GRDB

/// The embedded directory: one SQLite file in WAL mode, read through a GRDB `DatabasePool` (readers
/// never wait for the writer) and written with `synchronous = FULL`, so every mutating call returns
/// only after its transaction is on disk.
///
/// The channel table carries two kinds of index. The path index and the pending-row index are kept
/// in the write transaction. The sort and filter indexes (name, times, kind/zone, tags) and the
/// trigram name search are *deferred*: a background catch-up fills them in large batches once
/// writes pause (see `ChannelIndexCatchUp`). Rows not indexed yet are found by a second, small scan
/// in every listing, so results are always complete; only their speed depends on the backlog. This
/// is what lets a bulk import run at full speed on a directory that already holds millions of
/// channels: random inserts into a dozen indexes cost one written page each per row.
public final class SQLiteDirectoryStore: DirectoryStore {
    /// Tuning of the deferred indexes; the defaults suit a gateway.
    public struct IndexingOptions: Sendable {
        /// Start a catch-up once writes have paused this long.
        public var quietPeriod: Duration = .milliseconds(300)
        /// Start one anyway when rows have waited this long (a steady trickle of writes).
        public var maximumDelay: Duration = .seconds(5)
        /// Rows per catch-up transaction: larger is cheaper per row, smaller keeps writers waiting less.
        public var batchSize = 25_000
        /// When false, rows stay pending until `catchUpIndexes()` is called (tests, benchmarks).
        public var automatic = true
        /// How many index entries a listing counts per filter before it stops trusting that filter
        /// to be narrow (see `ChannelListing`). Tests lower it to exercise every plan on small data.
        var listingProbeCap = ChannelListing.defaultProbeCap

        public init() {}
    }

    let pool: DatabasePool
    let catchUp: ChannelIndexCatchUp
    let listingProbeCap: Int
    private let removesFilesOnDeinit: Bool

    /// The database file.
    public var path: String { pool.path }

    /// Opens the directory at `path`, creating the file and migrating its schema as needed.
    public convenience init(path: String) throws(DirectoryError) {
        try self.init(path: path, indexing: IndexingOptions())
    }

    /// Opens the directory at `path` with explicit indexing options.
    public init(path: String, indexing: IndexingOptions, removesFilesOnDeinit: Bool = false) throws(DirectoryError) {
        do {
            pool = try DatabasePool(path: path, configuration: Self.configuration())
            try DirectorySchema.migrator.migrate(pool)
        } catch {
            throw DirectoryError(error)
        }
        catchUp = ChannelIndexCatchUp(pool: pool, options: indexing)
        listingProbeCap = indexing.listingProbeCap
        self.removesFilesOnDeinit = removesFilesOnDeinit
        catchUp.scheduleIfPending()
    }

    /// A store in a fresh temporary file that is removed when the store goes away (tests, tools).
    /// A file, not `:memory:`, because a WAL pool needs one.
    public static func temporary(indexing: IndexingOptions = IndexingOptions()) throws(DirectoryError) -> SQLiteDirectoryStore {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("muster-directory-\(UUID().uuidString).sqlite").path
        return try SQLiteDirectoryStore(path: file, indexing: indexing, removesFilesOnDeinit: true)
    }

    deinit {
        catchUp.cancel()
        if removesFilesOnDeinit {
            // Unlinking a file SQLite still has open is harmless on POSIX systems: the space is
            // returned when the last connection closes.
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: pool.path + suffix) }
        }
    }

    /// Stops the background catch-up and closes every connection. Later calls fail with `.storage`.
    public func close() async throws(DirectoryError) {
        await catchUp.stop()
        do { try pool.close() } catch { throw DirectoryError(error) }
    }

    /// Brings every deferred index up to date now, instead of waiting for writes to pause.
    public func catchUpIndexes() async throws(DirectoryError) {
        try await catchUp.runToCompletion()
    }

    /// How many channels wait for the deferred indexes.
    public func pendingIndexCount() async throws(DirectoryError) -> Int {
        try await reading { db in try ChannelIndexCatchUp.pendingCount(db) }
    }

    private static func configuration() -> Configuration {
        var configuration = Configuration()
        // Another process (musterctl's offline commands, an operator's sqlite3) may hold the lock briefly.
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // FULL: a WAL commit is fsynced before the call returns, so an acknowledged write
            // survives power loss, not only a process crash.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Sorting and the probes' temporary B-trees stay in memory.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // Readers map the file instead of copying pages through read(2) (system calls are the
            // dominant cost on virtual machines); 2 GiB minus 64 KiB is SQLite's compiled ceiling here.
            try db.execute(sql: "PRAGMA mmap_size = 2147418112")
            if !db.configuration.readonly {
                // The writer walks a dozen indexes during a catch-up: give it a large page cache.
                try db.execute(sql: "PRAGMA cache_size = -262144")
                // Checkpoint less often: pages written by several transactions are copied once.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 16384")
            }
        }
        return configuration
    }

    // MARK: Database access with typed errors

    func reading<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws(DirectoryError) -> T {
        do { return try await pool.read(body) } catch { throw DirectoryError(error) }
    }

    func writing<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws(DirectoryError) -> T {
        do { return try await pool.write(body) } catch { throw DirectoryError(error) }
    }

    /// A write that changed channels: the catch-up has new work.
    func writingChannels<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws(DirectoryError) -> T {
        let result = try await writing(body)
        catchUp.noteWrite()
        return result
    }
}

extension DirectoryError {
    /// Maps whatever a database call threw; directory errors thrown inside a transaction pass through.
    init(_ error: any Error) {
        switch error {
        case let error as DirectoryError: self = error
        case let error as DatabaseError: self = .storage(message: error.message ?? error.description)
        case is CancellationError: self = .storage(message: "the operation was cancelled")
        default: self = .storage(message: String(describing: error))
        }
    }
}
