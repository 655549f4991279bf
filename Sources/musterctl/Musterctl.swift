import ArgumentParser

/// The root command: `musterctl <group> <command>`.
struct Musterctl: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "musterctl",
        abstract: "Operate a Muster video gateway through its HTTP admin API.",
        discussion: """
            The gateway and the token come from --server/--token, else MUSTER_SERVER/MUSTER_TOKEN, \
            else $XDG_CONFIG_HOME/muster/musterctl.json (or ~/.config/muster/musterctl.json) holding \
            {"server": "http://host:9780", "token": "..."}, else http://127.0.0.1:9780 without a token.

            Exit status: 0 done; 1 the gateway refused (its reason is printed) or something else \
            failed; 2 the command line or the configuration is wrong; 3 the gateway could not be reached.
            """,
        version: version,
        subcommands: [
            ChannelsCommand.self, SessionsCommand.self, UnitsCommand.self, NearbyCommand.self, MosaicCommand.self, ProfilesCommand.self,
            TranscodersCommand.self, StatusCommand.self, EventsCommand.self,
        ]
    )

    /// Declared here too so that `musterctl --server URL channels list` works as well as
    /// `musterctl channels list --server URL`: each command of the stack decodes the same values.
    @OptionGroup var global: GlobalOptions
}
