import ArgumentParser

/// `musterctl units rm ID`: removes a unit; its channels stay, untied.
struct UnitsRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a unit; its channels stay, untied from it.")

    @Argument(help: "The unit id.")
    var id: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let context = try global.makeContext()
        try await context.api.delete(.unit(id))
        context.printNote("removed unit \(id)")
    }
}
