import Dispatch
import Glibc
import Synchronization

/// The cancellation flag and deadline FFmpeg polls through `AVFormatContext.interrupt_callback`
/// while it blocks in `avformat_open_input` or `av_read_frame`.
///
/// FFmpeg calls the callback from the thread that owns the context, many times a second, and it
/// may be cancelled from any other thread; hence atomics and no locks.
public final class FFmpegInterrupt: Sendable {
    private let cancelled = Atomic<Bool>(false)
    /// `coarseNanoseconds` after which a blocking call gives up; 0 means none.
    private let deadline = Atomic<UInt64>(0)
    private let deadlinePassed = Atomic<Bool>(false)
    /// Wakes `sleep(for:)` at once on cancel, so stopping never waits out a retry delay.
    private let wakeUp = DispatchSemaphore(value: 0)

    public init() {}

    /// Makes every current and future blocking call on contexts using this flag return
    /// `AVERROR_EXIT` within FFmpeg's polling interval (well under a second).
    public func cancel() {
        if !cancelled.exchange(true, ordering: .sequentiallyConsistent) {
            wakeUp.signal()
        }
    }

    public var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    /// Starts a time limit for the next blocking call(s); nil removes the limit.
    func arm(timeout: Duration?) {
        deadlinePassed.store(false, ordering: .relaxed)
        guard let timeout else {
            deadline.store(0, ordering: .relaxed)
            return
        }
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = UInt64(max(seconds, 0)) * 1_000_000_000 + UInt64(max(attoseconds, 0) / 1_000_000_000)
        deadline.store(Self.coarseNanoseconds() + max(nanoseconds, 1), ordering: .relaxed)
    }

    /// The kernel's monotonic clock as of its last tick (a few milliseconds old at most), read
    /// from the vDSO without the hardware counter: FFmpeg asks `shouldInterrupt()` over a
    /// thousand times a second per input, and the precise clock was a visible part of a
    /// stream's CPU. Time limits here are half a second or more; a tick late does not matter.
    private static func coarseNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    /// True once the armed deadline interrupted a call, so the error can say "timed out"
    /// instead of FFmpeg's "Immediate exit requested".
    var didTimeOut: Bool { deadlinePassed.load(ordering: .relaxed) }

    /// What the interrupt callback returns: true to abort the blocking call.
    func shouldInterrupt() -> Bool {
        if cancelled.load(ordering: .relaxed) { return true }
        let limit = deadline.load(ordering: .relaxed)
        if limit != 0, Self.coarseNanoseconds() >= limit {
            deadlinePassed.store(true, ordering: .relaxed)
            return true
        }
        return false
    }

    /// Waits for `duration` or until cancelled. Returns false if cancelled.
    @discardableResult
    func sleep(for duration: Duration) -> Bool {
        guard !isCancelled else { return false }
        let (seconds, attoseconds) = duration.components
        guard seconds > 0 || attoseconds > 0 else { return true }
        let nanoseconds = Int(min(seconds, 86_400)) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        if wakeUp.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success {
            // Leave the signal for any later sleeper: cancellation is permanent.
            wakeUp.signal()
            return false
        }
        return !isCancelled
    }
}
