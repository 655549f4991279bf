import Foundation
import MusterCore
import Testing
@testable import MusterDirectory

/// What a store acknowledged is in the file: close, reopen, read back. (The kill -9 version runs
/// the real binary in IntegrationTests.)
@Suite struct DirectoryDurabilityTests {
    typealias F = DirectoryFixtures

    @Test func everythingSurvivesCloseAndReopen() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("muster-durability-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) } }
        var manual = SQLiteDirectoryStore.Options()
        manual.automatic = false

        let first = try SQLiteDirectoryStore(path: file, options: manual)
        try await F.importAll(first, (0..<20).map { F.channel("site/cam-\($0)", name: "尾矿库\($0)号坝", zone: "z\($0 % 2)", tags: ["t\($0 % 3)"]) })
        try await first.catchUpIndexes()
        let late = try await first.createChannel(F.channel("site/late", name: "Late Gate", tags: ["t0"]))  // left pending
        _ = try await first.createUnit(FieldUnit(id: "u1", name: "unit", kind: .drone))
        try await first.createToken(AccessToken(id: "t1", name: "ops", role: .operator, secretDigest: "d1"))
        try await first.appendAudit(AuditEntry(actor: "ops", action: "channel.create", target: "site/late"))
        try await first.close()
        await #expect(throws: DirectoryError.self) { try await first.channelCount() }

        // Reopened with automatic indexing: the pending row is picked up by itself.
        var automatic = SQLiteDirectoryStore.Options()
        automatic.quietPeriod = .milliseconds(10)
        let second = try SQLiteDirectoryStore(path: file, options: automatic)
        #expect(try await second.channelCount() == 21)
        #expect(try await second.channel(at: F.path("site/late")) == late)
        #expect(try await second.unit(id: "u1")?.kind == .drone)
        #expect(try await second.token(secretDigest: "d1")?.role == .operator)
        #expect(try await second.auditEntries(limit: 10).map(\.target) == ["site/late"])
        #expect(F.paths(try await second.channels(matching: F.query { $0.tag = "t0"; $0.nameContains = "gate" }).channels) == ["site/late"])
        #expect(try await second.channels(matching: F.query { $0.zone = "z1" }).channels.count == 10)
        var pending = try await second.pendingIndexCount()
        for _ in 0..<500 where pending > 0 {
            try await Task.sleep(for: .milliseconds(10))
            pending = try await second.pendingIndexCount()
        }
        #expect(pending == 0)
        #expect(F.paths(try await second.channels(matching: F.query { $0.nameContains = "late g" }).channels) == ["site/late"])
        try await second.close()
    }

    @Test func theSchemaIsMigratedOnce() async throws {
        let store = try F.store()
        let migrations = try await store.pool.read { db in try DirectorySchema.migrator.appliedMigrations(db) }
        #expect(migrations == ["v1", "v2-positions", "v3-last-position-watermark", "v4-position-journal", "v5-name-by-path", "v6-zone-by-name"])
        let reopened = try SQLiteDirectoryStore(path: store.path, options: SQLiteDirectoryStore.Options())
        #expect(try await reopened.channelCount() == 0)
        try await reopened.close()
    }
}
