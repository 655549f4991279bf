import ArgumentParser

/// `musterctl channels ...`: the channel directory.
struct ChannelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "channels",
        abstract: "List, inspect, add, change, remove, import and export channels.",
        subcommands: [
            ChannelsListCommand.self, ChannelsGetCommand.self, ChannelsAddCommand.self, ChannelsUpdateCommand.self,
            ChannelsRemoveCommand.self, ChannelsImportCommand.self, ChannelsExportCommand.self,
        ]
    )
}
