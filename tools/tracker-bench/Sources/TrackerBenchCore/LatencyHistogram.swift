/// Latencies in microseconds, in log-linear buckets (1024 per power of two above 2 ms, exact
/// below): under 0.1 % error, a fixed 200 KiB however many millions of samples are recorded.
public struct LatencyHistogram: Sendable {
    static let subBuckets = 1024
    static let bucketCount = subBuckets * 25  // up to about 2^34 µs (4.7 hours)

    private var counts: [UInt32]
    public private(set) var count = 0
    public private(set) var maximumMicroseconds: UInt64 = 0
    private var sumMicroseconds: Double = 0

    public init() { counts = [UInt32](repeating: 0, count: Self.bucketCount) }

    static func index(of microseconds: UInt64) -> Int {
        let width = UInt64.bitWidth - microseconds.leadingZeroBitCount
        let shift = max(0, width - 11)
        let index = subBuckets * (shift + 1) + Int(microseconds >> UInt64(shift)) - subBuckets
        return min(index, bucketCount - 1)
    }

    /// The largest value that falls in the bucket.
    static func upperBound(ofIndex index: Int) -> UInt64 {
        let shift = max(0, index / subBuckets - 1)
        let mantissa = UInt64(index - subBuckets * (shift + 1) + subBuckets)
        return ((mantissa + 1) << UInt64(shift)) - 1
    }

    public mutating func record(nanoseconds: UInt64) {
        let microseconds = nanoseconds / 1000
        counts[Self.index(of: microseconds)] &+= 1
        count += 1
        sumMicroseconds += Double(microseconds)
        maximumMicroseconds = max(maximumMicroseconds, microseconds)
    }

    public mutating func merge(_ other: LatencyHistogram) {
        for index in counts.indices { counts[index] &+= other.counts[index] }
        count += other.count
        sumMicroseconds += other.sumMicroseconds
        maximumMicroseconds = max(maximumMicroseconds, other.maximumMicroseconds)
    }

    /// The nearest-rank percentile (0...100) in milliseconds; nil when empty.
    public func percentileMilliseconds(_ p: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = max(1, Int((p / 100 * Double(count)).rounded(.up)))
        var seen = 0
        for (index, bucketCount) in counts.enumerated() where bucketCount > 0 {
            seen += Int(bucketCount)
            if seen >= rank { return Double(min(Self.upperBound(ofIndex: index), maximumMicroseconds)) / 1000 }
        }
        return Double(maximumMicroseconds) / 1000
    }

    public var meanMilliseconds: Double? { count > 0 ? sumMicroseconds / Double(count) / 1000 : nil }
    public var maximumMilliseconds: Double? { count > 0 ? Double(maximumMicroseconds) / 1000 : nil }
}

/// Order statistics over a small sample (nearest-rank percentiles).
public enum Statistics {
    public static func percentile(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
