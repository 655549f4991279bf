/// The elements since the most recent keyframe, so a reader that joins at any moment starts
/// decoding at once instead of waiting for the next keyframe.
///
/// Bounded by element count and byte size: a source that stops sending keyframes must not grow
/// memory without limit; past a bound the cache empties and waits for the next keyframe.
public struct GOPCache<Element> {
    public private(set) var elements: [Element] = []
    public private(set) var byteCount = 0
    public let maximumElements: Int
    public let maximumBytes: Int
    private var hasKeyframe = false

    /// Generous bounds: 10 s of 60 fps video plus audio, and 64 MiB (30 s at 16 Mbit/s).
    public static var defaultMaximumElements: Int { 4096 }
    public static var defaultMaximumBytes: Int { 64 << 20 }

    public init(maximumElements: Int = defaultMaximumElements, maximumBytes: Int = defaultMaximumBytes) {
        self.maximumElements = maximumElements
        self.maximumBytes = maximumBytes
    }

    /// Adds an element. `startsGroup` marks a video keyframe: it replaces everything cached.
    /// Elements before the first keyframe are not cached: a decoder could not use them.
    public mutating func append(_ element: Element, bytes: Int, startsGroup: Bool) {
        if startsGroup {
            removeAll()
            hasKeyframe = true
        }
        guard hasKeyframe else { return }
        if elements.count + 1 > maximumElements || byteCount + bytes > maximumBytes {
            removeAll()
            return
        }
        elements.append(element)
        byteCount += bytes
    }

    public mutating func removeAll() {
        elements.removeAll(keepingCapacity: true)
        byteCount = 0
        hasKeyframe = false
    }
}
