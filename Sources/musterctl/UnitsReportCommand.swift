import ArgumentParser

/// `musterctl units report ID --lat LAT --lon LON ...`: posts one position of a unit, as a
/// tracker would; handy for drills and tests.
struct UnitsReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Report one position of a unit (for drills and tests).",
        discussion: "Options not given are recorded as unknown; without --time the gateway takes the time it received the position. Speed is in m/s, as the API takes it."
    )

    @Argument(help: "The unit id.")
    var id: String
    /// Unconditional parsing, so that a western or southern `-2.35` (or an altitude below sea
    /// level) is a value, not a flag.
    @Option(name: .customLong("lat"), parsing: .unconditional, help: "Latitude, -90 to 90 degrees.")
    var latitude: Double
    @Option(name: .customLong("lon"), parsing: .unconditional, help: "Longitude, -180 to 180 degrees.")
    var longitude: Double
    @Option(parsing: .unconditional, help: "Altitude in metres.")
    var altitude: Double?
    @Option(help: "Speed over ground in m/s.")
    var speed: Double?
    @Option(help: "Heading in degrees clockwise from north, 0 to 360.")
    var heading: Double?
    @Option(help: "Horizontal accuracy in metres.")
    var accuracy: Double?
    @Option(help: "When the fix was taken: ISO 8601 or Unix seconds (default: when the gateway receives it).")
    var time: String?
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        try GeoArguments.checkLatitude(latitude)
        try GeoArguments.checkLongitude(longitude)
        if let altitude, !altitude.isFinite { throw ValidationError("--altitude must be a number of metres") }
        if let speed, !(speed.isFinite && speed >= 0) { throw ValidationError("--speed must be 0 or more m/s") }
        if let heading, !(heading.isFinite && (0...360).contains(heading)) { throw ValidationError("--heading must be from 0 to 360 degrees") }
        if let accuracy, !(accuracy.isFinite && accuracy >= 0) { throw ValidationError("--accuracy must be 0 or more metres") }
        if let time, GeoArguments.deviceTime(time) == nil { throw ValidationError("--time must be an ISO 8601 time or Unix seconds") }
    }

    /// The POST body the options describe.
    var input: APIPositionInput {
        APIPositionInput(
            latitude: latitude, longitude: longitude, altitude: altitude, speed: speed, heading: heading, accuracy: accuracy,
            deviceTime: time.flatMap(GeoArguments.deviceTime)
        )
    }

    func run() async throws {
        let context = try global.makeContext()
        let body = try await context.api.send(.POST, .unitPositions(id), json: input)
        let result = try context.api.decode(APIPositionBatchResult.self, from: body)
        // One position is refused with a problem document; a 200 that took nothing is a gateway
        // of another mind, and is a failure all the same.
        if let rejected = result.rejected.first, result.accepted == 0 {
            throw MusterctlError.failed("the gateway rejected the position: \(TextTable.cleaned(rejected.detail)) (\(rejected.reason))")
        }
        if context.wantsJSON {
            context.printJSON(body)
        } else {
            context.printNote("reported \(id) at \(DisplayFormatting.coordinates(latitude: latitude, longitude: longitude))")
        }
    }
}
