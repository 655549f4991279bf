import Testing
@testable import MusterDirectory

/// When the deferred-index catch-up may run: it must never cut into a bulk import, and a trickle
/// of single writes must not wait for a pause that never comes.
struct ChannelIndexCatchUpScheduleTests {
    let options = SQLiteDirectoryStore.Options()
    let now = ContinuousClock.now

    func state(lastWriteAgo: Duration, firstWaitingAgo: Duration, queued: Int, bulk: Bool, inFlight: Int = 0) -> ChannelIndexCatchUp.State {
        var state = ChannelIndexCatchUp.State()
        state.lastWrite = now - lastWriteAgo
        state.firstUnindexedWrite = now - firstWaitingAgo
        state.queuedSinceBatch = queued
        state.lastWriteWasBulk = bulk
        state.inFlight = inFlight
        return state
    }

    @Test func aTrickleOfSingleWritesIsIndexedOnceOverdue() {
        let trickle = state(lastWriteAgo: .milliseconds(100), firstWaitingAgo: .seconds(6), queued: 40, bulk: false)
        #expect(trickle.nextBatchDue(now: now, options: options) == now - .seconds(6) + options.maximumDelay)
    }

    @Test func aBulkImportWaitsForItsPauseHoweverLongItRuns() {
        let importing = state(lastWriteAgo: .milliseconds(500), firstWaitingAgo: .seconds(60), queued: 25_000, bulk: true)
        #expect(importing.nextBatchDue(now: now, options: options) == now - .milliseconds(500) + options.bulkQuietPeriod)
        let writing = state(lastWriteAgo: .seconds(3), firstWaitingAgo: .seconds(60), queued: 25_000, bulk: true, inFlight: 1)
        #expect(writing.nextBatchDue(now: now, options: options) == now + options.bulkQuietPeriod)
    }

    @Test func aLargeBacklogWaitsForAPauseToo() {
        let backlog = state(lastWriteAgo: .milliseconds(100), firstWaitingAgo: .seconds(60), queued: options.maximumForcedBacklog + 1, bulk: false)
        #expect(backlog.nextBatchDue(now: now, options: options) == now - .milliseconds(100) + options.quietPeriod)
    }

    @Test func aPauseStartsABatchAtOnce() {
        let paused = state(lastWriteAgo: .seconds(3), firstWaitingAgo: .seconds(3), queued: 25_000, bulk: true)
        #expect(paused.nextBatchDue(now: now, options: options) <= now)
    }
}
