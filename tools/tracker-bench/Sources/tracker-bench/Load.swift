import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import TrackerBenchCore

/// The measurement: every unit reports once a second for the duration while nearby queries run;
/// prints the report on standard output and the figures as JSON to --json.
struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the reporting load and the queries; print the report.")

    @OptionGroup var fleet: FleetOptions
    @OptionGroup var gateway: GatewayOptions
    @Option(help: "The gateway's process id, for CPU and RSS from /proc.") var pid: Int32
    @Option(help: "Seconds of load.") var duration: Double = 60
    @Option(help: "OsmAnd units per keep-alive connection (each connection has one request in flight).") var unitsPerConnection: Int = 10
    @Option(help: "GET /api/v1/nearby queries per second.") var nearbyRate: Double = 20
    @Option(help: "GET /api/v1/units/near queries per second.") var unitsNearRate: Double = 5
    @Option(help: "Query radius in metres.") var radius: Int = 2000
    @Option(help: "API connections the queries share.") var queryConnections: Int = 8
    @Option(help: "Seconds to wait after the load for answers and for the gateway's counters to settle.") var drain: Double = 15
    @Option(help: "Write the figures as JSON here.") var json: String?
    @Option(help: "Write the figures as a markdown table (for the README) here.") var markdown: String?

    func validate() throws {
        guard duration >= 1, duration <= 3600 else { throw ValidationError("--duration must be 1...3600") }
        guard unitsPerConnection >= 1 else { throw ValidationError("--units-per-connection must be at least 1") }
        guard nearbyRate >= 0, unitsNearRate >= 0, nearbyRate <= 1000, unitsNearRate <= 1000 else { throw ValidationError("query rates must be 0...1000") }
    }

    func run() async throws {
        let (osmand, nmea, api) = try gateway.addresses()
        let epoch = gateway.epoch ?? Date().timeIntervalSince1970
        let pid = String(self.pid)
        guard ProcessSample.read(pid: pid) != nil else { throw ValidationError("no process \(pid)") }
        let plan = fleet.plan.make()
        let duration = self.duration, radius = self.radius

        // One loop carries the whole input load; the other the queries and scrapes, so their
        // latencies are not the load loop's queueing.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loops = Array(group.makeIterator())
        let loadLoop = loops[0], apiLoop = loops[1]
        let counters = LiveCounters()
        let scraper = MetricsScraper(loop: apiLoop, address: api)

        let driverBox = try await loadLoop.submit {
            NIOLoopBound(
                LoadDriver(loop: loadLoop, plan: plan, mode: .paced, counters: counters, osmand: osmand, nmea: nmea,
                           epoch: epoch, unitsPerConnection: unitsPerConnection),
                eventLoop: loadLoop
            )
        }.get()
        let connectStart = ContinuousClock.now
        try await loadLoop.flatSubmit { driverBox.value.connect(concurrency: 64) }.get()
        let setup = try await loadLoop.submit { (driverBox.value.connections.count, driverBox.value.results().connectFailures) }.get()
        guard setup.1 == 0 else { throw ValidationError("\(setup.1) of \(setup.0) OsmAnd connections failed to connect") }
        log("\(grouped(setup.0)) OsmAnd connections open in \(format(seconds(since: connectStart), 1)) s")

        let cityShare = fleet.cityShare, seed = fleet.seed, queryConnections = self.queryConnections
        let nearbyRate = self.nearbyRate, unitsNearRate = self.unitsNearRate
        let queriesBox = try await apiLoop.submit {
            NIOLoopBound(
                QueryLoad(loop: apiLoop, kinds: [
                    QueryLoad.Kind(name: "GET /api/v1/nearby", perSecond: nearbyRate) { latitude, longitude in
                        "/api/v1/nearby?lat=\(format(latitude, 6))&lon=\(format(longitude, 6))&radius=\(radius)&limit=50"
                    },
                    QueryLoad.Kind(name: "GET /api/v1/units/near", perSecond: unitsNearRate) { latitude, longitude in
                        "/api/v1/units/near?lat=\(format(latitude, 6))&lon=\(format(longitude, 6))&radius=\(radius)"
                    },
                ], cityShare: cityShare, seed: seed ^ 0x5EA2C4),
                eventLoop: apiLoop
            )
        }.get()
        try await apiLoop.flatSubmit { queriesBox.value.connect(to: api, count: max(1, queryConnections)) }.get()

        // Before.
        let countersBefore = try await scraper.scrape()
        let udpBefore = UDPCounters.read()
        guard let musterBefore = ProcessSample.read(pid: pid), let selfBefore = ProcessSample.read(pid: "self"),
              let machineBefore = machineBusySeconds() else { throw ValidationError("cannot read /proc") }
        var peakRSS = musterBefore.rssKiB
        let writesBefore = processWriteBytes(pid: pid)
        log("load: \(grouped(plan.count)) units (\(grouped(plan.httpCount)) OsmAnd, \(grouped(plan.nmeaCount)) NMEA) at 1 Hz for \(format(duration, 0)) s; \(format(nearbyRate, 0)) nearby + \(format(unitsNearRate, 0)) units/near queries/s")

        let start = ContinuousClock.now
        loadLoop.execute { driverBox.value.start(duration: duration) }
        apiLoop.execute { queriesBox.value.start() }

        // Once a second: the gateway's counters and memory.
        var series: [Double] = []
        var previous = countersBefore
        var second = 1
        var lastSent = 0
        while Double(second) <= duration {
            let wake = start + .seconds(second)
            try await Task.sleep(until: wake, clock: .continuous)
            let now = try await scraper.scrape()
            series.append(now.totalAccepted - previous.totalAccepted)
            previous = now
            if let sample = ProcessSample.read(pid: pid) { peakRSS = max(peakRSS, sample.rssKiB) } else {
                throw ValidationError("muster (pid \(pid)) exited during the load")
            }
            if second % 5 == 0 || Double(second) == duration {
                let sent = counters.httpSent.load(ordering: .relaxed) + counters.nmeaSent.load(ordering: .relaxed)
                let lastFive = series.suffix(5)
                log("\(second) s: sent \(grouped((sent - lastSent) / 5))/s, accepted \(grouped(Int(lastFive.reduce(0, +) / Double(lastFive.count))))/s, RSS \(peakRSS / 1024) MiB peak")
                lastSent = sent
            }
            second += 1
        }
        // The load window ends here for CPU figures.
        let window = seconds(since: start)
        let musterAfter = ProcessSample.read(pid: pid)
        let writesAfter = processWriteBytes(pid: pid)
        let selfAfter = ProcessSample.read(pid: "self")
        let machineAfter = machineBusySeconds()
        apiLoop.execute { queriesBox.value.stop() }

        // Drain: answers still in flight, then the counters until they stop moving.
        let drained = try? await withThrowingTaskGroup(of: Bool.self) { tasks in
            tasks.addTask { try await loadLoop.flatSubmit { driverBox.value.idle() }.get(); return true }
            tasks.addTask { try await Task.sleep(for: .seconds(drain)); return false }
            let first = try await tasks.next() ?? false
            tasks.cancelAll()
            return first
        }
        if drained != true { log("some OsmAnd requests were still unanswered \(format(drain, 0)) s after the load") }
        let countersAfter = try await scraper.settle(timeout: drain)
        let udpAfter = UDPCounters.read()
        let driverResults = try await loadLoop.submit { driverBox.value.results() }.get()
        let queries = try await apiLoop.submit { (queriesBox.value.figures(), queriesBox.value.problems) }.get()
        _ = try? await loadLoop.flatSubmit { driverBox.value.close() }.get()
        _ = try? await apiLoop.flatSubmit { queriesBox.value.close() }.get()
        await scraper.close()
        try? await group.shutdownGracefully()

        var result = BenchResult()
        result.date = ISO8601DateFormatter().string(from: Date())
        result.units = plan.count
        result.httpUnits = plan.httpCount
        result.nmeaUnits = plan.nmeaCount
        result.durationSeconds = duration
        result.httpConnections = setup.0
        result.unitsPerConnection = unitsPerConnection
        result.httpDue = driverResults.httpDue
        result.httpSent = driverResults.httpSent
        result.nmeaDue = driverResults.nmeaDue
        result.nmeaSent = driverResults.nmeaSent
        result.httpStatus = Dictionary(uniqueKeysWithValues: driverResults.status.map { (String($0.key), $0.value) })
        result.httpConnectionsLost = driverResults.connectionsLost
        result.httpUnanswered = driverResults.unanswered
        result.httpLatency = LatencySummary(driverResults.latency)
        result.httpSendLag = LatencySummary(driverResults.sendLag)
        result.httpWorstPerSecond = driverResults.worstPerSecond.prefix(Int(duration.rounded(.up))).map { Double($0) / 1e6 }
        if let writesBefore, let writesAfter { result.musterDiskWriteMiBPerSecond = Double(writesAfter - writesBefore) / window / 1_048_576 }
        if let udpBefore, let udpAfter { result.udpReceiveBufferErrors = udpAfter.receiveBufferErrors - udpBefore.receiveBufferErrors }
        result.counters = countersAfter.since(countersBefore)
        result.acceptedPerSecondSeries = series
        result.nearby = queries.0.first
        result.unitsNear = queries.0.dropFirst().first
        if let musterAfter {
            result.musterCPUPercent = (musterAfter.cpuSeconds - musterBefore.cpuSeconds) / window * 100
            result.musterRSSEnd = musterAfter
            peakRSS = max(peakRSS, musterAfter.rssKiB)
        }
        result.musterRSSStartMiB = Double(musterBefore.rssKiB) / 1024
        result.musterRSSPeakMiB = Double(peakRSS) / 1024
        if let selfAfter {
            result.generatorCPUPercent = (selfAfter.cpuSeconds - selfBefore.cpuSeconds) / window * 100
            result.generatorRSSMiB = Double(selfAfter.rssKiB) / 1024
        }
        if let machineAfter { result.machineBusyPercent = (machineAfter - machineBefore) / window * 100 }

        for problem in driverResults.protocolErrors { log("OsmAnd answer not understood: \(problem)") }
        for problem in queries.1 { log("query problem: \(problem)") }
        print(result.plainReport)
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try encoder.encode(result).write(to: URL(fileURLWithPath: json))
        }
        if let markdown { try Data((result.markdownTable + "\n").utf8).write(to: URL(fileURLWithPath: markdown)) }
    }
}
