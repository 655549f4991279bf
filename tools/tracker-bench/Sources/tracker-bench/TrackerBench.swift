import ArgumentParser
import Foundation

@main
struct TrackerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracker-bench",
        abstract: "Field-unit tracking load: units reporting over OsmAnd HTTP and NMEA UDP, nearby queries meanwhile.",
        subcommands: [Channels.self, Warmup.self, Load.self]
    )
}

/// Options every subcommand shares: the fleet must be the same in each.
struct FleetOptions: ParsableArguments {
    @Option(help: "Simulated units.") var units: Int = 50_000
    @Option(help: "Share of the units that report over OsmAnd HTTP; the rest use NMEA UDP.") var httpShare: Double = 0.5
    @Option(help: "Share of units, cameras and query points in the city core (the rest spread over the province).") var cityShare: Double = 0.5
    @Option(help: "Seed of the fleet's placement.") var seed: UInt64 = 1

    func validate() throws {
        guard units >= 1, units <= 1_000_000 else { throw ValidationError("--units must be 1...1000000") }
        guard (0...1).contains(httpShare) else { throw ValidationError("--http-share must be 0...1") }
        guard (0...1).contains(cityShare) else { throw ValidationError("--city-share must be 0...1") }
    }

    var plan: UnitPlanHandle { UnitPlanHandle(units: units, httpShare: httpShare, cityShare: cityShare, seed: seed) }
}

/// Progress and problems go to standard error; results to standard output.
func log(_ message: String) {
    let time = Date().formatted(.dateTime.hour(.twoDigits(amPM: .omitted)).minute(.twoDigits).second(.twoDigits))
    FileHandle.standardError.write(Data("\(time) tracker-bench: \(message)\n".utf8))
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}
