import Foundation
import Testing
@testable import MusterDirectory

/// Units, API tokens and the audit trail.
@Suite struct UnitTokenAuditTests {
    typealias F = DirectoryFixtures

    static let position = UnitPosition(
        latitude: 30.66, longitude: 104.06, altitude: 512, speed: 3.5, heading: 270, accuracy: 4,
        deviceTime: Date(timeIntervalSince1970: 1_700_000_000), receivedAt: Date(timeIntervalSince1970: 1_700_000_001), source: "osmand"
    )

    @Test func unitCreateGetUpdateDelete() async throws {
        let store = try F.store()
        let created = try await store.createUnit(FieldUnit(id: "drone-7", name: "无人机 7", kind: .drone, lastPosition: Self.position))
        #expect(try await store.unit(id: "drone-7") == created)
        #expect(created.lastPosition == Self.position)

        let updated = try await store.updateUnit(id: "drone-7", with: UnitPatch(name: "无人机 七", kind: .vehicle))
        #expect(updated.name == "无人机 七" && updated.kind == .vehicle && updated.createdAt == created.createdAt)
        #expect(try await store.unit(id: "drone-7") == updated)

        #expect(try await store.deleteUnit(id: "drone-7") == updated)
        #expect(try await store.unit(id: "drone-7") == nil)
    }

    @Test func unitErrors() async throws {
        let store = try F.store()
        _ = try await store.createUnit(FieldUnit(id: "u1", name: "one", kind: .phone))
        await #expect(throws: DirectoryError.unitExists(id: "u1")) { try await store.createUnit(FieldUnit(id: "u1", name: "again", kind: .phone)) }
        await #expect(throws: DirectoryError.unitNotFound(id: "u2")) { try await store.updateUnit(id: "u2", with: UnitPatch(name: "x")) }
        await #expect(throws: DirectoryError.unitNotFound(id: "u2")) { try await store.deleteUnit(id: "u2") }
        do {
            _ = try await store.createUnit(FieldUnit(id: "bad id", name: "x", kind: .phone))
            Issue.record("accepted a bad id")
        } catch {
            guard case .invalidField("id", _) = error else { Issue.record("\(error)"); return }
        }
        for routeName in ["near", "within"] {
            do {
                _ = try await store.createUnit(FieldUnit(id: routeName, name: "x", kind: .phone))
                Issue.record("accepted the unit id '\(routeName)', which a route shadows")
            } catch {
                guard case .invalidField("id", _) = error else { Issue.record("\(error)"); return }
            }
        }
        do {
            _ = try await store.updateUnit(id: "u1", with: UnitPatch(name: ""))
            Issue.record("accepted an empty name")
        } catch {
            guard case .invalidField("name", _) = error else { Issue.record("\(error)"); return }
        }
    }

    @Test func unitsArePagedById() async throws {
        let store = try F.store()
        for id in ["c", "a", "b", "d"] { _ = try await store.createUnit(FieldUnit(id: id, name: id, kind: .person)) }
        #expect(try await store.units(afterID: nil, limit: 3).map(\.id) == ["a", "b", "c"])
        #expect(try await store.units(afterID: "c", limit: 3).map(\.id) == ["d"])
        #expect(try await store.units(afterID: "d", limit: 3).isEmpty)
    }

    @Test func tokensAreFoundByDigest() async throws {
        let store = try F.store()
        let viewer = AccessToken(id: "t1", name: "wall", role: .viewer, secretDigest: "aa11", createdAt: Date(timeIntervalSince1970: 100))
        let admin = AccessToken(id: "t2", name: "ops", role: .admin, secretDigest: "bb22", createdAt: Date(timeIntervalSince1970: 200))
        try await store.createToken(admin)
        try await store.createToken(viewer)
        #expect(try await store.token(secretDigest: "bb22") == admin)
        #expect(try await store.token(secretDigest: "cc33") == nil)
        #expect(try await store.tokens() == [viewer, admin])
        await #expect(throws: DirectoryError.invalidField(field: "id", problem: "is already used by another token")) {
            try await store.createToken(viewer)
        }
        try await store.deleteToken(id: "t1")
        #expect(try await store.token(secretDigest: "aa11") == nil)
        await #expect(throws: DirectoryError.tokenNotFound(id: "t1")) { try await store.deleteToken(id: "t1") }
    }

    @Test func auditIsNewestFirst() async throws {
        let store = try F.store()
        for index in 0..<5 {
            try await store.appendAudit(AuditEntry(at: Date(timeIntervalSince1970: Double(1000 + index)), actor: "ops", action: "channel.create", target: "c\(index)"))
        }
        let entries = try await store.auditEntries(limit: 3)
        #expect(entries.map(\.target) == ["c4", "c3", "c2"])
        #expect(entries[0].at == Date(timeIntervalSince1970: 1004) && entries[0].actor == "ops" && entries[0].detail == "")
        #expect(try await store.auditEntries(limit: 0).isEmpty)
    }
}
