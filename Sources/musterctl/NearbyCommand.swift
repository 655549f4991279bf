import ArgumentParser

/// `musterctl nearby --lat LAT --lon LON --radius METRES`: the channels nearest an incident.
struct NearbyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nearby",
        abstract: "List the channels nearest a point, fixed cameras and moving units together, with the URL to play each.",
        discussion: "A channel tied to a unit that reports positions is where the unit is (LOCATED BY shows the unit's id); other channels are at their registered location (fixed). --geojson prints the gateway's FeatureCollection of Points."
    )

    @OptionGroup var point: ProximityOptions
    @Option(help: "At most this many channels, 1 to 1000 (default 50).")
    var limit: Int?
    @Flag(help: "Print the gateway's GeoJSON instead of a table.")
    var geojson = false
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        try GeoArguments.checkResultLimit(limit)
    }

    func run() async throws {
        let context = try global.makeContext()
        let endpoint = point.adding(to: .nearby).adding("limit", limit.map(String.init))
        guard let body = try await context.fetchForTable(endpoint, geojson: geojson) else { return }
        let channels = try context.api.decode(APINearby.self, from: body).channels
        if channels.isEmpty {
            ConsoleOutput.printError("no channels within \(DisplayFormatting.distance(metres: point.radius))\n")
        } else {
            context.printTable(APINearbyChannel.listTable(channels))
        }
    }
}
