import ArgumentParser
import Foundation

/// `musterctl status`: health, version and gateway-wide figures in one summary.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the gateway's health, version, uptime, channels and sessions.",
        discussion: "With --output json: {\"server\": ..., \"health\": ..., \"version\": ..., \"stats\": ...}, each as the gateway answered."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let context = try global.makeContext()
        // Health needs no token, so it comes first: it tells "unreachable" from "refused".
        let health = try await context.api.get(.health)
        let version = try await context.api.get(.version)
        let stats = try await context.api.get(.stats)
        if context.wantsJSON {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            let server = String(decoding: try encoder.encode(context.api.settings.server.description), as: UTF8.self)
            let document = "{\"server\":\(server),\"health\":\(String(decoding: health, as: UTF8.self)),"
                + "\"version\":\(String(decoding: version, as: UTF8.self)),\"stats\":\(String(decoding: stats, as: UTF8.self))}"
            context.printJSON(Data(document.utf8))
            return
        }
        let figures = try context.api.decode(APIStats.self, from: stats)
        var table = TextTable(titles: ["FIELD", "VALUE"])
        table.append(["server:", context.api.settings.server.description])
        table.append(["health:", try context.api.decode(APIHealth.self, from: health).status])
        table.append(["version:", try context.api.decode(APIVersion.self, from: version).version])
        table.append(["uptime:", DisplayFormatting.duration(seconds: figures.uptimeSeconds)])
        table.append(["channels:", "\(figures.channels) (\(figures.onlineChannels) online)"])
        table.append([
            "sessions:",
            "\(figures.sessions) (\(DisplayFormatting.count(figures.consumers, "consumer")), \(DisplayFormatting.count(figures.publishers, "publisher")))",
        ])
        context.printTable(table, header: false)
    }
}
