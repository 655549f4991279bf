/// The figures of one measurement: one server, one number of readers, one window. Written as one
/// JSON line by `fanout-bench measure` and read back by `fanout-bench report`.
public struct BenchResult: Codable, Sendable, Equatable {
    public var server: String
    public var url: String
    /// Readers asked for; 0 is the idle baseline.
    public var readers: Int
    /// Readers whose PLAY was answered 200.
    public var playing: Int
    /// Readers that saw an IDR picture before the window.
    public var withKeyframe: Int
    /// Failure kind → count: connect errors, non-200 answers, timeouts, server closes.
    public var failures: [String: Int]
    /// Readers that were closed by the server or lost their connection during the window.
    public var droppedInWindow: Int
    /// Why, by kind.
    public var windowFailures: [String: Int]
    /// GET_PARAMETER keep-alives (one per reader every 25 s) sent and left unanswered, and the
    /// slowest answer in ms.
    public var keepAlivesSent: Int
    public var keepAlivesUnanswered: Int
    public var keepAliveMaxMs: Double
    public var joinSeconds: Double
    public var windowSeconds: Double
    public var serverCPUPerSecond: Double
    public var serverRSSKiB: Int
    public var serverPeakRSSKiB: Int
    /// RssAnon at the end of the window: RSS without mapped libraries.
    public var serverAnonymousKiB: Int
    public var readerCPUPerSecond: Double
    /// All cores busy (user, system, irq, softirq, steal), in CPU-seconds per second.
    public var machineBusyPerSecond: Double
    /// Of which softirq: on loopback, most of the TCP receive work of both sides.
    public var machineSoftIRQPerSecond: Double
    /// Connect → first IDR packet, over readers that got one (ms).
    public var keyframeMsMedian: Double?
    public var keyframeMsP95: Double?
    public var keyframeMsMax: Double?
    /// Connect → PLAY answered (ms).
    public var playMsMedian: Double?
    public var playMsP95: Double?
    /// Frames (RTP marker bits) per second per reader over the window.
    public var fpsMin: Double?
    public var fpsMedian: Double?
    public var fpsMax: Double?
    /// Sequence-number gaps: packets missing over the window, summed over readers.
    public var lostPackets: Int
    /// Packets missing between a reader's first packet and the window (while it joined).
    public var lostBeforeWindow: Int
    public var readersWithLossBeforeWindow: Int
    public var readersWithLoss: Int
    public var maxLostPerReader: Int
    /// Out-of-order or repeated sequence numbers over the window.
    public var misorderedPackets: Int
    /// Payload bytes received by all readers per second (Mbit/s).
    public var receivedMbitPerSecond: Double
    public var packetsPerSecond: Double
    public var date: String

    public init(server: String, url: String, readers: Int) {
        self.server = server
        self.url = url
        self.readers = readers
        playing = 0
        withKeyframe = 0
        failures = [:]
        droppedInWindow = 0
        windowFailures = [:]
        keepAlivesSent = 0
        keepAlivesUnanswered = 0
        keepAliveMaxMs = 0
        joinSeconds = 0
        windowSeconds = 0
        serverCPUPerSecond = 0
        serverRSSKiB = 0
        serverPeakRSSKiB = 0
        serverAnonymousKiB = 0
        readerCPUPerSecond = 0
        machineBusyPerSecond = 0
        machineSoftIRQPerSecond = 0
        lostPackets = 0
        lostBeforeWindow = 0
        readersWithLossBeforeWindow = 0
        readersWithLoss = 0
        maxLostPerReader = 0
        misorderedPackets = 0
        receivedMbitPerSecond = 0
        packetsPerSecond = 0
        date = ""
    }

    /// CPU the rest of the machine used in the window: other processes, and kernel work charged
    /// to no process. Large values mean the figures are not clean.
    public var otherCPUPerSecond: Double { max(0, machineBusyPerSecond - serverCPUPerSecond - readerCPUPerSecond) }

    public var failureCount: Int { failures.values.reduce(0, +) }
    /// Server CPU per reader in ms of CPU per second.
    public var cpuMsPerReader: Double? { readers > 0 ? serverCPUPerSecond * 1000 / Double(readers) : nil }
}
