/// Bitrate and frame rate of a stream over the last few seconds, from per-second buckets so
/// that recording a unit costs two additions.
struct StreamRateMeter: Sendable {
    static let windowSeconds = 5

    private var buckets = [(second: Int64, bytes: Int, frames: Int)](repeating: (-1, 0, 0), count: windowSeconds + 1)
    /// The first second with media, so that a stream younger than the window is not averaged
    /// over seconds before it existed.
    private var firstSecond: Int64?

    mutating func record(bytes: Int, isVideoFrame: Bool, atSecond second: Int64) {
        if firstSecond == nil { firstSecond = second }
        let index = Int(second % Int64(buckets.count))
        if buckets[index].second != second { buckets[index] = (second, 0, 0) }
        buckets[index].bytes += bytes
        if isVideoFrame { buckets[index].frames += 1 }
    }

    /// Rates over the complete seconds of the window before `second` (the current one is still filling).
    func rates(atSecond second: Int64) -> (bitsPerSecond: Int, framesPerSecond: Double) {
        guard let firstSecond else { return (0, 0) }
        let seconds = Int(min(Int64(Self.windowSeconds), second - firstSecond))
        guard seconds > 0 else { return (0, 0) }
        let window = (second - Int64(seconds))..<second
        var bytes = 0
        var frames = 0
        for bucket in buckets where window.contains(bucket.second) {
            bytes += bucket.bytes
            frames += bucket.frames
        }
        return (bytes * 8 / seconds, Double(frames) / Double(seconds))
    }
}
