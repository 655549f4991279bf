import NIOCore
import Synchronization

/// What one reader has seen so far. Written only on the reader's event loop, by its handler; the
/// benchmark reads it there too, through `EventLoop.submit`, so no lock is needed.
final class ReaderCounters: @unchecked Sendable {
    var connectStartNanos: UInt64 = 0
    var playNanos: UInt64? = nil
    var firstIDRNanos: UInt64? = nil
    var packets = 0
    var payloadBytes = 0
    var frames = 0
    var lost = 0
    var misordered = 0
    var notRTP = 0
    var keepAliveFailures = 0
    var keepAliveSent = 0
    var keepAliveAnswered = 0
    var keepAliveSentNanos: UInt64 = 0
    var keepAliveMaxNanos: UInt64 = 0
    /// The first thing that went wrong, as a short kind ("DESCRIBE 404", "closed by server").
    var failure: String? = nil
    var lastSequence: UInt16 = 0
    var hasSequence = false

    func snapshot() -> ReaderSnapshot {
        ReaderSnapshot(
            connectStartNanos: connectStartNanos, playNanos: playNanos, firstIDRNanos: firstIDRNanos,
            packets: packets, payloadBytes: payloadBytes, frames: frames, lost: lost,
            misordered: misordered, failure: failure,
            keepAliveSent: keepAliveSent,
            // One sent in the last 2 s may just be on its way: not counted as unanswered yet.
            keepAliveAnswered: keepAliveSent > keepAliveAnswered
                && NIODeadline.now().uptimeNanoseconds &- keepAliveSentNanos < 2_000_000_000
                ? keepAliveAnswered + 1 : keepAliveAnswered,
            keepAliveMaxNanos: keepAliveMaxNanos
        )
    }
}

struct ReaderSnapshot: Sendable {
    var connectStartNanos: UInt64
    var playNanos: UInt64?
    var firstIDRNanos: UInt64?
    var packets: Int
    var payloadBytes: Int
    var frames: Int
    var lost: Int
    var misordered: Int
    var failure: String?
    var keepAliveSent: Int
    var keepAliveAnswered: Int
    var keepAliveMaxNanos: UInt64

    var isPlaying: Bool { playNanos != nil && failure == nil }
}

/// Fleet-wide progress the benchmark polls while readers join, without visiting every reader.
final class FleetProgress: Sendable {
    let playing = Atomic<Int>(0)
    let keyframes = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
}

/// Asks a reader to send TEARDOWN and close.
struct ReaderTeardown: Sendable {}
