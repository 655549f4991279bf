import Foundation

/// What a command needs to run: the API client and the chosen output.
struct CommandContext: Sendable {
    let api: MusterAPIClient
    let output: OutputFormat

    var wantsJSON: Bool { output == .json }

    /// The gateway's JSON, indented, on standard output.
    func printJSON(_ json: Data) {
        ConsoleOutput.print(JSONText.pretty(json) + "\n")
    }

    func printTable(_ table: TextTable, header: Bool = true) {
        ConsoleOutput.print(table.render(header: header))
    }

    /// A channel's or unit's JSON as the gateway sent it, or its fields one per line.
    func printRecord(_ json: Data, details: () throws(MusterctlError) -> TextTable) throws(MusterctlError) {
        if wantsJSON {
            printJSON(json)
        } else {
            printTable(try details(), header: false)
        }
    }

    /// A line for people that is not data (a confirmation, a hint): on standard error in JSON
    /// mode so that standard output stays parseable.
    func printNote(_ line: String) {
        if wantsJSON {
            ConsoleOutput.printError(line + "\n")
        } else {
            ConsoleOutput.print(line + "\n")
        }
    }
}

extension CommandContext {
    /// Fetches a tracking query's answer for display: prints the gateway's GeoJSON (`geojson`) or
    /// JSON (`--output json`) as it is and returns nil, or returns the JSON body for a table.
    func fetchForTable(_ endpoint: APIEndpoint, geojson: Bool) async throws -> Data? {
        if geojson {
            printJSON(try await api.get(endpoint.adding("format", "geojson"), accept: "application/geo+json"))
            return nil
        }
        let body = try await api.get(endpoint)
        if wantsJSON {
            printJSON(body)
            return nil
        }
        return body
    }
}
