import Foundation
import Hummingbird
import MusterDirectory

/// /api/v1/import/channels and /api/v1/export/channels: bulk moves of the directory.
struct ImportExportRoutes {
    /// A bulk import streams, so its limit is far above that of ordinary JSON bodies.
    static let maximumImportBytes = 2 << 30

    let services: APIServices

    func register(on routes: APIRouteTable) {
        routes.add(.post, "/api/v1/import/channels") { request, context in try await importChannels(request, context) }
        routes.add(.get, "/api/v1/export/channels") { request, context in try await exportChannels(request, context) }
    }

    private func importChannels(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.require(.operator)
        let contentType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        let format: ChannelImporter.Format
        switch contentType {
        case "application/x-ndjson", "application/jsonl", "application/json-lines", "application/x-jsonlines": format = .jsonLines
        case "text/csv": format = .csv
        default:
            throw APIProblem(.unsupportedMediaType, "send JSON lines as application/x-ndjson or CSV as text/csv (got '\(contentType.prefix(60))')")
        }
        let upsert: Bool
        switch request.uri.queryParameters.get("mode") ?? "create" {
        case "create": upsert = false
        case "upsert": upsert = true
        default: throw APIProblem.badField("mode", "must be create or upsert")
        }
        var importer = ChannelImporter(format: format, upsert: upsert, services: services)
        var received = 0
        for try await chunk in request.body {
            received += chunk.readableBytes
            guard received <= Self.maximumImportBytes else {
                throw APIProblem(.contentTooLarge, "imports are limited to \(Self.maximumImportBytes >> 20) MiB; \(importer.imported) rows were stored before the limit; split the file")
            }
            try await importer.feed(chunk)
        }
        let result = try await importer.finish()
        try await services.audit(identity, "channel.import", "channels", "imported=\(result.imported) failed=\(importer.failed) mode=\(upsert ? "upsert" : "create")")
        return try JSONResponse.ok(ImportResultDocument(imported: result.imported, failed: importer.failed, errors: result.errors))
    }

    private func exportChannels(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try context.require(.viewer)
        var query = try ChannelQueryParameters(request.uri.queryParameters, services: services).query
        query.limit = ChannelQuery.maximumLimit
        query.sort = .path
        let csv: Bool
        switch request.uri.queryParameters.get("format") ?? "jsonl" {
        case "jsonl": csv = false
        case "csv": csv = true
        default: throw APIProblem.badField("format", "must be jsonl or csv")
        }
        let store = services.store
        let filters = query
        let body = ResponseBody { writer in
            var query = filters
            if csv { try await writer.write(ByteBuffer(string: ChannelImporter.csvColumns.joined(separator: ",") + "\n")) }
            var cursor: String? = nil
            repeat {
                query.cursor = cursor
                let page = try await store.channels(matching: query)
                var json = JSONOutput()
                for channel in page.channels {
                    if csv {
                        json.buffer.writeString(Self.csvLine(channel))
                    } else {
                        try ChannelDocument(channel, state: nil).write(to: &json)
                        json.buffer.writeString("\n")
                    }
                }
                try await writer.write(json.buffer)
                cursor = page.nextCursor
            } while cursor != nil
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: csv ? "text/csv; charset=utf-8" : "application/x-ndjson"], body: body)
    }

    private static func csvLine(_ channel: Channel) -> String {
        let fields = [
            channel.path.rawValue, channel.name, channel.kind.rawValue, channel.source.redacted, channel.zone ?? "",
            channel.unitID ?? "", channel.latitude.map { "\($0)" } ?? "", channel.longitude.map { "\($0)" } ?? "",
            channel.tags.joined(separator: ";"), channel.onDemand ? "true" : "false",
        ]
        return fields.map(CSVRecordReader.escape).joined(separator: ",") + "\n"
    }
}

struct ImportResultDocument: Encodable {
    struct RowErrorDocument: Encodable {
        var row: Int
        var message: String
    }

    var imported: Int
    var failed: Int
    var errors: [RowErrorDocument]

    init(imported: Int, failed: Int, errors: [ChannelImportResult.RowError]) {
        self.imported = imported
        self.failed = failed
        self.errors = errors.map { RowErrorDocument(row: $0.row, message: $0.message) }
    }
}
