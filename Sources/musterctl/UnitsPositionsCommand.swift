import ArgumentParser
import Foundation

/// `musterctl units positions ID [--limit N] [--since 7d]`: a unit's newest positions, like
/// `tail`: oldest of them first, the newest on the last line.
struct UnitsPositionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "positions",
        abstract: "Show a unit's most recent positions, newest last.",
        discussion: """
            The newest --limit positions (default 10) of at most the last 7 days (--since), oldest \
            first like 'tail'. With --output json: the gateway's {"unit": ..., "positions": [...]}. \
            For a span between two times use 'units track'.
            """
    )

    @Argument(help: "The unit id.")
    var id: String
    @Option(help: "How many positions, 1 to 1000.")
    var limit = 10
    @Option(help: "Look back at most this far: an age (7d, 12h), Unix seconds or an ISO 8601 time.")
    var since = "7d"
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if !(1...1000).contains(limit) { throw ValidationError("--limit must be from 1 to 1000") }
        if !GeoArguments.isTrackTime(since) { throw ValidationError("--since must be an age such as 12h or 7d, Unix seconds, or an ISO 8601 time") }
    }

    func run() async throws {
        let context = try global.makeContext()
        // keep=newest: the gateway's limit keeps the newest end of the span.
        let endpoint = APIEndpoint.unitPositions(id).adding("since", since).adding("limit", String(limit)).adding("keep", "newest")
        let body = try await context.api.get(endpoint)
        if context.wantsJSON {
            context.printJSON(body)
            return
        }
        let positions = try context.api.decode(APITrack.self, from: body).positions
        if positions.isEmpty {
            ConsoleOutput.printError("no positions of \(id) since \(since)\n")
            return
        }
        context.printTable(APIPosition.trackTable(positions))
    }
}
