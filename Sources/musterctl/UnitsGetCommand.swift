import ArgumentParser

/// `musterctl units get ID`: one unit with its channels and last position.
struct UnitsGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show one unit with its channels and last position.")

    @Argument(help: "The unit id.")
    var id: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let context = try global.makeContext()
        let body = try await context.api.get(.unit(id))
        try context.printRecord(body) { () throws(MusterctlError) in try context.api.decode(APIUnit.self, from: body).detailTable }
    }
}
