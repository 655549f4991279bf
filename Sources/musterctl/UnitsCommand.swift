import ArgumentParser

/// `musterctl units ...`: field units and their positions.
struct UnitsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "units",
        abstract: "List, inspect, add and remove field units.",
        subcommands: [UnitsListCommand.self, UnitsGetCommand.self, UnitsAddCommand.self, UnitsRemoveCommand.self]
    )
}
