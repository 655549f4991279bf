import ArgumentParser

/// `musterctl units near --lat LAT --lon LON --radius METRES`: units whose last position is
/// within the radius, nearest first.
struct UnitsNearCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "near",
        abstract: "List units whose last position is within a radius of a point, nearest first.",
        discussion: "DISTANCE is from the point; SEEN is how long ago the gateway received the unit's last position. --geojson prints the gateway's FeatureCollection of Points."
    )

    @OptionGroup var point: ProximityOptions
    @Option(help: "At most this many units, 1 to 1000 (default 100).")
    var limit: Int?
    @Flag(help: "Print the gateway's GeoJSON instead of a table.")
    var geojson = false
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        try GeoArguments.checkResultLimit(limit)
    }

    func run() async throws {
        let context = try global.makeContext()
        let endpoint = point.adding(to: .unitsNear).adding("limit", limit.map(String.init))
        try await UnitsNearCommand.printUnits(at: endpoint, geojson: geojson, distances: true, context: context)
    }

    /// The units `endpoint` answers, as GeoJSON, JSON or a table; shared with `units within`.
    static func printUnits(at endpoint: APIEndpoint, geojson: Bool, distances: Bool, context: CommandContext) async throws {
        guard let body = try await context.fetchForTable(endpoint, geojson: geojson) else { return }
        let units = try context.api.decode(APINearUnits.self, from: body).units
        if units.isEmpty {
            ConsoleOutput.printError("no units there\n")
        } else {
            context.printTable(APINearUnit.listTable(units, distances: distances))
        }
    }
}
