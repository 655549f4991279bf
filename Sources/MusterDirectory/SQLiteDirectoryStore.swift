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
    /// Tuning of the deferred indexes and of memory; the defaults suit a gateway.
    public struct Options: Sendable {
        /// Bytes of the file that readers map instead of copying pages through read(2). System
        /// calls are dear on virtual machines: at 2 000 000 channels, listings and searches took
        /// 2–3 times longer without the map (a row read by id: 15 µs through read(2), 3–5 µs
        /// mapped). The writer never maps: its bulk work goes through its page cache anyway.
        public var memoryMapSize = 2_147_418_112
        /// Mapped pages count as resident memory (file-backed and reclaimable, but counted, and
        /// once per reader that touched them): past this many bytes the readers are closed and
        /// their maps with them (see `DirectoryMemory`).
        public var mappedResidencyLimit = 128 << 20
        /// Start a catch-up once writes have paused this long…
        public var quietPeriod: Duration = .milliseconds(300)
        /// …or this long after a bulk import's batch.
        public var bulkQuietPeriod: Duration = .seconds(2)
        /// Start one anyway when rows have waited this long (a steady trickle of writes)…
        public var maximumDelay: Duration = .seconds(5)
        /// …unless more rows than this wait, or the last write was a bulk import: indexing in
        /// the middle of an import would cost it most of its speed (small catch-up batches on a
        /// large table write nearly a page per row and index, as synchronous indexes would).
        public var maximumForcedBacklog = 50_000
        /// Rows per catch-up transaction: larger is cheaper per row, smaller keeps writers
        /// waiting less. 50 000 rows take about 2–3 s on a 2-million-channel directory.
        public var batchSize = 50_000
        /// When false, rows stay pending until `catchUpIndexes()` is called (tests, benchmarks).
        public var automatic = true
        /// How many index entries a listing counts per filter before it stops trusting that filter
        /// to be narrow (see `ChannelListing`). Tests lower it to exercise every plan on small data.
        var listingProbeCap = ChannelListing.defaultProbeCap

        public init() {}
    }

    let pool: DatabasePool
    let catchUp: ChannelIndexCatchUp
    private let checkpointer: WALCheckpointer
    let memory: DirectoryMemory
    let listingProbeCap: Int
    private let removesFilesOnDeinit: Bool

    /// The database file.
    public var path: String { pool.path }

    /// Opens the directory at `path`, creating the file and migrating its schema as needed.
    public convenience init(path: String) throws(DirectoryError) {
        try self.init(path: path, options: Options())
    }

    /// Opens the directory at `path` with explicit tuning.
    public init(path: String, options: Options, removesFilesOnDeinit: Bool = false) throws(DirectoryError) {
        do {
            pool = try DatabasePool(path: path, configuration: Self.configuration(options))
            try DirectorySchema.migrator.migrate(pool)
            checkpointer = try WALCheckpointer(path: path)
        } catch {
            throw DirectoryError(error)
        }
        memory = DirectoryMemory(pool: pool, mappedLimit: options.mappedResidencyLimit)
        catchUp = ChannelIndexCatchUp(pool: pool, options: options, memory: memory)
        listingProbeCap = options.listingProbeCap
        self.removesFilesOnDeinit = removesFilesOnDeinit
        catchUp.scheduleIfPending()
    }

    /// A store in a fresh temporary file that is removed when the store goes away (tests, tools).
    /// A file, not `:memory:`, because a WAL pool needs one.
    public static func temporary(options: Options = Options()) throws(DirectoryError) -> SQLiteDirectoryStore {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("muster-directory-\(UUID().uuidString).sqlite").path
        return try SQLiteDirectoryStore(path: file, options: options, removesFilesOnDeinit: true)
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
        await checkpointer.stop()
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

    private static func configuration(_ options: Options) -> Configuration {
        var configuration = Configuration()
        // Another process (musterctl's offline commands, an operator's sqlite3) may hold the lock briefly.
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // FULL: a WAL commit is fsynced before the call returns, so an acknowledged write
            // survives power loss, not only a process crash.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Sorting and the probes' temporary B-trees stay in memory.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // Page caches are bounded so that the gateway stays small (see `Options.memoryMapSize`
            // for the mapped part).
            try db.execute(sql: "PRAGMA mmap_size = \(db.configuration.readonly ? max(0, options.memoryMapSize) : 0)")
            if db.configuration.readonly {
                try db.execute(sql: "PRAGMA cache_size = -8192")
            } else {
                // The writer's working set: the tails of the table and its synchronous indexes during
                // an import, the deferred indexes during a catch-up.
                try db.execute(sql: "PRAGMA cache_size = -131072")
                // `WALCheckpointer` copies the log back from its own connection; this is the backstop
                // for when it cannot keep up (a long reader holding old frames).
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 65536")
                // But give the disk back after a large catch-up transaction swelled the WAL.
                try db.execute(sql: "PRAGMA journal_size_limit = 134217728")
            }
        }
        return configuration
    }

    // MARK: Database access with typed errors

    func reading<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws(DirectoryError) -> T {
        defer { memory.readFinished() }
        do { return try await pool.read(body) } catch { throw DirectoryError(error) }
    }

    func writing<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws(DirectoryError) -> T {
        do { return try await pool.write(body) } catch { throw DirectoryError(error) }
    }

    /// A write that changed `rows` channels: the catch-up has new work.
    func writingChannels<T: Sendable>(rows: Int = 1, _ body: @Sendable (Database) throws -> T) async throws(DirectoryError) -> T {
        catchUp.writeStarted()
        do {
            let result = try await writing(body)
            catchUp.noteWrite(rows: rows)
            return result
        } catch {
            catchUp.noteWrite(rows: 0)
            throw error
        }
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
