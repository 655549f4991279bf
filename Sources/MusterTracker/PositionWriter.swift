import Foundation
import MusterDirectory
import NIOCore
import Synchronization

/// Group commit: positions submitted while a transaction is being written wait for the next one,
/// which takes them all. Under light load every position is written at once; under heavy load
/// transactions grow, so one fsync covers thousands of positions. Nobody waits for a timer.
final class PositionWriter: Sendable {
    /// Positions of one submission, answered together once they are durable.
    struct Batch: Sendable {
        var records: [UnitPositionRecord]
        var newUnits: [FieldUnit]
        var completion: @Sendable (Result<Void, DirectoryError>) -> Void
        /// Where `completion` runs; nil runs it on the writer's task. The completions of one
        /// transaction go to each event loop in one task, not one task per batch.
        var loop: (any EventLoop)? = nil
    }

    /// A transaction takes at most this many positions, so one stays well under a second.
    static let maximumPositionsPerTransaction = 20_000

    private struct State {
        var pending: [Batch] = []
        var writing = false
        var stopped = false
        var idle: [CheckedContinuation<Void, Never>] = []
    }

    private let store: any DirectoryStore
    private let state = Mutex(State())
    /// Runs with each committed transaction's batches and its last journal row id, before the
    /// batches' completions.
    private let committed: @Sendable ([Batch], Int64) -> Void

    init(store: any DirectoryStore, committed: @escaping @Sendable ([Batch], Int64) -> Void) {
        self.store = store
        self.committed = committed
    }

    func enqueue(_ batch: Batch) {
        enum Next { case startWriting, queued, refused }
        let next = state.withLock { state -> Next in
            guard !state.stopped else { return .refused }
            state.pending.append(batch)
            guard !state.writing else { return .queued }
            state.writing = true
            return .startWriting
        }
        switch next {
        case .startWriting: Task { await self.writeUntilIdle() }
        case .queued: break
        case .refused: batch.completion(.failure(.storage(message: "the gateway is stopping")))
        }
    }

    /// Refuses new positions and returns once every accepted one is written.
    func stop() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                state.stopped = true
                guard state.writing else { return true }
                state.idle.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Pipelined: while one transaction's positions go into the live table and their answers
    /// go out, the next transaction is already being written (SQLite writes on its own thread).
    private func writeUntilIdle() async {
        guard let first = takeNextTransaction(idleIfNone: true) else { return }
        var batches = first
        var writing = Task { await write(first) }
        while true {
            let result = await writing.value
            var next = takeNextTransaction(idleIfNone: false)
            if let next { writing = Task { await write(next) } }
            if case .success(let journalID) = result { committed(batches, journalID) }
            Self.complete(batches, with: result.map { _ in })
            if next == nil {
                // Idle only now, so that `stop()` returns after the last answers went out.
                next = takeNextTransaction(idleIfNone: true)
                guard let later = next else { return }
                writing = Task { await write(later) }
            }
            batches = next!
        }
    }

    private func write(_ batches: [Batch]) async -> Result<Int64, DirectoryError> {
        var records: [UnitPositionRecord] = []
        records.reserveCapacity(batches.reduce(0) { $0 + $1.records.count })
        var newUnits: [FieldUnit] = []
        var seen = Set<String>()
        for batch in batches {
            records += batch.records
            for unit in batch.newUnits where seen.insert(unit.id).inserted { newUnits.append(unit) }
        }
        do {
            return .success(try await store.recordPositions(records, creatingUnits: newUnits))
        } catch {
            return .failure(error)
        }
    }

    private static func complete(_ batches: [Batch], with result: Result<Void, DirectoryError>) {
        var byLoop: [ObjectIdentifier: (loop: any EventLoop, batches: [Batch])] = [:]
        for batch in batches {
            guard let loop = batch.loop else {
                batch.completion(result)
                continue
            }
            byLoop[ObjectIdentifier(loop), default: (loop, [])].batches.append(batch)
        }
        for (loop, batches) in byLoop.values {
            loop.execute {
                for batch in batches { batch.completion(result) }
            }
        }
    }

    /// The batches for the next transaction, or nil when none wait (and then, with `idleIfNone`,
    /// the writer is idle: the next `enqueue` starts it again).
    private func takeNextTransaction(idleIfNone: Bool) -> [Batch]? {
        let (batches, waiters) = state.withLock { state -> ([Batch]?, [CheckedContinuation<Void, Never>]) in
            guard !state.pending.isEmpty else {
                guard idleIfNone else { return (nil, []) }
                state.writing = false
                defer { state.idle = [] }
                return (nil, state.idle)
            }
            var taken = 0, count = 0
            for batch in state.pending {
                // Always take the first batch, however large, so the queue moves.
                if count > 0 && taken + batch.records.count > Self.maximumPositionsPerTransaction { break }
                taken += batch.records.count
                count += 1
            }
            let batches = Array(state.pending.prefix(count))
            state.pending.removeFirst(count)
            return (batches, [])
        }
        for waiter in waiters { waiter.resume() }
        return batches
    }
}
