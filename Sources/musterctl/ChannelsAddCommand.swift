import ArgumentParser

/// `musterctl channels add PATH --kind K --source URL|push ...`: registers a channel.
struct ChannelsAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Register a channel.",
        discussion: "A pulled source (a URL) starts at once, or at its first consumer with --on-demand; a push channel waits for its publisher."
    )

    @Argument(help: "The channel path: lowercase letters, digits, '-', '_', '.', '/'-separated (e.g. hq/gate-1).")
    var path: String
    @Option(help: "camera, drone, body-worn, phone, vehicle, mosaic or derived.")
    var kind: String
    @Option(help: "'push', or a URL the gateway pulls (rtsp://, rtmp://, srt://, udp://, http://, a file path).")
    var source: String
    @Option(help: "The display name (default: the path).")
    var name: String?
    @Option(help: "The zone the channel belongs to.")
    var zone: String?
    @Option(help: "The id of the field unit carrying the source.")
    var unit: String?
    /// Unconditional parsing, so that a western or southern `-2.35` is a value, not a flag.
    @Option(name: .customLong("lat"), parsing: .unconditional, help: "Latitude of a fixed source, with --lon.")
    var latitude: Double?
    @Option(name: .customLong("lon"), parsing: .unconditional, help: "Longitude of a fixed source, with --lat.")
    var longitude: Double?
    @Option(help: "A tag; repeat for several.")
    var tag: [String] = []
    @Flag(help: "Pull the source only while someone watches.")
    var onDemand = false
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if (latitude == nil) != (longitude == nil) { throw ValidationError("give --lat and --lon together") }
    }

    func run() async throws {
        let context = try global.makeContext()
        let input = APIChannelInput(
            path: path, kind: kind, source: source, name: name, zone: zone, unitID: unit,
            latitude: latitude, longitude: longitude, tags: tag.isEmpty ? nil : tag, onDemand: onDemand ? true : nil
        )
        let body = try await context.api.send(.POST, .channels, json: input)
        try context.printRecord(body) { () throws(MusterctlError) in try context.api.decode(APIChannel.self, from: body).detailTable }
    }
}
