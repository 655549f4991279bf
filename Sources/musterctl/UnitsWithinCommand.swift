import ArgumentParser

/// `musterctl units within --bbox W,S,E,N`: units whose last position lies in a box.
struct UnitsWithinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "within",
        abstract: "List units whose last position lies in a bounding box, by id.",
        discussion: "The box is west,south,east,north in degrees, e.g. --bbox 114.2,30.5,114.4,30.7 (west ≤ east: no box across the antimeridian). --geojson prints the gateway's FeatureCollection of Points."
    )

    /// Unconditional parsing, so that a western edge such as `-0.2,51.4,0.1,51.6` is a value, not a flag.
    @Option(
        parsing: .unconditional, help: ArgumentHelp("west,south,east,north in degrees.", valueName: "west,south,east,north"),
        transform: { text throws in try BoundingBox.parse(text) }
    )
    var bbox: BoundingBox
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
        let endpoint = APIEndpoint.unitsWithin.adding("bbox", bbox.queryValue).adding("limit", limit.map(String.init))
        try await UnitsNearCommand.printUnits(at: endpoint, geojson: geojson, distances: false, context: context)
    }
}
