import Foundation
import MusterCore
import Testing
@testable import MusterDirectory

/// `importChannels`: one transaction per batch, per-row errors, upsert.
@Suite struct ChannelImportTests {
    typealias F = DirectoryFixtures

    @Test func newRowsAreStoredAndTakenPathsReportedByRowNumber() async throws {
        let store = try F.store()
        _ = try await store.createChannel(F.channel("taken"))
        let rows = try F.validated([
            (2, F.channel("ok/1", name: "监控点 1")),
            (5, F.channel("taken")),
            (6, F.channel("ok/2", zone: "z1", tags: ["a"])),
            (7, F.channel("ok/2", name: "again")),
        ])
        let result = try await store.importChannels(rows, upsert: false)
        #expect(result.imported == 2)
        #expect(result.errors.map(\.row) == [5, 7])
        #expect(result.errors[0].message == DirectoryError.channelExists(path: "taken").description)
        #expect(result.errors[1].message == DirectoryError.channelExists(path: "ok/2").description, "a path repeated within the batch")
        #expect(try await store.channelCount() == 3)
        #expect(try await store.channel(at: F.path("ok/2"))?.zone == "z1")
    }

    @Test func onlyValidChannelsCanBeImported() throws {
        #expect(throws: DirectoryError.self) { try ValidatedChannel(F.channel("bad/name", name: "")) }
        #expect(throws: DirectoryError.self) { try ValidatedChannel(F.channel("bad/lat", latitude: 95, longitude: 0)) }
        #expect(try ValidatedChannel(F.channel("ok", tags: ["a", "a"])).channel.tags == ["a"], "stored as validation leaves it")
    }

    @Test func upsertReplacesExistingRowsButKeepsCreatedAt() async throws {
        let store = try F.store()
        let original = try await store.createChannel(F.channel("cam/1", name: "old", zone: "z1", tags: ["x"]))
        try await store.catchUpIndexes()
        try await Task.sleep(for: .milliseconds(5))
        let result = try await store.importChannels(try F.validated([
            (1, F.channel("cam/1", name: "新名字", kind: .drone, source: .pull("rtsp://h/s"), tags: ["y"])),
            (2, F.channel("cam/2", name: "fresh")),
            (3, F.channel("cam/2", name: "fresher")),
        ]), upsert: true)
        #expect(result.imported == 3 && result.errors.isEmpty)
        let replaced = try #require(try await store.channel(at: F.path("cam/1")))
        #expect(replaced.name == "新名字" && replaced.kind == .drone && replaced.zone == nil && replaced.tags == ["y"])
        #expect(replaced.source == .pull("rtsp://h/s"))
        #expect(replaced.createdAt == original.createdAt)
        #expect(replaced.updatedAt > original.updatedAt)
        #expect(try await store.channel(at: F.path("cam/2"))?.name == "fresher", "the later row of the batch wins")
        for state in ["pending", "indexed"] {
            #expect(F.paths(try await store.channels(matching: F.query { $0.tag = "x" }).channels) == [], "\(state)")
            #expect(F.paths(try await store.channels(matching: F.query { $0.nameContains = "新名" }).channels) == ["cam/1"], "\(state)")
            try await store.catchUpIndexes()
        }
    }

    @Test func anEmptyBatchImportsNothing() async throws {
        let store = try F.store()
        #expect(try await store.importChannels([], upsert: false) == ChannelImportResult())
    }

    @Test func largeBatchesAreIndexedInSeveralCatchUpRounds() async throws {
        var options = SQLiteDirectoryStore.Options()
        options.automatic = false
        options.batchSize = 700
        let store = try SQLiteDirectoryStore.temporary(options: options)
        let rows = try F.validated((0..<5000).map { (row: $0 + 1, channel: F.channel("bulk/cam-\($0)", name: "监控点 \($0)", zone: "z\($0 % 7)", tags: $0 % 10 == 0 ? ["ten"] : [])) })
        #expect(try await store.importChannels(rows, upsert: false).imported == 5000)
        #expect(try await store.pendingIndexCount() == 5000)
        #expect(try await store.catchUp.runBatch() == 700)
        #expect(try await store.pendingIndexCount() == 4300)
        try await store.catchUpIndexes()
        #expect(try await store.pendingIndexCount() == 0)
        #expect(try await F.allPages(store, F.query { $0.tag = "ten"; $0.limit = 1000 }).channels.count == 500)
        #expect(F.paths(try await store.channels(matching: F.query { $0.nameContains = "监控点 4999" }).channels) == ["bulk/cam-4999"])
    }

    @Test func theCatchUpRunsByItselfWhenWritesPause() async throws {
        var options = SQLiteDirectoryStore.Options()
        options.quietPeriod = .milliseconds(20)
        options.bulkQuietPeriod = .milliseconds(20)
        let store = try SQLiteDirectoryStore.temporary(options: options)
        try await F.importAll(store, (0..<50).map { F.channel("c\($0)") })
        var pending = try await store.pendingIndexCount()
        for _ in 0..<500 where pending > 0 {
            try await Task.sleep(for: .milliseconds(10))
            pending = try await store.pendingIndexCount()
        }
        #expect(pending == 0)
        try await store.close()
    }
}
