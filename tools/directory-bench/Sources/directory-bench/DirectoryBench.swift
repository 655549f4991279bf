import Foundation
import MusterCore
import MusterDirectory

/// Imports N channels into a fresh SQLiteDirectoryStore the way the API does (batches of 5 000,
/// one call each), then times listings and name searches through the public async API.
///
///     directory-bench [--channels N] [--batch N] [--iterations N] [--file PATH] [--keep] [--manual-indexing] [--import-only] [--no-backlog]
@main
struct DirectoryBench {
    struct Options {
        var channels = 2_000_000
        var batch = 5000
        var iterations = 300
        var file = FileManager.default.temporaryDirectory.appendingPathComponent("directory-bench.sqlite").path
        var keep = false
        var automaticIndexing = true
        var importOnly = false
        var backlog = true

        init(_ arguments: [String]) {
            var arguments = arguments[...]
            while let argument = arguments.popFirst() {
                switch argument {
                case "--channels": channels = Int(arguments.popFirst() ?? "") ?? channels
                case "--batch": batch = Int(arguments.popFirst() ?? "") ?? batch
                case "--iterations": iterations = Int(arguments.popFirst() ?? "") ?? iterations
                case "--file": file = arguments.popFirst() ?? file
                case "--keep": keep = true
                case "--manual-indexing": automaticIndexing = false
                case "--import-only": importOnly = true
                case "--no-backlog": backlog = false
                default:
                    say("unknown argument \(argument)")
                    exit(2)
                }
            }
        }
    }

    static func main() async throws {
        let options = Options(Array(CommandLine.arguments.dropFirst()))
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: options.file + suffix) }
        var storeOptions = SQLiteDirectoryStore.Options()
        storeOptions.automatic = options.automaticIndexing
        let store = try SQLiteDirectoryStore(path: options.file, options: storeOptions)
        say("directory-bench: \(options.channels) channels in batches of \(options.batch), \(options.iterations) iterations per case")
        say("file: \(options.file); deferred indexing: \(options.automaticIndexing ? "automatic (gateway defaults)" : "manual")")

        var generator = BenchChannelGenerator(seed: 42)
        var samples = BenchSamples()
        let importStart = ContinuousClock.now
        var segmentStart = importStart
        var storeTime = Duration.zero
        var next = 0
        while next < options.channels {
            let end = min(next + options.batch, options.channels)
            let rows = (next..<end).map { index in
                let channel = generator.channel(index)
                samples.observe(channel, index: index)
                return (row: index + 1, channel: try! ValidatedChannel(channel))
            }
            var imported: ChannelImportResult?
            storeTime += try await ContinuousClock().measure { imported = try await store.importChannels(rows, upsert: false) }
            let result = imported!
            precondition(result.errors.isEmpty, "import failed: \(result.errors.prefix(3))")
            next = end
            if next % 250_000 == 0 || next == options.channels {
                let now = ContinuousClock.now
                let rate = Double(next % 250_000 == 0 ? 250_000 : next % 250_000) / seconds(now - segmentStart)
                say(String(format: "  imported %8d   %7.0f channels/s over the last segment", next, rate))
                segmentStart = now
            }
        }
        let importSeconds = seconds(.now - importStart)
        say(String(format: "IMPORT %d channels in %.1f s = %.0f channels/s; inside importChannels %.1f s = %.0f channels/s",
                     options.channels, importSeconds, Double(options.channels) / importSeconds,
                     seconds(storeTime), Double(options.channels) / seconds(storeTime)))

        if options.importOnly {
            try await store.close()
            return
        }
        if options.backlog {
            let pending = try await store.pendingIndexCount()
            var backlog = LatencyTable()
            try await BenchWorkload(store: store, samples: samples, iterations: 10).run(into: &backlog, quick: true)
            say("\nWith \(pending) channels still waiting for the deferred indexes (catch-up running meanwhile):")
            say(backlog.render())
        }

        let catchUpStart = ContinuousClock.now
        try await store.catchUpIndexes()
        let catchUpSeconds = seconds(.now - catchUpStart)
        say(String(format: "CATCH-UP of the deferred indexes after the import: %.1f s; import + indexes: %.0f channels/s end to end",
                     catchUpSeconds, Double(options.channels) / (importSeconds + catchUpSeconds)))

        var table = LatencyTable()
        try await BenchWorkload(store: store, samples: samples, iterations: options.iterations).run(into: &table, quick: false)
        say("\nAll channels indexed:")
        say(table.render())

        try await BenchWorkload(store: store, samples: samples, iterations: 0).measureUpserts(generator: &generator, count: min(100_000, options.channels))

        say("RSS " + residentMemory())
        let sizes = ["", "-wal"].map { (try? FileManager.default.attributesOfItem(atPath: options.file + $0)[.size] as? Int) ?? 0 }
        say(String(format: "FILE %.0f MB (+ WAL %.0f MB) = %.0f bytes per channel", Double(sizes[0]) / 1e6, Double(sizes[1]) / 1e6,
                     Double(sizes[0]) / Double(max(options.channels, 1))))
        try await store.close()
        if !options.keep { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: options.file + suffix) } }
    }

    static func seconds(_ duration: Duration) -> Double { LatencyTable.milliseconds(duration) / 1000 }
}

/// VmRSS and its file-backed part (pages of the mapped database count there) from /proc.
func residentMemory() -> String {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return "unknown" }
    return status.split(separator: "\n").filter { $0.hasPrefix("VmRSS") || $0.hasPrefix("RssFile") || $0.hasPrefix("RssAnon") }
        .map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }.joined(separator: ", ")
}

/// `print`, flushed at once: progress shows while the run goes, also when output goes to a file.
func say(_ line: String) {
    print(line)
    fflush(nil)
}
