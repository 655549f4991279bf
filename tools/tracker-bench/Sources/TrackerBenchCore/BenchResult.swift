import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Latency figures in milliseconds.
public struct LatencySummary: Sendable, Codable, Equatable {
    public var count: Int
    public var p50: Double?
    public var p99: Double?
    public var p999: Double?
    public var max: Double?

    public init(_ histogram: LatencyHistogram) {
        count = histogram.count
        p50 = histogram.percentileMilliseconds(50)
        p99 = histogram.percentileMilliseconds(99)
        p999 = histogram.percentileMilliseconds(99.9)
        max = histogram.maximumMilliseconds
    }

    public init(samples: [Double]) {
        count = samples.count
        p50 = Statistics.percentile(samples, 50)
        p99 = Statistics.percentile(samples, 99)
        p999 = Statistics.percentile(samples, 99.9)
        max = samples.max()
    }
}

/// Queries of one kind issued while the load ran.
public struct QueryFigures: Sendable, Codable, Equatable {
    public var path: String
    public var perSecond: Double
    public var issued = 0
    public var failed = 0
    /// Latency from the moment the query was due (queueing in the generator included).
    public var latency: LatencySummary
    public var meanResults: Double?

    public init(path: String, perSecond: Double, issued: Int, failed: Int, latency: LatencySummary, meanResults: Double?) {
        self.path = path
        self.perSecond = perSecond
        self.issued = issued
        self.failed = failed
        self.latency = latency
        self.meanResults = meanResults
    }
}

/// Everything one load run measured; one JSON object, and the plain report made from it.
public struct BenchResult: Sendable, Codable {
    public var date = ""
    public var units = 0
    public var httpUnits = 0
    public var nmeaUnits = 0
    public var durationSeconds = 0.0
    public var httpConnections = 0
    public var unitsPerConnection = 0

    // Input.
    public var httpDue = 0
    public var httpSent = 0
    public var nmeaDue = 0
    public var nmeaSent = 0
    public var httpStatus: [String: Int] = [:]
    public var httpConnectionsLost = 0
    public var httpUnanswered = 0
    public var httpLatency = LatencySummary(LatencyHistogram())
    /// How late requests left compared with their unit's 1 Hz schedule (closed loop: a slow
    /// answer delays the connection's next request).
    public var httpSendLag = LatencySummary(LatencyHistogram())
    public var udpReceiveBufferErrors = 0

    // What the gateway counted, from /metrics deltas over the run and the drain after it.
    public var counters = TrackerCounters()
    /// Accepted positions per second, one figure per second of the run.
    public var acceptedPerSecondSeries: [Double] = []

    // Queries.
    public var nearby: QueryFigures?
    public var unitsNear: QueryFigures?

    // Resources over the load window.
    public var musterCPUPercent = 0.0
    public var musterRSSStartMiB = 0.0
    public var musterRSSPeakMiB = 0.0
    public var musterRSSEnd: ProcessSample?
    /// Storage writes of the gateway (WAL, checkpoints), MiB/s over the load window.
    public var musterDiskWriteMiBPerSecond: Double?
    /// The slowest OsmAnd answer of each second of the run, in milliseconds.
    public var httpWorstPerSecond: [Double] = []
    public var generatorCPUPercent = 0.0
    public var generatorRSSMiB = 0.0
    public var machineBusyPercent = 0.0

    // Targets.
    public var targetPositionsPerSecond = 50_000.0
    public var targetNearbyP99Milliseconds = 5.0

    public init() {}

    public var osmandAccepted: Double { counters.accepted["osmand"] ?? 0 }
    public var nmeaAccepted: Double { counters.accepted["nmea"] ?? 0 }
    public var acceptedPerSecond: Double { durationSeconds > 0 ? counters.totalAccepted / durationSeconds : 0 }
    public var sentPerSecond: Double { durationSeconds > 0 ? Double(httpSent + nmeaSent) / durationSeconds : 0 }
    public var offeredPerSecond: Double { Double(units) }
    /// Muster's CPU time per accepted position: contention from other processes moves it little,
    /// unlike the rates.
    public var musterCPUMicrosecondsPerPosition: Double? {
        acceptedPerSecond > 0 ? musterCPUPercent * 10_000 / acceptedPerSecond : nil
    }

    /// The slowest whole second after the first two (start-up), accepted positions.
    public var sustainedPerSecond: Double? {
        let steady = acceptedPerSecondSeries.count > 4 ? Array(acceptedPerSecondSeries.dropFirst(2).dropLast()) : acceptedPerSecondSeries
        return steady.min()
    }

    static func loss(sent: Int, accepted: Double) -> Double {
        sent > 0 ? (Double(sent) - accepted) / Double(sent) * 100 : 0
    }

    public var plainReport: String {
        var lines: [String] = []
        func add(_ label: String, _ value: String) { lines.append(label.padding(toLength: 32, withPad: " ", startingAt: 0) + value) }
        let d = durationSeconds
        add("units", "\(grouped(units)): \(grouped(httpUnits)) OsmAnd HTTP on \(grouped(httpConnections)) keep-alive connections (\(unitsPerConnection) units each), \(grouped(nmeaUnits)) NMEA UDP; 1 report/s each for \(format(d, 0)) s")
        add("offered", "\(rate(offeredPerSecond)) positions/s")
        add("sent", "\(rate(sentPerSecond)) positions/s (OsmAnd \(rate(Double(httpSent) / d)), NMEA \(rate(Double(nmeaSent) / d)))")
        add("behind schedule at the end", "OsmAnd \(grouped(httpDue - httpSent)) of \(grouped(httpDue)) due, NMEA \(grouped(nmeaDue - nmeaSent)) of \(grouped(nmeaDue))")
        add("accepted", "\(rate(acceptedPerSecond)) positions/s (OsmAnd \(rate(osmandAccepted / d)), NMEA \(rate(nmeaAccepted / d)))")
        if let sustained = sustainedPerSecond {
            let series = acceptedPerSecondSeries.map { rate($0) }
            add("accepted per second", "slowest \(rate(sustained)) after start-up; \(series.prefix(12).joined(separator: " "))\(series.count > 12 ? " …" : "")")
        }
        add("loss", "OsmAnd \(format(Self.loss(sent: httpSent, accepted: osmandAccepted), 3)) % (\(grouped(httpSent - Int(osmandAccepted))) of \(grouped(httpSent))), NMEA \(format(Self.loss(sent: nmeaSent, accepted: nmeaAccepted), 3)) % (\(grouped(nmeaSent - Int(nmeaAccepted))) of \(grouped(nmeaSent)))")
        add("rejected / not stored", counters.rejected.isEmpty && counters.notStored.isEmpty ? "none"
            : (counters.rejected.sorted { $0.key < $1.key }.map { "\($0.key) \(grouped(Int($0.value)))" }
               + counters.notStored.sorted { $0.key < $1.key }.map { "not-stored/\($0.key) \(grouped(Int($0.value)))" }).joined(separator: ", "))
        add("UDP receive-buffer drops", "\(grouped(udpReceiveBufferErrors)) (kernel RcvbufErrors, whole machine)")
        add("HTTP status", httpStatus.sorted { $0.key < $1.key }.map { "\($0.key) \(grouped($0.value))" }.joined(separator: ", ")
            + (httpConnectionsLost > 0 ? ", \(httpConnectionsLost) connections lost" : "")
            + (httpUnanswered > 0 ? ", \(httpUnanswered) unanswered at the end" : ""))
        add("HTTP latency", "p50 \(ms(httpLatency.p50)), p99 \(ms(httpLatency.p99)), p99.9 \(ms(httpLatency.p999)), max \(ms(httpLatency.max))")
        if !httpWorstPerSecond.isEmpty {
            let worst = httpWorstPerSecond.map { format($0, 0) }
            add("HTTP slowest answer per second", "\(worst.prefix(20).joined(separator: " "))\(worst.count > 20 ? " …" : "") ms")
        }
        add("HTTP send lag vs schedule", "p50 \(ms(httpSendLag.p50)), p99 \(ms(httpSendLag.p99)), max \(ms(httpSendLag.max))")
        for query in [nearby, unitsNear].compactMap({ $0 }) {
            add(query.path, "\(format(query.perSecond, 0))/s, \(grouped(query.issued)) queries, \(query.failed) failed, p50 \(ms(query.latency.p50)), p99 \(ms(query.latency.p99)), max \(ms(query.latency.max)), \(query.meanResults.map { format($0, 1) } ?? "-") results on average")
        }
        add("muster CPU", "\(format(musterCPUPercent, 0)) % of one core, \(musterCPUMicrosecondsPerPosition.map { format($0, 1) } ?? "-") µs per accepted position")
        let end = musterRSSEnd
        add("muster RSS", "\(format(musterRSSStartMiB, 0)) MiB before, peak \(format(musterRSSPeakMiB, 0)) MiB; at the end \(mib(end?.rssKiB)) (anon \(mib(end?.anonymousKiB)), file \(mib(end?.fileKiB)))")
        if let disk = musterDiskWriteMiBPerSecond { add("muster disk writes", "\(format(disk, 1)) MiB/s") }
        add("generator", "\(format(generatorCPUPercent, 0)) % of one core, RSS \(format(generatorRSSMiB, 0)) MiB")
        add("machine busy", "\(format(machineBusyPercent, 0)) % of one core (all processes; \(format(max(0, machineBusyPercent - musterCPUPercent - generatorCPUPercent), 0)) % neither muster nor the generator)")
        lines.append(targetLine)
        return lines.joined(separator: "\n")
    }

    public var targetLine: String {
        let throughput = sustainedPerSecond ?? acceptedPerSecond
        let throughputRatio = throughput / targetPositionsPerSecond
        var text = "target: ≥ \(rate(targetPositionsPerSecond)) positions/s sustained: \(rate(throughput)) (×\(format(throughputRatio, 2)) \(throughputRatio >= 1 ? "met" : "missed")"
        if offeredPerSecond < targetPositionsPerSecond { text += ", only \(rate(offeredPerSecond))/s offered" }
        text += ")"
        if let p99 = nearby?.latency.p99 {
            let ratio = p99 / targetNearbyP99Milliseconds
            text += "; nearby p99 ≤ \(format(targetNearbyP99Milliseconds, 0)) ms: \(ms(p99)) (×\(format(ratio, 2)) of the limit, \(ratio <= 1 ? "met" : "missed"))"
        }
        return text
    }

    /// One markdown table row set for the README.
    public var markdownTable: String {
        let d = durationSeconds
        let rows: [(String, String)] = [
            ("Units (OsmAnd HTTP / NMEA UDP)", "\(grouped(units)) (\(grouped(httpUnits)) / \(grouped(nmeaUnits))), 1 Hz, \(format(d, 0)) s"),
            ("Sent", "\(rate(sentPerSecond)) positions/s"),
            ("Accepted (mean / slowest second)", "\(rate(acceptedPerSecond)) / \(rate(sustainedPerSecond ?? acceptedPerSecond)) positions/s"),
            ("Loss OsmAnd / NMEA", "\(format(Self.loss(sent: httpSent, accepted: osmandAccepted), 3)) % / \(format(Self.loss(sent: nmeaSent, accepted: nmeaAccepted), 3)) %"),
            ("OsmAnd request p50 / p99", "\(ms(httpLatency.p50)) / \(ms(httpLatency.p99))"),
            ("Nearby (2 km) p50 / p99 / max", "\(ms(nearby?.latency.p50)) / \(ms(nearby?.latency.p99)) / \(ms(nearby?.latency.max))"),
            ("Units near (2 km) p50 / p99", "\(ms(unitsNear?.latency.p50)) / \(ms(unitsNear?.latency.p99))"),
            ("Muster CPU", "\(format(musterCPUPercent, 0)) % of one core, \(musterCPUMicrosecondsPerPosition.map { format($0, 1) } ?? "-") µs per accepted position"),
            ("Muster RSS peak", "\(format(musterRSSPeakMiB, 0)) MiB"),
            ("Muster disk writes", musterDiskWriteMiBPerSecond.map { "\(format($0, 1)) MiB/s" } ?? "-"),
            ("Generator CPU", "\(format(generatorCPUPercent, 0)) % of one core"),
        ]
        return (["| Figure | Value |", "|---|---|"] + rows.map { "| \($0.0) | \($0.1) |" }).joined(separator: "\n")
    }
}

// MARK: Formatting

public func format(_ value: Double, _ decimals: Int) -> String {
    guard value.isFinite else { return "-" }
    var bytes: [UInt8] = []
    DecimalText.append(value, decimals: decimals, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
}

/// 1234567 → "1 234 567".
public func grouped(_ value: Int) -> String {
    let digits = String(abs(value))
    var result = ""
    for (offset, character) in digits.enumerated() {
        if offset > 0 && (digits.count - offset) % 3 == 0 { result.append(" ") }
        result.append(character)
    }
    return value < 0 ? "-" + result : result
}

func rate(_ value: Double) -> String { value.isFinite ? grouped(Int(value.rounded())) : "-" }

func ms(_ value: Double?) -> String {
    guard let value else { return "-" }
    return value < 10 ? "\(format(value, 2)) ms" : "\(format(value, 1)) ms"
}

func mib(_ kiB: Int?) -> String { kiB.map { "\(format(Double($0) / 1024, 0)) MiB" } ?? "-" }
