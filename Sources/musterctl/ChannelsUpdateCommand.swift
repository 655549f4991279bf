import ArgumentParser

/// `musterctl channels update PATH ...`: changes only the fields given.
struct ChannelsUpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change some fields of a channel; a changed source restarts it.",
        discussion: "Only the options given change. --tag replaces every tag; the --clear-* flags remove a value."
    )

    @Argument(help: "The channel path, e.g. hq/gate-1.")
    var path: String
    @Option(help: "A new display name.")
    var name: String?
    @Option(help: "A new kind.")
    var kind: String?
    @Option(help: "A new source: 'push' or a URL.")
    var source: String?
    @Option(help: "A new zone.")
    var zone: String?
    @Flag(help: "Remove the zone.")
    var clearZone = false
    @Option(help: "A new unit id.")
    var unit: String?
    @Flag(help: "Untie the channel from its unit.")
    var clearUnit = false
    /// Unconditional parsing, so that a western or southern `-2.35` is a value, not a flag.
    /// Unconditional parsing, as in `channels add`: `--lon -70.6` is a value.
    @Option(name: .customLong("lat"), parsing: .unconditional, help: "A new latitude, with --lon.")
    var latitude: Double?
    @Option(name: .customLong("lon"), parsing: .unconditional, help: "A new longitude, with --lat.")
    var longitude: Double?
    @Flag(help: "Remove the position.")
    var clearPosition = false
    @Option(help: "A tag; repeat for several. Replaces all tags.")
    var tag: [String] = []
    @Flag(help: "Remove every tag.")
    var clearTags = false
    @Flag(inversion: .prefixedNo, help: "Pull the source only while someone watches, or always.")
    var onDemand: Bool?
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if zone != nil && clearZone { throw ValidationError("give --zone or --clear-zone, not both") }
        if unit != nil && clearUnit { throw ValidationError("give --unit or --clear-unit, not both") }
        if !tag.isEmpty && clearTags { throw ValidationError("give --tag or --clear-tags, not both") }
        if (latitude == nil) != (longitude == nil) { throw ValidationError("give --lat and --lon together") }
        if latitude != nil && clearPosition { throw ValidationError("give --lat/--lon or --clear-position, not both") }
        if update.isEmpty { throw ValidationError("nothing to change: give at least one option (see --help)") }
    }

    /// The PATCH body the options describe.
    var update: APIChannelUpdate {
        var update = APIChannelUpdate()
        if let name { update.name = .set(name) }
        if let kind { update.kind = .set(kind) }
        if let source { update.source = .set(source) }
        if let zone { update.zone = .set(zone) } else if clearZone { update.zone = .clear }
        if let unit { update.unitID = .set(unit) } else if clearUnit { update.unitID = .clear }
        if let latitude, let longitude {
            update.latitude = .set(latitude)
            update.longitude = .set(longitude)
        } else if clearPosition {
            update.latitude = .clear
            update.longitude = .clear
        }
        if !tag.isEmpty { update.tags = .set(tag) } else if clearTags { update.tags = .set([]) }
        if let onDemand { update.onDemand = .set(onDemand) }
        return update
    }

    func run() async throws {
        let context = try global.makeContext()
        let body = try await context.api.send(.PATCH, .channel(path), json: update)
        try context.printRecord(body) { () throws(MusterctlError) in try context.api.decode(APIChannel.self, from: body).detailTable }
    }
}
