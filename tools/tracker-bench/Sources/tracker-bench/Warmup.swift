import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import TrackerBenchCore

/// Registers the fleet through a gateway started with --auto-create-units: every OsmAnd unit
/// reports once over HTTP (a 200 means it is stored), every NMEA unit once over NMEA TCP, then
/// this waits until /metrics counts them all. Much faster than one POST /api/v1/units each,
/// which commits (and fsyncs) one unit and one audit record at a time.
struct Warmup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Register every unit by one position each (the gateway must auto-create units).")

    @OptionGroup var fleet: FleetOptions
    @OptionGroup var gateway: GatewayOptions
    @Option(help: "OsmAnd connections, each sending its share of the units one after another.") var connections: Int = 32
    @Option(help: "Give up after this many seconds.") var timeout: Double = 300

    func run() async throws {
        let (osmand, nmea, api) = try gateway.addresses()
        let epoch = gateway.epoch ?? Date().timeIntervalSince1970
        let plan = fleet.plan.make()
        let start = ContinuousClock.now
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let scraper = MetricsScraper(loop: loop, address: api)
        let before = try await scraper.scrape()

        let perConnection = max(1, (plan.httpCount + max(1, connections) - 1) / max(1, connections))
        let driverBox = try await loop.submit {
            NIOLoopBound(
                LoadDriver(loop: loop, plan: plan, mode: .once, counters: LiveCounters(), osmand: osmand, nmea: nmea,
                           epoch: epoch, unitsPerConnection: perConnection),
                eventLoop: loop
            )
        }.get()
        try await loop.flatSubmit { driverBox.value.connect(concurrency: 16) }.get()
        try await loop.flatSubmit {
            driverBox.value.start(duration: 0)
            return driverBox.value.sendNMEAOverTCP().and(driverBox.value.idle()).map { _ in }
        }.get()
        let results = try await loop.submit { driverBox.value.results() }.get()
        let ok = results.status[200] ?? 0
        guard ok == plan.httpCount else {
            throw ValidationError("warm-up: \(ok) of \(plan.httpCount) OsmAnd units stored; statuses \(results.status), \(results.connectFailures) connections failed, \(results.connectionsLost) lost; is --auto-create-units on?")
        }
        // The NMEA stream has no answers: wait until the gateway counted every unit.
        var counters = before
        while seconds(since: start) < timeout {
            counters = try await scraper.scrape()
            let nmeaStored = (counters.accepted["nmea"] ?? 0) - (before.accepted["nmea"] ?? 0)
            if nmeaStored >= Double(plan.nmeaCount) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let delta = counters.since(before)
        let nmeaStored = Int(delta.accepted["nmea"] ?? 0)
        _ = try await loop.flatSubmit { driverBox.value.close() }.get()
        await scraper.close()
        try? await group.shutdownGracefully()
        guard nmeaStored >= plan.nmeaCount else {
            throw ValidationError("warm-up: \(nmeaStored) of \(plan.nmeaCount) NMEA units stored after \(Int(timeout)) s; rejected \(delta.rejected)")
        }
        let elapsed = seconds(since: start)
        log("registered \(grouped(plan.count)) units (\(grouped(plan.httpCount)) over OsmAnd, \(grouped(plan.nmeaCount)) over NMEA TCP) in \(format(elapsed, 1)) s, \(grouped(Int(Double(plan.count) / elapsed)))/s")
    }
}
