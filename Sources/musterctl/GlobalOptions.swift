import ArgumentParser
import Foundation

/// How results are printed: aligned tables for people, the gateway's JSON for scripts.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json
}

/// The options every command takes: which gateway, which token, which output.
struct GlobalOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The gateway's admin API, e.g. http://10.0.0.5:9780.",
        discussion: "Otherwise MUSTER_SERVER, then \"server\" in the config file, then http://127.0.0.1:9780.",
        valueName: "url"
    ))
    var server: String?

    @Option(help: ArgumentHelp(
        "The API token.",
        discussion: "Otherwise MUSTER_TOKEN, then \"token\" in the config file. Prefer those: a flag shows in the process list.",
        valueName: "token"
    ))
    var token: String?

    @Option(help: "table for people, json (the gateway's own JSON) for scripts.")
    var output: OutputFormat = .table

    /// The client for this invocation, settings resolved from flags, environment and config file.
    func makeContext() throws(MusterctlError) -> CommandContext {
        let environment = ProcessInfo.processInfo.environment
        let settings = try ClientSettings.resolve(serverFlag: server, tokenFlag: token, environment: environment) { () throws(MusterctlError) in
            guard let path = ClientSettings.configFilePath(environment: environment) else { return nil }
            return try ClientSettings.readConfigFile(at: path)
        }
        return CommandContext(api: MusterAPIClient(http: HTTPClient(settings: settings)), output: output)
    }
}
