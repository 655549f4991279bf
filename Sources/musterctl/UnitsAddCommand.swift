import ArgumentParser

/// `musterctl units add ID --kind K [--name N]`: registers a field unit.
struct UnitsAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Register a field unit.")

    @Argument(help: "The unit id: 1-64 ASCII letters, digits, '-', '_', '.', ':'.")
    var id: String
    @Option(help: "drone, body-worn, phone, vehicle, tracker or person.")
    var kind: String
    @Option(help: "The display name (default: the id).")
    var name: String?
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let context = try global.makeContext()
        let body = try await context.api.send(.POST, .units, json: APIUnitInput(id: id, name: name, kind: kind))
        try context.printRecord(body) { () throws(MusterctlError) in try context.api.decode(APIUnit.self, from: body).detailTable }
    }
}
