import ArgumentParser

/// `musterctl units ...`: field units and their positions.
struct UnitsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "units",
        abstract: "List, inspect, add and remove field units; find them, follow their tracks, report positions.",
        subcommands: [
            UnitsListCommand.self, UnitsGetCommand.self, UnitsAddCommand.self, UnitsRemoveCommand.self,
            UnitsNearCommand.self, UnitsWithinCommand.self, UnitsTrackCommand.self, UnitsPositionsCommand.self, UnitsReportCommand.self,
        ]
    )
}
