import ArgumentParser

/// `musterctl sessions kick ID`: closes a session's connection.
struct SessionsKickCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kick", abstract: "Kick a session: its connection is closed.")

    @Argument(help: "The session id, as 'sessions list' shows it.")
    var id: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let context = try global.makeContext()
        try await context.api.delete(.session(id))
        context.printNote("kicked session \(id)")
    }
}
