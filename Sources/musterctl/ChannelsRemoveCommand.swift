import ArgumentParser

/// `musterctl channels rm PATH`: removes a channel, stops its source, disconnects its consumers.
struct ChannelsRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Remove a channel; its source stops and its consumers are disconnected."
    )

    @Argument(help: "The channel path, e.g. hq/gate-1.")
    var path: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let context = try global.makeContext()
        try await context.api.delete(.channel(path))
        context.printNote("removed channel \(path)")
    }
}
