@testable import MusterRTSP
import Synchronization

/// A clock that moves only when a test says so.
final class ManualClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)

    var now: RTSPClock { { self.instant.withLock { $0 } } }

    func advance(by duration: Duration) {
        instant.withLock { $0 += duration }
    }
}
