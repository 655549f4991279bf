import ArgumentParser
import Foundation
import TrackerBenchCore

/// Writes the channels to import as JSON lines: one per unit (tied to it, so /nearby places it
/// where its unit is) and fixed cameras spread like the units.
struct Channels: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the channels to import (JSON lines) on standard output.")

    @OptionGroup var fleet: FleetOptions
    @Option(help: "Fixed cameras with coordinates.") var cameras: Int = 5_000

    func run() throws {
        let plan = fleet.plan.make()
        var random = SplitMix64(seed: fleet.seed ^ 0xCA3E_4A5)
        var out = ""
        out.reserveCapacity(1 << 20)
        let stdout = FileHandle.standardOutput
        func flushIfLarge() {
            if out.utf8.count > 1 << 20 {
                stdout.write(Data(out.utf8))
                out.removeAll(keepingCapacity: true)
            }
        }
        for unit in 0..<plan.count {
            let id = plan.id(unit)
            let kind = plan.httpUnits.contains(unit) ? "phone" : "vehicle"
            out += #"{"path":"units/\#(id)","name":"Unit \#(id)","kind":"\#(kind)","source":"push","unit_id":"\#(id)"}"# + "\n"
            flushIfLarge()
        }
        for camera in 0..<cameras {
            let point = randomPoint(cityShare: fleet.cityShare, using: &random)
            out += #"{"path":"cams/c\#(camera)","name":"Camera \#(camera)","kind":"camera","source":"push","latitude":\#(format(point.latitude, 6)),"longitude":\#(format(point.longitude, 6))}"# + "\n"
            flushIfLarge()
        }
        stdout.write(Data(out.utf8))
    }
}

/// The fleet's parameters, cheap to pass around; the plan itself is built where it is used.
struct UnitPlanHandle: Sendable {
    var units: Int
    var httpShare: Double
    var cityShare: Double
    var seed: UInt64

    func make() -> UnitPlan { UnitPlan(count: units, httpShare: httpShare, cityShare: cityShare, seed: seed) }
}
