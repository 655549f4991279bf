import Foundation
import MusterCore
import Testing
@testable import MusterDirectory

/// Where a test's channels sit when it queries them: the deferred indexes only change speed, never
/// results, so listing tests run in each state.
enum IndexState: String, CaseIterable, CustomTestStringConvertible {
    /// Every row still waits for the catch-up: listings read the pending rows.
    case pending
    /// Every row is in the deferred indexes.
    case indexed
    /// Every other row indexed: listings merge both.
    case mixed

    var testDescription: String { rawValue }
}

enum DirectoryFixtures {
    /// A store in a temporary file whose catch-up runs only when asked, so the state is the test's choice.
    /// `probeCap` as low as 2 makes small data exercise every listing plan.
    static func store(probeCap: Int? = nil) throws -> SQLiteDirectoryStore {
        var options = SQLiteDirectoryStore.Options()
        options.automatic = false
        if let probeCap { options.listingProbeCap = probeCap }
        return try SQLiteDirectoryStore.temporary(options: options)
    }

    static func path(_ text: String) -> ChannelPath {
        // Test literals are valid paths; a typo should fail loudly.
        do { return try ChannelPath(validating: text) } catch { fatalError("\(error)") }
    }

    static func channel(
        _ path: String, name: String? = nil, kind: ChannelKind = .camera, source: ChannelSource = .push,
        zone: String? = nil, unitID: String? = nil, tags: [String] = [], onDemand: Bool = false,
        latitude: Double? = nil, longitude: Double? = nil
    ) -> Channel {
        Channel(
            path: Self.path(path), name: name ?? path, kind: kind, source: source, zone: zone, unitID: unitID,
            latitude: latitude, longitude: longitude, tags: tags, onDemand: onDemand
        )
    }

    /// Stores the channels, then brings the store into `state`.
    static func seed(_ store: SQLiteDirectoryStore, _ channels: [Channel], state: IndexState) async throws {
        switch state {
        case .pending:
            try await importAll(store, channels)
        case .indexed:
            try await importAll(store, channels)
            try await store.catchUpIndexes()
        case .mixed:
            let halves = channels.enumerated().reduce(into: ([Channel](), [Channel]())) { halves, item in
                if item.offset.isMultiple(of: 2) { halves.0.append(item.element) } else { halves.1.append(item.element) }
            }
            try await importAll(store, halves.0)
            try await store.catchUpIndexes()
            try await importAll(store, halves.1)
        }
    }

    static func importAll(_ store: SQLiteDirectoryStore, _ channels: [Channel]) async throws {
        let result = try await store.importChannels(try validated(channels.enumerated().map { ($0.offset + 1, $0.element) }), upsert: false)
        #expect(result.errors.isEmpty, "\(result.errors)")
    }

    /// Import rows as the API hands them to the store: validated.
    static func validated(_ rows: [(row: Int, channel: Channel)]) throws -> [(row: Int, channel: ValidatedChannel)] {
        try rows.map { ($0.row, try ValidatedChannel($0.channel)) }
    }

    /// Every page of a listing, following cursors; fails on a runaway loop.
    static func allPages(_ store: SQLiteDirectoryStore, _ query: ChannelQuery) async throws -> (channels: [Channel], pages: Int) {
        var query = query
        var channels: [Channel] = []
        var pages = 0
        repeat {
            let page = try await store.channels(matching: query)
            channels += page.channels
            pages += 1
            query.cursor = page.nextCursor
            try #require(pages < 10_000)
        } while query.cursor != nil
        return (channels, pages)
    }

    static func paths(_ channels: [Channel]) -> [String] { channels.map(\.path.rawValue) }

    static func query(_ configure: (inout ChannelQuery) -> Void) -> ChannelQuery {
        var query = ChannelQuery()
        configure(&query)
        return query
    }
}
