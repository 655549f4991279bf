import ArgumentParser

/// `musterctl channels get PATH`: one channel with its live state.
struct ChannelsGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show one channel with its live state.")

    @Argument(help: "The channel path, e.g. hq/gate-1.")
    var path: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let context = try global.makeContext()
        let body = try await context.api.get(.channel(path))
        try context.printRecord(body) { () throws(MusterctlError) in try context.api.decode(APIChannel.self, from: body).detailTable }
    }
}
