import Foundation
import MusterCore
import MusterDirectory

/// Names and paths seen during the import, to draw realistic query parameters from: a substring
/// that is frequent among names is drawn as often as it occurs.
struct BenchSamples {
    var names: [String] = []
    var paths: [String] = []

    mutating func observe(_ channel: Channel, index: Int) {
        if index % 61 == 0, names.count < 40_000 { names.append(channel.name) }
        if index % 53 == 0, paths.count < 40_000 { paths.append(channel.path.rawValue) }
    }

    static func isHan(_ scalar: Unicode.Scalar) -> Bool { (0x4E00...0x9FFF).contains(scalar.value) }

    /// A run of `length` Chinese characters taken from a sampled name.
    func chinese(_ length: Int, _ random: inout SplitMix64) -> String {
        while true {
            let scalars = Array(names[Int(random.next() % UInt64(names.count))].unicodeScalars)
            let starts = scalars.indices.filter { $0 + length <= scalars.count && scalars[$0..<$0 + length].allSatisfy(Self.isHan) }
            if let start = starts.randomElement(using: &random) { return String(String.UnicodeScalarView(scalars[start..<start + length])) }
        }
    }

    /// 3–8 ASCII characters from an ASCII part of a sampled name, in random case.
    func ascii(_ random: inout SplitMix64) -> String {
        while true {
            let scalars = Array(names[Int(random.next() % UInt64(names.count))].unicodeScalars)
            let length = 3 + Int(random.next() % 6)
            let starts = scalars.indices.filter { $0 + length <= scalars.count && scalars[$0..<$0 + length].allSatisfy(\.isASCII) && scalars[$0] != " " }
            if let start = starts.randomElement(using: &random) {
                let text = String(String.UnicodeScalarView(scalars[start..<start + length]))
                return random.next() % 2 == 0 ? text.lowercased() : text.uppercased()
            }
        }
    }
}

extension SplitMix64: RandomNumberGenerator {}

/// The timed listings. Every call goes through the store's public async API, as the HTTP API's.
struct BenchWorkload {
    let store: SQLiteDirectoryStore
    let samples: BenchSamples
    let iterations: Int

    typealias Case = (label: String, pages: Int, query: (inout SplitMix64) -> ChannelQuery)

    func cases(quick: Bool) -> [Case] {
        let generatorKinds: [ChannelKind] = [.camera, .drone, .bodyWorn, .phone]
        func query(_ configure: (inout ChannelQuery) -> Void) -> ChannelQuery {
            var query = ChannelQuery()
            configure(&query)
            return query
        }
        func zone(_ random: inout SplitMix64) -> String { BenchChannelGenerator.zones[Int(random.next() % 40)] }
        func tag(_ random: inout SplitMix64) -> String { BenchChannelGenerator.tags[Int(random.next() % 20)] }
        func site(_ random: inout SplitMix64) -> String {
            let path = samples.paths[Int(random.next() % UInt64(samples.paths.count))]
            return String(path[..<path.lastIndex(of: "/")!])
        }
        var all: [Case] = [
            ("all, by path", 1, { _ in query { _ in } }),
            ("all, by name", 10, { _ in query { $0.sort = .name } }),
            ("all, by created_at desc", 1, { _ in query { $0.sort = .createdAt; $0.descending = true } }),
            ("kind+zone, by path", 10, { r in query { $0.kind = generatorKinds[Int(r.next() % 4)]; $0.zone = zone(&r) } }),
            ("kind+zone, by name", 10, { r in query { $0.kind = generatorKinds[Int(r.next() % 4)]; $0.zone = zone(&r); $0.sort = .name } }),
            ("zone, by name desc", 1, { r in query { $0.zone = zone(&r); $0.sort = .name; $0.descending = true } }),
            ("kind, by name", 1, { r in query { $0.kind = ChannelKind.allCases[Int(r.next() % 7)]; $0.sort = .name } }),
            ("tag, by path", 10, { r in query { $0.tag = tag(&r) } }),
            ("tag, by name", 10, { r in query { $0.tag = tag(&r); $0.sort = .name } }),
            ("tag+kind+zone, by name", 1, { r in query { $0.tag = tag(&r); $0.kind = .camera; $0.zone = zone(&r); $0.sort = .name } }),
            ("prefix zone (~50k), by path", 10, { r in query { $0.pathPrefix = zone(&r) } }),
            ("prefix zone (~50k), by name", 10, { r in query { $0.pathPrefix = zone(&r); $0.sort = .name } }),
            ("prefix site (50), by name", 1, { r in query { $0.pathPrefix = site(&r); $0.sort = .name } }),
            ("name 2 Chinese chars", 1, { r in query { $0.nameContains = samples.chinese(2, &r) } }),
            ("name 2 Chinese chars, by name, pages", 5, { r in query { $0.nameContains = samples.chinese(2, &r); $0.sort = .name } }),
            ("name 4 Chinese chars", 1, { r in query { $0.nameContains = samples.chinese(4, &r) } }),
            ("name 1 Chinese char", 1, { r in query { $0.nameContains = samples.chinese(1, &r) } }),
            ("name ASCII 3-8 chars (any case)", 1, { r in query { $0.nameContains = samples.ascii(&r) } }),
            ("name 2 Chinese + kind + zone", 1, { r in query { $0.nameContains = samples.chinese(2, &r); $0.kind = .camera; $0.zone = zone(&r) } }),
            ("online (3000 paths), by name", 1, { r in
                query { $0.onlyPaths = Set((0..<3000).map { _ in samples.paths[Int(r.next() % UInt64(samples.paths.count))] }); $0.sort = .name } }),
            ("offline (3000 excluded), by path", 1, { r in
                query { $0.excludedPaths = Set((0..<3000).map { _ in samples.paths[Int(r.next() % UInt64(samples.paths.count))] }) } }),
        ]
        if quick {
            all = all.filter { ["all, by name", "kind+zone, by path", "tag, by name", "name 2 Chinese chars", "name ASCII 3-8 chars (any case)"].contains($0.label) }
                .map { ($0.label, 1, $0.query) }
        }
        return all
    }

    func run(into table: inout LatencyTable, quick: Bool) async throws {
        var random = SplitMix64(seed: 7)
        let clock = ContinuousClock()
        for benchCase in cases(quick: quick) {
            var first: [Duration] = [], later: [Duration] = []
            var firstRows = 0, laterRows = 0
            for _ in 0..<iterations {
                var query = benchCase.query(&random)
                for page in 0..<benchCase.pages {
                    var result: ChannelPage?
                    let elapsed = try await clock.measure { result = try await store.channels(matching: query) }
                    let listed = result?.channels.count ?? 0
                    if page == 0 { first.append(elapsed); firstRows += listed } else { later.append(elapsed); laterRows += listed }
                    guard let next = result?.nextCursor else { break }
                    query.cursor = next
                }
            }
            table.add(benchCase.label + (benchCase.pages > 1 ? ", page 1" : ""), samples: first, rows: firstRows)
            if !later.isEmpty { table.add(benchCase.label + ", pages 2-\(benchCase.pages) by cursor", samples: later, rows: laterRows) }
        }
        var counts: [Duration] = []
        for _ in 0..<min(iterations, 20) { counts.append(try await clock.measure { _ = try await store.channelCount() }) }
        table.add("channelCount()", samples: counts, rows: 0)
    }

    /// Re-imports existing channels with `upsert`: unchanged (a repeated import), then renamed.
    func measureUpserts(generator: inout BenchChannelGenerator, count: Int) async throws {
        var replay = BenchChannelGenerator(seed: 42)
        let originals = (0..<count).map { replay.channel($0) }
        for (label, rename) in [("unchanged", false), ("renamed", true)] {
            let start = ContinuousClock.now
            for batchStart in stride(from: 0, to: count, by: 5000) {
                let rows = (batchStart..<min(batchStart + 5000, count)).map { index in
                    var channel = originals[index]
                    if rename { channel.name = generator.name() }
                    return (row: index + 1, channel: try! ValidatedChannel(channel))
                }
                _ = try await store.importChannels(rows, upsert: true)
            }
            let seconds = DirectoryBench.seconds(.now - start)
            say(String(format: "UPSERT %d existing channels, %@: %.0f channels/s", count, label, Double(count) / seconds))
        }
        let start = ContinuousClock.now
        try await store.catchUpIndexes()
        say(String(format: "CATCH-UP after the renames: %.1f s", DirectoryBench.seconds(.now - start)))
    }
}
