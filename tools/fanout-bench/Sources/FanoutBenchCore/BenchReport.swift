/// Turns the measurements of one run into per-server tables, Muster/peer ratios and the verdict
/// on the project's targets, as plain text for the terminal and markdown for the README.
public struct BenchReport: Sendable {
    public var results: [BenchResult]
    public var subject: String
    public var peer: String

    public init(results: [BenchResult], subject: String = "muster", peer: String = "peer") {
        self.results = results
        self.subject = subject
        self.peer = peer
    }

    // MARK: targets (the fan-out issue)

    public static let cpuRatioTarget = 0.5
    public static let keyframeP95TargetMs = 50.0
    public static let fullLoadReaders = 1000
    public static let fullLoadFps = 25.0
    /// A reader counts as held at 25 fps when it got at least this many frames per second over the
    /// window (frame boundaries at both ends of a 20 s window move the count by one frame).
    public static let fpsTolerance = 0.5
    public static let rssBaseKiB = 32 * 1024
    public static let rssPerReaderKiB = 64

    public var servers: [String] {
        var seen: [String] = []
        for result in results where !seen.contains(result.server) { seen.append(result.server) }
        return seen
    }

    public func result(_ server: String, _ readers: Int) -> BenchResult? {
        results.last { $0.server == server && $0.readers == readers }
    }

    // MARK: tables

    public func serverTable(_ server: String) -> TextTable {
        var table = TextTable(
            header: ["readers", "CPU s/s", "CPU/reader ms/s", "RSS (anon) MiB", "TTFK med / p95 ms", "fps min / med",
                     "RTP lost (readers)", "lost joining", "failed", "Mbit/s out", "reader CPU s/s", "other load s/s"],
            rightAligned: Set(0..<12)
        )
        for r in results.filter({ $0.server == server }).sorted(by: { $0.readers < $1.readers }) {
            if r.readers == 0 {
                table.rows.append(["0 (idle)", f(r.serverCPUPerSecond, 3), "–", rss(r),
                                   "–", "–", "–", "–", "–", "–", "–", f(r.otherCPUPerSecond, 2)])
                continue
            }
            let failed = r.failureCount + r.droppedInWindow
            table.rows.append([
                "\(r.readers)", f(r.serverCPUPerSecond, 3), r.cpuMsPerReader.map { f($0, 2) } ?? "–",
                rss(r), opt(r.keyframeMsMedian, 1) + " / " + opt(r.keyframeMsP95, 1),
                opt(r.fpsMin, 2) + " / " + opt(r.fpsMedian, 2), "\(r.lostPackets) (\(r.readersWithLoss))",
                "\(r.lostBeforeWindow) (\(r.readersWithLossBeforeWindow))",
                "\(failed)", f(r.receivedMbitPerSecond, 0), f(r.readerCPUPerSecond, 3), f(r.otherCPUPerSecond, 2),
            ])
        }
        return table
    }

    public func ratioTable() -> TextTable {
        var table = TextTable(header: ["readers", "CPU", "RSS", "TTFK p95"], rightAligned: [0, 1, 2, 3])
        let counts = Set(results.map(\.readers)).sorted()
        for n in counts {
            guard let m = result(subject, n), let p = result(peer, n) else { continue }
            table.rows.append([
                n == 0 ? "0 (idle)" : "\(n)",
                ratio(m.serverCPUPerSecond, p.serverCPUPerSecond),
                ratio(Double(m.serverRSSKiB), Double(p.serverRSSKiB)),
                n == 0 ? "–" : ratio(m.keyframeMsP95, p.keyframeMsP95),
            ])
        }
        return table
    }

    public struct Verdict: Sendable {
        public var target: String
        public var met: Bool?
        public var detail: String
    }

    public func verdicts() -> [Verdict] {
        var verdicts: [Verdict] = []
        // 1. CPU at 500 readers ≤ 0.5× the peer's.
        if let m = result(subject, 500), let p = result(peer, 500), p.serverCPUPerSecond > 0 {
            let r = m.serverCPUPerSecond / p.serverCPUPerSecond
            let complete = m.playing == m.readers && p.playing == p.readers
            verdicts.append(Verdict(
                target: "CPU at 500 readers ≤ 0.5× peer", met: r <= Self.cpuRatioTarget && complete,
                detail: "\(f(r, 2))× (\(f(m.serverCPUPerSecond, 3)) vs \(f(p.serverCPUPerSecond, 3)) s/s); "
                    + (r <= Self.cpuRatioTarget ? "\(f(Self.cpuRatioTarget / r, 2))× under the limit" : "\(f(r / Self.cpuRatioTarget, 2))× over the limit")
                    + (complete ? "" : "; not comparable: \(m.playing)/500 and \(p.playing)/500 readers played")
            ))
        } else {
            verdicts.append(Verdict(target: "CPU at 500 readers ≤ 0.5× peer", met: nil, detail: "not measured"))
        }
        // 2. Time to first keyframe p95 ≤ 50 ms, at every reader count.
        let measured = results.filter { $0.server == subject && $0.readers > 0 }
        if let worst = measured.max(by: { ($0.keyframeMsP95 ?? .infinity) < ($1.keyframeMsP95 ?? .infinity) }) {
            let p95 = worst.keyframeMsP95 ?? .infinity
            let met = p95 <= Self.keyframeP95TargetMs && worst.withKeyframe == worst.readers
            verdicts.append(Verdict(
                target: "time to first keyframe p95 ≤ 50 ms", met: met,
                detail: "worst p95 \(f(p95, 1)) ms at \(worst.readers) readers ("
                    + measured.sorted { $0.readers < $1.readers }.map { "\($0.readers): \(opt($0.keyframeMsP95, 1))" }.joined(separator: ", ")
                    + " ms); " + (met ? "\(f(Self.keyframeP95TargetMs - p95, 1)) ms to spare" : "\(f(p95 - Self.keyframeP95TargetMs, 1)) ms over")
            ))
        } else {
            verdicts.append(Verdict(target: "time to first keyframe p95 ≤ 50 ms", met: nil, detail: "not measured"))
        }
        // 3. 1000 readers held at 25 fps with 0 RTP loss.
        if let r = result(subject, Self.fullLoadReaders) {
            let fpsMin = r.fpsMin ?? 0
            let met = r.playing == r.readers && r.failureCount == 0 && r.droppedInWindow == 0
                && fpsMin >= Self.fullLoadFps - Self.fpsTolerance && r.lostPackets == 0
            verdicts.append(Verdict(
                target: "1000 readers at 25 fps, 0 RTP loss", met: met,
                detail: "\(r.playing)/\(r.readers) playing, fps min \(f(fpsMin, 2)) / median \(opt(r.fpsMedian, 2)), "
                    + "\(r.lostPackets) packets lost on \(r.readersWithLoss) readers, \(r.failureCount + r.droppedInWindow) failed"
            ))
        } else {
            verdicts.append(Verdict(target: "1000 readers at 25 fps, 0 RTP loss", met: nil, detail: "not measured"))
        }
        // 4. RSS ≤ 32 MiB + 64 KiB per reader, at every reader count.
        if !measured.isEmpty {
            let rows = measured.sorted { $0.readers < $1.readers }.map { r in
                (r, Self.rssBaseKiB + Self.rssPerReaderKiB * r.readers)
            }
            let over = rows.filter { $0.0.serverRSSKiB > $0.1 }
            verdicts.append(Verdict(
                target: "RSS ≤ 32 MiB + 64 KiB per reader", met: over.isEmpty,
                detail: rows.map { r, limit in
                    let margin = Double(limit - r.serverRSSKiB) / 1024
                    return "\(r.readers): \(f(Double(r.serverRSSKiB) / 1024, 1)) of \(f(Double(limit) / 1024, 1)) MiB ("
                        + (margin >= 0 ? "\(f(margin, 1)) to spare" : "\(f(-margin, 1)) over") + ")"
                }.joined(separator: "; ")
                    + "; anonymous memory \(f(Double(rows.first!.0.serverAnonymousKiB) / 1024, 1))–\(f(Double(rows.last!.0.serverAnonymousKiB) / 1024, 1)) MiB"
            ))
        }
        return verdicts
    }

    public func verdictTable() -> TextTable {
        TextTable(header: ["target", "met", "measured"], rows: verdicts().map { v in
            [v.target, v.met.map { $0 ? "yes" : "no" } ?? "–", v.detail]
        })
    }

    // MARK: rendering

    public func plain() -> String {
        var out: [String] = []
        for server in servers {
            out.append("\(server)\n" + serverTable(server).plain())
        }
        if servers.contains(subject), servers.contains(peer) {
            out.append("\(subject)/\(peer) ratios (below 1: \(subject) uses less)\n" + ratioTable().plain())
        }
        if servers.contains(subject) { out.append("targets\n" + verdictTable().plain()) }
        return out.joined(separator: "\n\n")
    }

    public func markdown(heading: String) -> String {
        var out: [String] = [heading]
        for server in servers {
            out.append("**\(server)**\n\n" + serverTable(server).markdown())
        }
        if servers.contains(subject), servers.contains(peer) {
            out.append("**\(subject) / \(peer)** (below 1: \(subject) uses less)\n\n" + ratioTable().markdown())
        }
        if servers.contains(subject) { out.append("**Targets**\n\n" + verdictTable().markdown()) }
        return out.joined(separator: "\n\n")
    }

    // MARK: formatting

    func f(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "∞" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = "\(rounded)"
        if text.hasSuffix(".0"), digits == 0 { text.removeLast(2) }
        if let dot = text.firstIndex(of: "."), digits > 0 {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        }
        if text.contains("e") { return String(describing: rounded) }
        return text
    }

    func rss(_ r: BenchResult) -> String {
        f(Double(r.serverRSSKiB) / 1024, 1) + " (" + f(Double(r.serverAnonymousKiB) / 1024, 1) + ")"
    }

    func opt(_ value: Double?, _ digits: Int) -> String { value.map { f($0, digits) } ?? "–" }

    func ratio(_ a: Double?, _ b: Double?) -> String {
        guard let a, let b, b > 0 else { return "–" }
        return f(a / b, 2) + "×"
    }
}
