import ArgumentParser

/// `musterctl units list [--all]`: units by id, one page or every page.
struct UnitsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List field units by id.",
        discussion: "Prints one page (100 units unless --limit says otherwise) and how to get the next; --all follows every page."
    )

    @Option(help: "Units per page, 1 to 1000.")
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
        let pageSize = limit ?? (all ? ChannelsListCommand.pageSizeForAll : nil)
        let pages = try await context.api.pages(
            of: .units, as: APIUnitPage.self, limit: pageSize, cursor: cursor, all: all, nextCursor: \.nextCursor
        )
        let units = pages.flatMap(\.page.units)
        let nextCursor = pages.last?.page.nextCursor

        if context.wantsJSON {
            context.printJSON(all ? try JSONText.mergedPages(pages.map(\.body), arrayKey: "units") : pages[0].body)
            return
        }
        if units.isEmpty {
            ConsoleOutput.printError("no units\n")
        } else {
            context.printTable(APIUnit.listTable(units))
        }
        if let nextCursor {
            ConsoleOutput.printError("more units follow: add --cursor \(DisplayFormatting.shellWord(nextCursor)) for the next page, or --all for every page\n")
        }
    }
}
