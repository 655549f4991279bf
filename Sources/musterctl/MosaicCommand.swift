import ArgumentParser

/// `musterctl mosaic ...`: merged feeds for video walls, as channels of kind mosaic.
struct MosaicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mosaic",
        abstract: "Compose several channels into one picture (a channel of kind mosaic).",
        discussion: """
            A mosaic starts when its first consumer plays rtsp://HOST:8554/PATH and stops when the last one \
            leaves. Tiles of inputs that are offline show their last picture, then a grey placeholder.
            """,
        subcommands: [MosaicCreateCommand.self, MosaicIncidentCommand.self, MosaicSetCommand.self]
    )

    static let layouts = ["1x1", "2x2", "3x3", "4x4", "1+5"]

    static func tileCount(_ layout: String) -> Int {
        ["1x1": 1, "2x2": 4, "3x3": 9, "4x4": 16, "1+5": 6][layout] ?? 0
    }

    static func validate(layout: String) throws {
        guard layouts.contains(layout) else { throw ValidationError("--layout must be one of \(layouts.joined(separator: ", "))") }
    }

    static func channelList(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// The options every new mosaic shares.
struct MosaicChannelOptions: ParsableArguments {
    @Argument(help: "The mosaic's channel path (e.g. walls/north).")
    var path: String
    @Option(help: "The profile its picture is encoded in (see GET /api/v1/profiles), e.g. hd-720p.")
    var profile: String
    @Option(help: "The display name (default: the path).")
    var name: String?
    @Option(help: "The zone the mosaic belongs to.")
    var zone: String?

    func create(source: String, global: GlobalOptions) async throws {
        let context = try global.makeContext()
        let input = APIChannelInput(path: path, kind: "mosaic", source: source, name: name, zone: zone)
        let body = try await context.api.send(.POST, .channels, json: input)
        try context.printRecord(body) { () throws(MusterctlError) in try context.api.decode(APIChannel.self, from: body).detailTable }
    }
}

/// `musterctl mosaic create PATH --layout 2x2 --channels a,b,c,d --profile hd-720p`.
struct MosaicCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a mosaic of fixed channels, tile by tile.")

    @OptionGroup var channel: MosaicChannelOptions
    @Option(help: "1x1, 2x2, 3x3, 4x4 or 1+5 (one large tile and five small ones).")
    var layout: String
    @Option(help: "The input channel paths, comma-separated, in tile order (left to right, top to bottom).")
    var channels: String
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        try MosaicCommand.validate(layout: layout)
        let count = MosaicCommand.channelList(channels).count
        guard (1...MosaicCommand.tileCount(layout)).contains(count) else {
            throw ValidationError("a \(layout) mosaic takes 1 to \(MosaicCommand.tileCount(layout)) channels; --channels has \(count)")
        }
    }

    func run() async throws {
        let list = MosaicCommand.channelList(channels).joined(separator: ",")
        try await channel.create(source: "mosaic:\(layout)?profile=\(channel.profile)&channels=\(list)", global: global)
    }
}

/// `musterctl mosaic incident PATH --lat --lon --radius 2000 --max 9 --profile hd-720p`.
struct MosaicIncidentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incident",
        abstract: "Create a mosaic of the live feeds nearest an incident, re-ranked every few seconds as units move."
    )

    @OptionGroup var channel: MosaicChannelOptions
    /// Unconditional parsing, so that a western or southern `-2.35` is a value, not a flag.
    @Option(name: .customLong("lat"), parsing: .unconditional, help: "Latitude of the incident (WGS84 degrees).")
    var latitude: Double
    @Option(name: .customLong("lon"), parsing: .unconditional, help: "Longitude of the incident (WGS84 degrees).")
    var longitude: Double
    @Option(help: "Search radius in metres.")
    var radius: Double = 2000
    @Option(help: "At most this many feeds (1 to 16).")
    var max: Int = 9
    @Option(help: "The layout (default: the smallest grid that holds --max feeds).")
    var layout: String?
    @OptionGroup var global: GlobalOptions

    var effectiveLayout: String {
        layout ?? (max <= 1 ? "1x1" : max <= 4 ? "2x2" : max <= 9 ? "3x3" : "4x4")
    }

    func validate() throws {
        guard (-90...90).contains(latitude), (-180...180).contains(longitude) else { throw ValidationError("--lat/--lon are out of range") }
        guard radius >= 1, radius <= 1_000_000 else { throw ValidationError("--radius must be 1 to 1000000 metres") }
        try MosaicCommand.validate(layout: effectiveLayout)
        guard (1...MosaicCommand.tileCount(effectiveLayout)).contains(max) else {
            throw ValidationError("--max must be 1 to \(MosaicCommand.tileCount(effectiveLayout)) for a \(effectiveLayout) mosaic")
        }
    }

    func run() async throws {
        let radiusText = radius == radius.rounded() ? String(Int(radius)) : String(radius)
        try await channel.create(
            source: "mosaic:\(effectiveLayout)?profile=\(channel.profile)&near=\(latitude),\(longitude)&radius=\(radiusText)&max=\(max)",
            global: global
        )
    }
}

/// `musterctl mosaic set PATH --channels a,b,c,d`: new inputs; players keep watching.
struct MosaicSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Put other channels on a mosaic's tiles; its consumers keep playing."
    )

    @Argument(help: "The mosaic's channel path.")
    var path: String
    @Option(help: "The input channel paths, comma-separated, in tile order.")
    var channels: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let context = try global.makeContext()
        let current = try context.api.decode(APIChannel.self, from: try await context.api.get(.channel(path)))
        guard current.kind == "mosaic", current.source.hasPrefix("mosaic:"), let query = current.source.split(separator: "?", maxSplits: 1).last else {
            throw ValidationError("\(path) is not a mosaic (its kind is \(current.kind))")
        }
        let layout = current.source.dropFirst("mosaic:".count).prefix { $0 != "?" }
        let profile = query.split(separator: "&").first { $0.hasPrefix("profile=") }.map { $0.dropFirst("profile=".count) } ?? ""
        var update = APIChannelUpdate()
        update.source = .set("mosaic:\(layout)?profile=\(profile)&channels=\(MosaicCommand.channelList(channels).joined(separator: ","))")
        let body = try await context.api.send(.PATCH, .channel(path), json: update)
        try context.printRecord(body) { () throws(MusterctlError) in try context.api.decode(APIChannel.self, from: body).detailTable }
    }
}
