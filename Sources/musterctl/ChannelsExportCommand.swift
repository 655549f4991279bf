import ArgumentParser

/// `musterctl channels export`: streams the directory as JSON lines or CSV.
struct ChannelsExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export channels as JSON lines or CSV, to standard output or a file.",
        discussion: "Source credentials come out redacted (***). The output can be imported again with 'channels import'."
    )

    @Option(help: "jsonl or csv (default: from --output-file's extension, else jsonl).")
    var format: ChannelFileFormat?
    @Option(help: "Only channels of this kind.")
    var kind: String?
    @Option(help: "Only channels visible in this zone.")
    var zone: String?
    @Option(help: "Only channels with this tag.")
    var tag: String?
    @Option(help: "Only paths under this prefix.")
    var prefix: String?
    @Option(help: "Write to this file (replaced only when the export is complete) instead of standard output.")
    var outputFile: String?
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let context = try global.makeContext()
        let format = format ?? outputFile.flatMap(ChannelFileFormat.guess(fromFileName:)) ?? .jsonl
        let endpoint = APIEndpoint.exportChannels
            .adding("format", format.rawValue).adding("kind", kind).adding("zone", zone).adding("tag", tag).adding("prefix", prefix)
        let destination = try outputFile.map { path throws(MusterctlError) in try ExportDestination(path: path) } ?? ExportDestination()
        do {
            let lines = try await context.api.stream(endpoint, accept: format.contentType) { body in
                try await destination.copy(from: body)
            }
            try destination.commit()
            if let outputFile {
                let channels = format == .csv ? max(0, lines - 1) : lines
                ConsoleOutput.printError("exported \(channels) channels to \(outputFile)\n")
            }
        } catch {
            destination.discard()
            throw error
        }
    }
}
