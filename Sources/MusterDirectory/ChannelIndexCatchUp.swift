import Foundation
import GRDB
import Synchronization

/// Moves channels from pending (`indexed = 0`) into the deferred indexes, in large batches, once
/// writes pause.
///
/// Why deferred: on a 2-million-row table each random-order index insert dirties its own page,
/// and every dirty page costs a WAL frame and a checkpoint write, so a 5 000-row import batch
/// touching nine indexes, the tag table and the trigram index writes ~50 000 pages. A catch-up
/// batch of 25 000 rows touches each index page once for many rows instead.
///
/// A batch adds the rows' trigram entries and tag rows, then flips `indexed`, which inserts the
/// rows into every partial index — all in one transaction, so a row is either wholly indexed or
/// wholly pending. The pending set is durable: after a crash the next open resumes the work.
final class ChannelIndexCatchUp: Sendable {
    struct State {
        var writes = 0
        var lastWrite = ContinuousClock.now
        var firstUnindexedWrite: ContinuousClock.Instant?
        var task: Task<Void, Never>?
        var stopped = false
        /// Rows written since the last batch: past `maximumForcedBacklog`, only a pause starts one.
        var queuedSinceBatch = 0
        /// Channel writes started and not yet finished.
        var inFlight = 0
        /// The last write stored many rows at once: a bulk import, which only a pause may interrupt.
        var lastWriteWasBulk = false

        /// When the next batch may start: once writes have paused; or, for a trickle of single
        /// writes with a small backlog, also once the oldest waiting row is overdue. A bulk import
        /// waits for its pause, however long it runs, and its pause is longer (the gap while the
        /// importer reads its next batch, or the client sends its next request, is no pause): a
        /// catch-up batch in its middle competes for the one writer and cost imports most of
        /// their speed.
        func nextBatchDue(now: ContinuousClock.Instant, options: SQLiteDirectoryStore.Options) -> ContinuousClock.Instant {
            let quiet = lastWriteWasBulk ? options.bulkQuietPeriod : options.quietPeriod
            // A write in flight postpones the quiet period: it ends a quiet period after it.
            let quietUntil = inFlight > 0 ? now + quiet : lastWrite + quiet
            guard !lastWriteWasBulk, queuedSinceBatch <= options.maximumForcedBacklog else { return quietUntil }
            return min(quietUntil, (firstUnindexedWrite ?? now) + options.maximumDelay)
        }
    }

    private let pool: DatabasePool
    private let options: SQLiteDirectoryStore.Options
    private let memory: DirectoryMemory
    private let state = Mutex(State())

    init(pool: DatabasePool, options: SQLiteDirectoryStore.Options, memory: DirectoryMemory) {
        self.pool = pool
        self.options = options
        self.memory = memory
    }

    /// Called before a channel write waits for the writer: while one is in flight (an import
    /// batch takes a while, or waits behind a catch-up batch) the directory is not quiet.
    func writeStarted() {
        state.withLock { $0.inFlight += 1 }
    }

    /// Called after every channel write (committed or not) with how many rows it queued.
    func noteWrite(rows: Int = 1) {
        guard options.automatic else {
            state.withLock { $0.inFlight = max(0, $0.inFlight - 1) }
            return
        }
        state.withLock { state in
            state.inFlight = max(0, state.inFlight - 1)
            state.writes += 1
            state.queuedSinceBatch += rows
            state.lastWriteWasBulk = rows > 1
            state.lastWrite = .now
            if state.firstUnindexedWrite == nil { state.firstUnindexedWrite = state.lastWrite }
            startIfIdle(&state)
        }
    }

    /// At open: finish what an earlier process left pending.
    func scheduleIfPending() {
        guard options.automatic, (try? pool.read(Self.hasPending)) == true else { return }
        writeStarted()
        noteWrite()
    }

    func cancel() {
        state.withLock { state in
            state.stopped = true
            state.task?.cancel()
        }
    }

    /// Cancels the background task and waits for it to end (a batch in progress completes or rolls back).
    func stop() async {
        let task = state.withLock { state in
            state.stopped = true
            state.task?.cancel()
            return state.task
        }
        await task?.value
    }

    /// Indexes everything pending now, in batches, whatever the write activity.
    func runToCompletion() async throws(DirectoryError) {
        while try await runBatch() > 0 {}
    }

    private func startIfIdle(_ state: inout State) {
        guard state.task == nil, !state.stopped else { return }
        state.task = Task.detached(priority: .utility) { [self] in await self.run() }
    }

    private func run() async {
        while !Task.isCancelled {
            let (wait, writesBefore) = state.withLock { state -> (Duration?, Int) in
                let now = ContinuousClock.now
                let due = state.nextBatchDue(now: now, options: options)
                return (due > now ? due - now : nil, state.writes)
            }
            if let wait {
                try? await Task.sleep(for: wait)
                continue
            }
            let indexed: Int
            do {
                indexed = try await runBatch()
            } catch {
                // Disk full, I/O error: rows stay pending (listings still find them); try again later.
                try? await Task.sleep(for: .seconds(5))
                continue
            }
            let finished = state.withLock { state -> Bool in
                state.firstUnindexedWrite = nil
                state.queuedSinceBatch = max(0, state.queuedSinceBatch - indexed)
                // Done only if the batch emptied the queue and no write slipped in meanwhile.
                guard indexed < options.batchSize, state.writes == writesBefore else { return false }
                state.task = nil
                return true
            }
            if finished {
                await memory.releaseAfterBulkWrite()
                return
            }
        }
        state.withLock { $0.task = nil }
    }

    /// Indexes up to `batchSize` pending rows, oldest first; returns how many.
    @discardableResult
    func runBatch() async throws(DirectoryError) -> Int {
        let batchSize = options.batchSize
        do {
            return try await pool.write { db in try Self.indexBatch(db, limit: batchSize) }
        } catch {
            throw DirectoryError(error)
        }
    }

    static func indexBatch(_ db: Database, limit: Int) throws -> Int {
        // The batch is every pending id up to the limit-th one: three statements, one id range.
        let last = try Int64.fetchOne(
            db, sql: "SELECT id FROM channel INDEXED BY channel_pending WHERE indexed = 0 ORDER BY id LIMIT 1 OFFSET ?",
            arguments: [limit - 1]
        ) ?? Int64.fetchOne(db, sql: "SELECT max(id) FROM channel INDEXED BY channel_pending WHERE indexed = 0")
        guard let last else { return 0 }
        try db.execute(sql: """
            INSERT INTO channel_fts(rowid, text)
            SELECT id, coalesce(name_folded, name) || char(1, 1) FROM channel INDEXED BY channel_pending
            WHERE indexed = 0 AND id <= ?
            """, arguments: [last])
        try db.execute(sql: """
            INSERT OR IGNORE INTO channel_tag(tag, path)
            SELECT j.value, c.path FROM channel c INDEXED BY channel_pending, json_each(c.tags) j
            WHERE c.indexed = 0 AND c.id <= ? AND json_valid(c.tags)
            """, arguments: [last])
        try db.execute(sql: "UPDATE channel INDEXED BY channel_pending SET indexed = 1 WHERE indexed = 0 AND id <= ?", arguments: [last])
        return db.changesCount
    }

    /// Removes an indexed row's trigram entry and tag rows, before it changes or goes. A contentless
    /// FTS5 table forgets an entry only when given back exactly the text it indexed, which the row
    /// still holds at this point.
    static func removeIndexEntries(_ db: Database, of row: StoredChannel) throws {
        guard row.indexed else { return }
        try db.cachedStatement(sql: """
            INSERT INTO channel_fts(channel_fts, rowid, text)
            SELECT 'delete', id, coalesce(name_folded, name) || char(1, 1) FROM channel WHERE id = ?
            """).execute(arguments: [row.id])
        try db.cachedStatement(sql: "DELETE FROM channel_tag WHERE path = ? AND tag IN (SELECT value FROM json_each(?))")
            .execute(arguments: [row.channel.path.rawValue, ChannelTags.encode(row.channel.tags)])
    }

    static func hasPending(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM channel INDEXED BY channel_pending WHERE indexed = 0)")) ?? false
    }

    static func pendingCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM channel INDEXED BY channel_pending WHERE indexed = 0") ?? 0
    }
}
