/// Connections waiting for their next report's time, in slots of one tick: inserting and
/// expiring are O(1), where an event-loop timer per report would cost an allocation and a heap
/// operation 25 000 times a second.
public struct TimingWheel: Sendable {
    public let tickNanoseconds: UInt64
    private var slots: [[Int32]]
    private let mask: Int
    /// The last tick whose slot has been expired.
    public private(set) var currentTick: UInt64 = 0
    public private(set) var count = 0

    /// `horizon`: how far ahead an item may be due; rounded up to a power of two of ticks.
    public init(tickNanoseconds: UInt64, horizonNanoseconds: UInt64) {
        precondition(tickNanoseconds > 0)
        self.tickNanoseconds = tickNanoseconds
        var slotCount = 2
        while UInt64(slotCount) * tickNanoseconds <= horizonNanoseconds + tickNanoseconds { slotCount *= 2 }
        slots = Array(repeating: [], count: slotCount)
        mask = slotCount - 1
    }

    /// `due` in nanoseconds from the wheel's origin. Items already due go to the next tick.
    public mutating func insert(_ item: Int32, dueNanoseconds due: UInt64) {
        var tick = (due + tickNanoseconds - 1) / tickNanoseconds
        tick = max(tick, currentTick + 1)
        // Beyond the horizon: park in the farthest slot; it comes back early and is re-queued.
        tick = min(tick, currentTick + UInt64(mask))
        slots[Int(tick & UInt64(mask))].append(item)
        count += 1
    }

    /// Moves every item due up to `now` (nanoseconds from the origin) into `expired`, oldest first.
    public mutating func expire(upToNanoseconds now: UInt64, into expired: inout [Int32]) {
        let target = now / tickNanoseconds
        while currentTick < target {
            currentTick += 1
            let slot = Int(currentTick & UInt64(mask))
            guard !slots[slot].isEmpty else { continue }
            count -= slots[slot].count
            expired.append(contentsOf: slots[slot])
            slots[slot].removeAll(keepingCapacity: true)
        }
    }
}
