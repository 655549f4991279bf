import ArgumentParser

/// `musterctl units track ID [--since 1h] [--until T] [--simplify METRES]`: a unit's positions
/// between two times, oldest first.
struct UnitsTrackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "track",
        abstract: "Show a unit's track between two times, oldest first.",
        discussion: """
            --since and --until take an age (90s, 15m, 1h, 7d), Unix seconds or an ISO 8601 time; \
            by default the last hour. SPEED is in km/h (the JSON keeps the gateway's m/s). \
            --limit keeps the oldest positions of the span: narrow --since/--until, or see \
            'units positions' for the newest. --geojson prints the gateway's LineString Feature \
            ([longitude, latitude(, altitude)] per point) unchanged.
            """
    )

    @Argument(help: "The unit id.")
    var id: String
    @Option(help: "From this time or age (default 1h).")
    var since: String?
    @Option(help: "Up to this time or age (default now).")
    var until: String?
    @Option(help: "Keep only the points that shape the track, within this many metres (0 to 100000).")
    var simplify: Double?
    @Option(help: "At most this many positions, 1 to 100000 (default 10000).")
    var limit: Int?
    @Flag(help: "Print the gateway's GeoJSON instead of a table.")
    var geojson = false
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let since, !GeoArguments.isTrackTime(since) { throw ValidationError("--since must be an age such as 90s, 15m, 1h or 7d, Unix seconds, or an ISO 8601 time") }
        if let until, !GeoArguments.isTrackTime(until) { throw ValidationError("--until must be an age such as 90s, 15m, 1h or 7d, Unix seconds, or an ISO 8601 time") }
        if let simplify, !(simplify.isFinite && (0...100_000).contains(simplify)) { throw ValidationError("--simplify must be from 0 to 100000 metres") }
        if let limit, !(1...GeoArguments.maximumTrackPositions).contains(limit) {
            throw ValidationError("--limit must be from 1 to \(GeoArguments.maximumTrackPositions)")
        }
    }

    var endpoint: APIEndpoint {
        APIEndpoint.unitPositions(id)
            .adding("since", since).adding("until", until)
            .adding("simplify", simplify.map { DisplayFormatting.number(exactly: $0) }).adding("limit", limit.map(String.init))
    }

    func run() async throws {
        let context = try global.makeContext()
        guard let body = try await context.fetchForTable(endpoint, geojson: geojson) else { return }
        let positions = try context.api.decode(APITrack.self, from: body).positions
        if positions.isEmpty {
            ConsoleOutput.printError("no positions of \(id) \(since.map { "since \($0)" } ?? "in the last hour")\n")
            return
        }
        context.printTable(APIPosition.trackTable(positions))
        if let limit, positions.count == limit {
            ConsoleOutput.printError("stopped at --limit \(limit): these are the oldest positions of the span\n")
        }
    }
}
