import ArgumentParser
import Foundation

/// `musterctl channels import FILE`: streams a JSON lines or CSV file to the gateway.
struct ChannelsImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import channels from a JSON lines or CSV file.",
        discussion: """
            The file is streamed, never read whole. CSV needs the header \
            path,name,kind,source,zone,unit_id,latitude,longitude,tags,on_demand (tags separated by ';'). \
            Without --upsert an existing path is a row error. Exits 1 when any row was refused.
            """
    )

    /// Row errors printed in table mode; --output json prints all the gateway returned.
    static let rowErrorsShown = 20

    @Argument(help: "A .jsonl/.ndjson or .csv file, or '-' for standard input.")
    var file: String
    @Option(help: "jsonl or csv (default: from the file's extension).")
    var format: ChannelFileFormat?
    @Flag(help: "Update channels that already exist instead of refusing them.")
    var upsert = false
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard format == nil, ChannelFileFormat.guess(fromFileName: file) == nil else { return }
        throw ValidationError("cannot tell the format of '\(file)' from its name; give --format jsonl or --format csv")
    }

    func run() async throws {
        let context = try global.makeContext()
        let format = format ?? ChannelFileFormat.guess(fromFileName: file) ?? .jsonl
        let reader = try FileChunkReader(path: file)
        let progress = ImportProgress(totalBytes: reader.size, enabled: ConsoleOutput.standardErrorIsTerminal)
        let endpoint = APIEndpoint.importChannels.adding("mode", upsert ? "upsert" : "create")
        let body: Data
        do {
            body = try await context.api.upload(endpoint, contentType: format.contentType) {
                let chunk = try await reader.nextChunk()
                if let chunk { await progress.record(chunk) }
                return chunk
            }
            await progress.finish()
        } catch {
            await progress.finish()
            throw error
        }
        let result = try context.api.decode(APIImportResult.self, from: body)
        if context.wantsJSON {
            context.printJSON(body)
        } else {
            ConsoleOutput.print(Self.summary(of: result))
        }
        if result.failed > 0 {
            throw MusterctlError.failed("the gateway refused \(result.failed) of \(result.imported + result.failed) rows")
        }
    }

    /// `imported 998, failed 2` and the first row errors, each with its row number.
    static func summary(of result: APIImportResult) -> String {
        var text = "imported \(result.imported), failed \(result.failed)\n"
        guard !result.errors.isEmpty else { return text }
        var table = TextTable([.init(title: "ROW", alignment: .right), .init(title: "ERROR")])
        for error in result.errors.prefix(rowErrorsShown) { table.append([String(error.row), error.message]) }
        text += table.render()
        if result.failed > rowErrorsShown {
            text += "(first \(rowErrorsShown) of \(result.failed) row errors; --output json lists up to 1000)\n"
        }
        return text
    }
}
