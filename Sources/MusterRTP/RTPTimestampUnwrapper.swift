/// Extends 32-bit RTP timestamps (RFC 3550 §5.1) to a 64-bit timeline, so that durations and
/// presentation times keep growing after the RTP clock wraps (every 13 hours at 90 kHz).
///
/// The first timestamp maps to 0. Each later one is placed at the nearest position to its
/// predecessor, i.e. it moved by the signed 32-bit difference (RFC 3550 §5.1 treats timestamps
/// modulo 2^32 the same way): a forward wrap keeps counting up, and a packet slightly older
/// than the previous one, even across the wrap, lands slightly before it (possibly below 0).
public struct RTPTimestampUnwrapper: Sendable {
    private var last: UInt32? = nil
    private var lastExtended: Int64 = 0

    public init() {}

    /// The position of `timestamp` on the extended timeline.
    public mutating func unwrap(_ timestamp: UInt32) -> Int64 {
        guard let last else {
            self.last = timestamp
            lastExtended = 0
            return 0
        }
        let delta = Int64(Int32(bitPattern: timestamp &- last))
        // Wrapping addition: even a hostile stream of ±2^31 steps cannot trap the process.
        lastExtended = lastExtended &+ delta
        self.last = timestamp
        return lastExtended
    }

    /// Forgets the timeline, so the next timestamp maps to 0 again (a new source or SSRC).
    public mutating func reset() {
        last = nil
        lastExtended = 0
    }
}
