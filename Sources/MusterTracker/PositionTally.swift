import MusterPositionFormats
import Synchronization

/// Counts of accepted, rejected and unstored positions by input and reason, for /metrics.
public final class PositionTally: Sendable {
    public struct RejectionKey: Sendable, Hashable {
        public var source: PositionSource
        public var reason: PositionRejection.Reason
    }

    public struct Snapshot: Sendable {
        public var accepted: [PositionSource: Int]
        public var rejected: [RejectionKey: Int]
        public var notStored: [PositionSource: Int]
    }

    private let counts = Mutex(Snapshot(accepted: [:], rejected: [:], notStored: [:]))

    public var snapshot: Snapshot { counts.withLock { $0 } }

    func count(_ outcomes: some Sequence<PositionOutcome>, source: PositionSource) {
        counts.withLock { counts in
            for outcome in outcomes {
                switch outcome {
                case .accepted: counts.accepted[source, default: 0] += 1
                case .rejected(let rejection): counts.rejected[RejectionKey(source: source, reason: rejection.reason), default: 0] += 1
                case .notStored: counts.notStored[source, default: 0] += 1
                }
            }
        }
    }

    func countRejection(_ reason: PositionRejection.Reason, source: PositionSource) {
        counts.withLock { $0.rejected[RejectionKey(source: source, reason: reason), default: 0] += 1 }
    }
}
