import ArgumentParser

/// `musterctl channels list`: one page of channels, or with --all every page.
struct ChannelsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List channels, filtered and sorted.",
        discussion: "Prints one page (100 channels unless --limit says otherwise) and how to get the next; --all follows every page."
    )

    enum State: String, ExpressibleByArgument, CaseIterable {
        case online, offline
    }

    /// The page size for --all when --limit is not given: the largest the gateway allows.
    static let pageSizeForAll = 1000

    @Option(help: "Only channels of this kind (camera, drone, body-worn, phone, vehicle, mosaic, derived).")
    var kind: String?
    @Option(help: "Only channels visible in this zone.")
    var zone: String?
    @Option(help: "Only online or only offline channels.")
    var state: State?
    @Option(help: "Only channels with this tag.")
    var tag: String?
    @Option(help: "Only paths under this prefix ('hq' matches hq and hq/...).")
    var prefix: String?
    @Option(help: "Only channels whose name contains this text (case-insensitive).")
    var search: String?
    /// Unconditional parsing, so that `--sort -name` takes "-name" as the value, not as a flag.
    @Option(parsing: .unconditional, help: "path, name, created_at or updated_at; a leading '-' sorts descending.")
    var sort: String?
    @Option(help: "Channels per page, 1 to 1000.")
    var limit: Int?
    @Option(help: "Start at this page (the cursor printed after the previous one).")
    var cursor: String?
    @Flag(help: "Follow every page.")
    var all = false
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let limit, !(1...1000).contains(limit) { throw ValidationError("--limit must be from 1 to 1000") }
    }

    func run() async throws {
        let context = try global.makeContext()
        let filtered = APIEndpoint.channels
            .adding("kind", kind).adding("zone", zone).adding("state", state?.rawValue).adding("tag", tag)
            .adding("prefix", prefix).adding("q", search).adding("sort", sort)
        let pageSize = limit ?? (all ? Self.pageSizeForAll : nil)

        let pages = try await context.api.pages(
            of: filtered, as: APIChannelPage.self, limit: pageSize, cursor: cursor, all: all, nextCursor: \.nextCursor
        )
        let channels = pages.flatMap(\.page.channels)
        let nextCursor = pages.last?.page.nextCursor

        if context.wantsJSON {
            context.printJSON(all ? try JSONText.mergedPages(pages.map(\.body), arrayKey: "channels") : pages[0].body)
            return
        }
        if channels.isEmpty {
            ConsoleOutput.printError("no channels match\n")
        } else {
            context.printTable(APIChannel.listTable(channels))
        }
        if let nextCursor {
            ConsoleOutput.printError("more channels follow: add --cursor \(DisplayFormatting.shellWord(nextCursor)) for the next page, or --all for every page\n")
        }
    }
}
