import ArgumentParser
import FanoutBenchCore
import Foundation
import NIOCore
import NIOPosix

/// Attaches N readers to one server, measures one window, tears them down and prints one JSON line.
struct Measure: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Attach N RTSP/TCP readers to one server, measure one window, print a JSON line."
    )

    @Option(help: "Label of the server in the report.") var server: String
    @Option(help: "rtsp://127.0.0.1:PORT/PATH to read.") var url: String
    @Option(help: "The server's process id, for CPU and RSS from /proc.") var pid: Int32
    @Option(help: "Readers to attach (0: measure the idle server only).") var readers: Int
    @Option(help: "Measurement window in seconds.") var window: Double = 20
    @Option(help: "Seconds to wait after every reader has its first keyframe, before the window.") var settle: Double = 3
    @Option(help: "Readers in their RTSP exchange at once while joining.") var joinConcurrency: Int = 16
    @Option(help: "Seconds to wait for all readers' first keyframe.") var keyframeTimeout: Double = 10
    @Option(help: "Give up (exit 3) after this many seconds in all.") var deadline: Double = 240
    @Option(help: "Event loop threads (default: one per core).") var threads: Int = System.coreCount
    @Option(help: "Readers per loopback source address, 127.0.0.1 upwards (0: all from one).") var readersPerAddress: Int = 200

    func validate() throws {
        guard readers >= 0, readers <= 20_000 else { throw ValidationError("--readers must be 0...20000") }
        guard window > 0, window <= 600 else { throw ValidationError("--window must be in (0, 600]") }
        guard url.hasPrefix("rtsp://127.") || url.hasPrefix("rtsp://localhost") || url.hasPrefix("rtsp://[::1]") else {
            throw ValidationError("loopback URLs only: \(url)")
        }
    }

    func run() async throws {
        let deadline = self.deadline
        let watchdog = Task.detached {
            try await Task.sleep(for: .seconds(deadline))
            log("deadline of \(Int(deadline)) s passed; giving up")
            Foundation.exit(3)
        }
        defer { watchdog.cancel() }

        guard ProcessSample.read(pid: pid) != nil else { throw ValidationError("no process \(pid)") }
        var result = BenchResult(server: server, url: url, readers: readers)
        result.date = ISO8601DateFormatter().string(from: Date())

        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let fleet = try ReaderFleet(group: group, url: url, readersPerAddress: readersPerAddress)

        // Join.
        let joinStart = ContinuousClock.now
        let joined = await fleet.join(count: readers, concurrency: max(1, joinConcurrency))
        result.joinSeconds = seconds(since: joinStart)
        result.playing = fleet.progress.playing.load(ordering: .relaxed)
        if readers > 0 {
            log("\(server): \(result.playing)/\(readers) playing after \(String(format: "%.1f", result.joinSeconds)) s")
        }

        // Every playing reader's first keyframe, or the timeout.
        let keyframeStart = ContinuousClock.now
        while readers > 0, seconds(since: keyframeStart) < keyframeTimeout {
            let playing = fleet.progress.playing.load(ordering: .relaxed)
            if fleet.progress.keyframes.load(ordering: .relaxed) >= playing { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        if readers > 0, settle > 0 { try await Task.sleep(for: .seconds(settle)) }

        // The window.
        let before = await ReaderFleet.snapshot(joined)
        let selfBefore = ownCPUSeconds()
        let machineBefore = MachineSample.read()
        guard let serverBefore = ProcessSample.read(pid: pid) else { throw ValidationError("server \(pid) is gone") }
        let windowStart = ContinuousClock.now
        var peakRSS = serverBefore.rssKiB
        var serverAfter = serverBefore
        while seconds(since: windowStart) < window {
            try await Task.sleep(for: .seconds(min(1, max(0.01, window - seconds(since: windowStart)))))
            guard let sample = ProcessSample.read(pid: pid) else { throw ValidationError("server \(pid) died in the window") }
            peakRSS = max(peakRSS, sample.rssKiB)
            serverAfter = sample
        }
        let elapsed = seconds(since: windowStart)
        let selfAfter = ownCPUSeconds()
        let machineAfter = MachineSample.read()
        let after = await ReaderFleet.snapshot(joined)

        result.windowSeconds = elapsed
        result.serverCPUPerSecond = (serverAfter.cpuSeconds - serverBefore.cpuSeconds) / elapsed
        result.serverRSSKiB = serverAfter.rssKiB
        result.serverPeakRSSKiB = peakRSS
        result.serverAnonymousKiB = serverAfter.anonymousKiB
        result.readerCPUPerSecond = (selfAfter - selfBefore) / elapsed
        if let machineBefore, let machineAfter {
            result.machineBusyPerSecond = (machineAfter.busySeconds - machineBefore.busySeconds) / elapsed
            result.machineSoftIRQPerSecond = (machineAfter.softIRQSeconds - machineBefore.softIRQSeconds) / elapsed
        }
        summarize(into: &result, before: before, after: after, elapsed: elapsed)

        await ReaderFleet.tearDown(joined, timeout: .seconds(5))
        try? await group.shutdownGracefully()

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(result), as: UTF8.self))
        log(oneLine(result))
        if result.otherCPUPerSecond > 0.15 {
            log("WARNING: the rest of the machine used \(String(format: "%.2f", result.otherCPUPerSecond)) CPU-s/s in this window; these figures are not clean")
        }
    }

    private func summarize(into result: inout BenchResult, before: [ReaderSnapshot], after: [ReaderSnapshot], elapsed: Double) {
        var failures: [String: Int] = [:]
        var keyframeMs: [Double] = []
        var playMs: [Double] = []
        var fps: [Double] = []
        for (start, end) in zip(before, after) {
            if let failure = start.failure ?? (start.playNanos == nil ? end.failure : nil) {
                failures[failure, default: 0] += 1
                continue
            }
            if let play = start.playNanos { playMs.append(Double(play - start.connectStartNanos) / 1e6) }
            if let idr = start.firstIDRNanos {
                keyframeMs.append(Double(idr - start.connectStartNanos) / 1e6)
            } else {
                failures["no keyframe within \(Int(keyframeTimeout)) s", default: 0] += 1
            }
            if let failure = end.failure {
                result.droppedInWindow += 1
                result.windowFailures[failure, default: 0] += 1
            }
            result.keepAlivesSent += end.keepAliveSent
            result.keepAlivesUnanswered += end.keepAliveSent - end.keepAliveAnswered
            result.keepAliveMaxMs = max(result.keepAliveMaxMs, Double(end.keepAliveMaxNanos) / 1e6)
            result.lostBeforeWindow += start.lost
            if start.lost > 0 { result.readersWithLossBeforeWindow += 1 }
            fps.append(Double(end.frames - start.frames) / elapsed)
            let lost = end.lost - start.lost
            result.lostPackets += lost
            result.maxLostPerReader = max(result.maxLostPerReader, lost)
            if lost > 0 { result.readersWithLoss += 1 }
            result.misorderedPackets += end.misordered - start.misordered
            result.packetsPerSecond += Double(end.packets - start.packets) / elapsed
            result.receivedMbitPerSecond += Double(end.payloadBytes - start.payloadBytes) * 8 / 1e6 / elapsed
        }
        result.failures = failures
        result.withKeyframe = keyframeMs.count
        result.keyframeMsMedian = Statistics.median(keyframeMs)
        result.keyframeMsP95 = Statistics.percentile(keyframeMs, 95)
        result.keyframeMsMax = keyframeMs.max()
        result.playMsMedian = Statistics.median(playMs)
        result.playMsP95 = Statistics.percentile(playMs, 95)
        result.fpsMin = fps.min()
        result.fpsMedian = Statistics.median(fps)
        result.fpsMax = fps.max()
    }

    private func oneLine(_ r: BenchResult) -> String {
        func f(_ v: Double?, _ d: Int = 1) -> String { v.map { String(format: "%.\(d)f", $0) } ?? "-" }
        var line = "\(r.server) N=\(r.readers): CPU \(f(r.serverCPUPerSecond, 3)) s/s, RSS \(f(Double(r.serverRSSKiB) / 1024)) MiB (anonymous \(f(Double(r.serverAnonymousKiB) / 1024)))"
        if r.readers > 0 {
            line += ", TTFK med \(f(r.keyframeMsMedian)) p95 \(f(r.keyframeMsP95)) ms, fps min \(f(r.fpsMin, 2)) med \(f(r.fpsMedian, 2))"
            line += ", lost \(r.lostPackets) on \(r.readersWithLoss), failed \(r.failureCount) before the window \(r.failures) and \(r.droppedInWindow) in it \(r.windowFailures)"
            line += ", \(f(r.receivedMbitPerSecond, 0)) Mbit/s in, reader CPU \(f(r.readerCPUPerSecond, 3)) s/s"
            line += ", machine busy \(f(r.machineBusyPerSecond, 2)) s/s (softirq \(f(r.machineSoftIRQPerSecond, 2))), lost while joining \(r.lostBeforeWindow) on \(r.readersWithLossBeforeWindow), keep-alives \(r.keepAlivesSent) sent \(r.keepAlivesUnanswered) unanswered (slowest \(f(r.keepAliveMaxMs, 0)) ms)"
        }
        return line
    }
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// CPU seconds used so far by this process, all threads (getrusage(2)).
func ownCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return s(usage.ru_utime) + s(usage.ru_stime)
}

func log(_ message: String) {
    FileHandle.standardError.write(Data(("fanout-bench: " + message + "\n").utf8))
}
