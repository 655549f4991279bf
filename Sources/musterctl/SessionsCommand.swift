import ArgumentParser

/// `musterctl sessions ...`: who plays and who publishes.
struct SessionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List consumer and publisher sessions, and kick them.",
        subcommands: [SessionsListCommand.self, SessionsKickCommand.self]
    )
}
