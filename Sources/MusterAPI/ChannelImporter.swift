import Foundation
import Hummingbird
import MusterCore
import MusterDirectory

/// Reads a bulk import as it streams in, stores it in batches (each one durable transaction)
/// and collects per-row errors.
struct ChannelImporter {
    enum Format {
        case jsonLines
        case csv
    }

    /// Rows per transaction. Each row's path goes to a random place in the unique path index,
    /// and a commit writes (and syncs) every index page it touched: at 2 000 000 channels
    /// 5 000-row transactions wrote close to a page per row (SQLite alone: ~16 000 rows/s).
    /// Through the API, 2 000 000 rows in one request went in at 44 000/s in 25 000-row
    /// transactions, 47 000–49 000/s in 50 000-row ones and 52 000–55 000/s in 100 000-row ones.
    /// Each holds the writer for about two seconds, which other writes (API calls, position
    /// commits) wait out during a bulk import.
    static let batchSize = 100_000
    static let maximumReportedErrors = 1000
    static let maximumLineBytes = 64 * 1024
    static let csvColumns = ["path", "name", "kind", "source", "zone", "unit_id", "latitude", "longitude", "tags", "on_demand"]

    let format: Format
    let upsert: Bool
    let services: APIServices

    private var pendingLine: [UInt8] = []
    private var csv = CSVRecordReader()
    private var csvHeader: [String]?
    private var row = 0
    private var batch: [(row: Int, channel: ValidatedChannel)] = []
    /// The batch being written, and the announcement of the one before (the gateway starts its
    /// channels, listeners hear of them): both overlap with reading and validating the next batch.
    private var writing: (rows: [(row: Int, channel: ValidatedChannel)], result: Task<ChannelImportResult, any Error>)?
    private var announcing: Task<Void, Never>?
    private(set) var imported = 0
    private(set) var failed = 0
    private(set) var errors: [ChannelImportResult.RowError] = []

    init(format: Format, upsert: Bool, services: APIServices) {
        self.format = format
        self.upsert = upsert
        self.services = services
    }

    mutating func feed(_ bytes: ByteBuffer) async throws {
        var rows: [(Int, Result<Channel, APIProblem>)] = []
        switch format {
        case .jsonLines:
            bytes.withUnsafeReadableBytes { chunk in
                guard let base = chunk.baseAddress else { return }
                var offset = 0
                while offset < chunk.count {
                    let newline = memchr(base + offset, Int32(UInt8(ascii: "\n")), chunk.count - offset)
                    let end = newline.map { base.distance(to: UnsafeRawPointer($0)) } ?? chunk.count
                    // Past the limit a line is only reported as too long: the rest of it is not kept.
                    let room = max(0, Self.maximumLineBytes + 1 - pendingLine.count)
                    pendingLine.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[offset..<min(end, offset + room)]))
                    guard newline != nil else { break }
                    if let parsed = takeJSONLine() { rows.append(parsed) }
                    offset = end + 1
                }
            }
        case .csv:
            for record in csv.feed(bytes.readableBytesView) {
                if let parsed = try takeCSVRecord(record.fields, malformed: record.malformed) { rows.append(parsed) }
            }
        }
        try await accept(rows)
    }

    mutating func finish() async throws -> ChannelImportResult {
        var rows: [(Int, Result<Channel, APIProblem>)] = []
        switch format {
        case .jsonLines:
            if let parsed = takeJSONLine() { rows.append(parsed) }
        case .csv:
            for record in csv.finish() {
                if let parsed = try takeCSVRecord(record.fields, malformed: record.malformed) { rows.append(parsed) }
            }
            if csvHeader == nil { throw APIProblem(.badRequest, "the CSV has no header line (\(Self.csvColumns.joined(separator: ",")))") }
        }
        try await accept(rows)
        try await flush()
        try await finishWriting()
        await announcing?.value
        // Parse errors are found at once, storage errors per batch: report them in file order.
        return ChannelImportResult(imported: imported, errors: errors.sorted { $0.row < $1.row })
    }

    private mutating func takeJSONLine() -> (Int, Result<Channel, APIProblem>)? {
        defer { pendingLine.removeAll(keepingCapacity: true) }
        row += 1
        if pendingLine.last == UInt8(ascii: "\r") { pendingLine.removeLast() }
        if pendingLine.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { return nil }
        guard pendingLine.count <= Self.maximumLineBytes else {
            return (row, .failure(APIProblem(.badRequest, "line is longer than \(Self.maximumLineBytes / 1024) KiB")))
        }
        do throws(APIProblem) {
            let input = if let parsed = ChannelLineParser.parse(pendingLine) {
                parsed
            } else {
                // The slow path for whatever the fast one does not take: its answer names the bad field.
                try JSONBodyDecoding.decode(ChannelInput.self, from: Data(pendingLine))
            }
            return (row, .success(try input.channel()))
        } catch {
            return (row, .failure(error))
        }
    }

    private mutating func takeCSVRecord(_ record: [String], malformed: Bool) throws(APIProblem) -> (Int, Result<Channel, APIProblem>)? {
        guard let header = csvHeader else {
            let names = record.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            if let unknown = names.first(where: { !Self.csvColumns.contains($0) }) {
                throw APIProblem(.badRequest, "unknown CSV column '\(unknown.prefix(40))'; columns are \(Self.csvColumns.joined(separator: ","))")
            }
            for required in ["path", "kind", "source"] where !names.contains(required) {
                throw APIProblem(.badRequest, "the CSV header lacks the '\(required)' column")
            }
            csvHeader = names
            return nil
        }
        row += 1
        guard !malformed else { return (row, .failure(APIProblem(.badRequest, "a field has a stray '\"' (quote the whole field and double inner quotes)"))) }
        guard record.count == header.count else {
            return (row, .failure(APIProblem(.badRequest, "has \(record.count) fields; the header has \(header.count)")))
        }
        var values: [String: String] = [:]
        for (name, value) in zip(header, record) where !value.isEmpty { values[name] = value }
        return (row, Result { () throws(APIProblem) in try Self.input(from: values).channel() })
    }

    private static func input(from values: [String: String]) throws(APIProblem) -> ChannelInput {
        func number(_ name: String) throws(APIProblem) -> Double? {
            guard let text = values[name] else { return nil }
            guard let value = Double(text) else { throw APIProblem.badField(name, "must be a number") }
            return value
        }
        var onDemand: Bool?
        if let text = values["on_demand"]?.lowercased() {
            switch text {
            case "true", "1", "yes": onDemand = true
            case "false", "0", "no": onDemand = false
            default: throw APIProblem.badField("on_demand", "must be true or false")
            }
        }
        return ChannelInput(
            path: values["path"] ?? "", name: values["name"], kind: values["kind"] ?? "", source: values["source"] ?? "",
            zone: values["zone"], unitID: values["unit_id"], latitude: try number("latitude"), longitude: try number("longitude"),
            tags: values["tags"].map { $0.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) } },
            onDemand: onDemand
        )
    }

    private mutating func accept(_ rows: [(Int, Result<Channel, APIProblem>)]) async throws {
        for (row, result) in rows {
            switch result {
            case .success(let channel):
                let validated: ValidatedChannel
                do throws(APIProblem) {
                    try services.checkSource(of: channel)
                    do {
                        validated = try ValidatedChannel(channel)
                    } catch {
                        throw APIProblem(.badRequest, error.description)
                    }
                } catch {
                    record(ChannelImportResult.RowError(row: row, message: error.detail))
                    continue
                }
                batch.append((row, validated))
                if batch.count >= Self.batchSize { try await flush() }
            case .failure(let problem):
                record(ChannelImportResult.RowError(row: row, message: problem.detail))
            }
        }
    }

    /// Hands the batch to the store and goes on parsing while it is written. One batch is
    /// written at a time, so batches commit in file order.
    private mutating func flush() async throws {
        guard !batch.isEmpty else { return }
        let rows = batch
        batch.removeAll(keepingCapacity: true)
        try await finishWriting()
        writing = (rows, Task { [services, upsert] in try await services.store.importChannels(rows, upsert: upsert) })
    }

    /// Waits for the batch being written, counts its outcome and announces its channels (in
    /// file order: after the batch before).
    private mutating func finishWriting() async throws {
        guard let (rows, pending) = writing else { return }
        writing = nil
        let result = try await pending.value
        imported += result.imported
        for error in result.errors { record(error) }
        let failedRows = Set(result.errors.map(\.row))
        announcing = Task { [services, previous = announcing] in
            await previous?.value
            for (row, validated) in rows where !failedRows.contains(row) {
                await services.runtime.channelAdded(validated.channel)
                services.events.publish(GatewayEvent(.channelAdded, channel: validated.channel.path.rawValue))
            }
        }
    }

    private mutating func record(_ error: ChannelImportResult.RowError) {
        failed += 1
        if errors.count < Self.maximumReportedErrors { errors.append(error) }
    }
}
