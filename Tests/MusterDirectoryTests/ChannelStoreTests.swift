import Foundation
import MusterCore
import Testing
@testable import MusterDirectory

/// Create, read, update, delete and validation of single channels.
@Suite struct ChannelStoreTests {
    typealias F = DirectoryFixtures

    @Test func createGetUpdateDelete() async throws {
        let store = try F.store()
        let created = try await store.createChannel(F.channel(
            "hq/gate-1", name: "北门 Gate 1", source: .pull("rtsp://admin:pw@10.0.0.5/stream1"), zone: "hq",
            unitID: "car-7", tags: ["ptz", "night"], latitude: 30.5, longitude: 104.1
        ))
        #expect(created.createdAt == created.updatedAt)
        #expect(try await store.channel(at: F.path("hq/gate-1")) == created)
        #expect(try await store.channelCount() == 1)

        var patch = ChannelPatch()
        patch.name = "北门 Gate 1 (east)"
        patch.zone = .some(nil)
        patch.tags = ["ptz"]
        let updated = try await store.updateChannel(at: F.path("hq/gate-1"), with: patch)
        #expect(updated.name == "北门 Gate 1 (east)")
        #expect(updated.zone == nil)
        #expect(updated.tags == ["ptz"])
        #expect(updated.unitID == "car-7")
        #expect(updated.createdAt == created.createdAt)
        #expect(updated.updatedAt >= created.updatedAt)
        #expect(try await store.channel(at: F.path("hq/gate-1")) == updated)

        let removed = try await store.deleteChannel(at: F.path("hq/gate-1"))
        #expect(removed == updated)
        #expect(try await store.channel(at: F.path("hq/gate-1")) == nil)
        #expect(try await store.channelCount() == 0)
    }

    @Test func aTakenPathIsChannelExists() async throws {
        let store = try F.store()
        _ = try await store.createChannel(F.channel("hq/gate-1"))
        await #expect(throws: DirectoryError.channelExists(path: "hq/gate-1")) {
            try await store.createChannel(F.channel("hq/gate-1", name: "other"))
        }
        #expect(try await store.channel(at: F.path("hq/gate-1"))?.name == "hq/gate-1")
    }

    @Test func missingChannelsAreNotFound() async throws {
        let store = try F.store()
        #expect(try await store.channel(at: F.path("nowhere")) == nil)
        await #expect(throws: DirectoryError.channelNotFound(path: "nowhere")) {
            try await store.updateChannel(at: F.path("nowhere"), with: ChannelPatch())
        }
        await #expect(throws: DirectoryError.channelNotFound(path: "nowhere")) {
            try await store.deleteChannel(at: F.path("nowhere"))
        }
    }

    static let invalidChannels: [(field: String, channel: Channel)] = [
        ("name", F.channel("a", name: "")),
        ("name", F.channel("a", name: "   ")),
        ("name", F.channel("a", name: String(repeating: "坝", count: 201))),
        ("name", F.channel("a", name: "bad\u{1}name")),
        ("source", F.channel("a", source: .pull("camera.local/stream"))),
        ("source", F.channel("a", source: .pull("rtsp://host/has space"))),
        ("zone", F.channel("a", zone: "HQ")),
        ("zone", F.channel("a", zone: "")),
        ("zone", F.channel("a", zone: String(repeating: "z", count: 65))),
        ("unit_id", F.channel("a", unitID: "has space")),
        ("latitude", F.channel("a", latitude: 91, longitude: 0)),
        ("longitude", F.channel("a", latitude: 0, longitude: -180.5)),
        ("latitude", F.channel("a", latitude: .nan, longitude: 0)),
        ("longitude", F.channel("a", latitude: 10)),
        ("latitude", F.channel("a", longitude: 10)),
        ("tags", F.channel("a", tags: ["Fire"])),
        ("tags", F.channel("a", tags: ["ok", "not ok"])),
        ("tags", F.channel("a", tags: (0..<33).map { "t\($0)" })),
    ]

    @Test(arguments: invalidChannels.indices)
    func invalidFieldsAreNamed(index: Int) async throws {
        let (field, channel) = Self.invalidChannels[index]
        let store = try F.store()
        do {
            _ = try await store.createChannel(channel)
            Issue.record("accepted an invalid \(field)")
        } catch {
            guard case .invalidField(let reported, _) = error else { Issue.record("\(error)"); return }
            #expect(reported == field)
        }
        #expect(try await store.channelCount() == 0)
    }

    @Test func validEdgeValuesAreAccepted() async throws {
        let store = try F.store()
        let channel = F.channel(
            "edge", name: String(repeating: "坝", count: 200), source: .pull("/srv/clips/demo.mp4"), zone: String(repeating: "z", count: 64),
            unitID: "GB:34020000001320000001", tags: (0..<32).map { "t\($0)" } + ["t0"], latitude: -90, longitude: 180
        )
        let stored = try await store.createChannel(channel)
        #expect(stored.tags.count == 32, "a repeated tag is dropped, not counted")
    }

    @Test func anUpdateIsValidatedAsAWhole() async throws {
        let store = try F.store()
        _ = try await store.createChannel(F.channel("a", latitude: 1, longitude: 2))
        var patch = ChannelPatch()
        patch.longitude = .some(nil)
        do {
            _ = try await store.updateChannel(at: F.path("a"), with: patch)
            Issue.record("cleared one coordinate of two")
        } catch {
            guard case .invalidField("longitude", _) = error else { Issue.record("\(error)"); return }
        }
    }

    @Test func upsertReplacesAllButCreatedAt() async throws {
        let store = try F.store()
        let first = try await store.upsertChannel(F.channel("a", name: "one", zone: "z1", tags: ["x"]))
        try await Task.sleep(for: .milliseconds(5))
        let second = try await store.upsertChannel(F.channel("a", name: "two", kind: .drone, source: .pull("rtmp://h/app")))
        #expect(second.name == "two" && second.kind == .drone && second.zone == nil && second.tags.isEmpty)
        #expect(second.createdAt == first.createdAt)
        #expect(second.updatedAt > first.updatedAt)
        #expect(try await store.channel(at: F.path("a")) == second)

        // The same content again changes nothing, not even updatedAt.
        let third = try await store.upsertChannel(F.channel("a", name: "two", kind: .drone, source: .pull("rtmp://h/app")))
        #expect(third == second)
    }

    @Test func alwaysOnPullChannelsSkipPushAndOnDemand() async throws {
        let store = try F.store()
        try await F.importAll(store, [
            F.channel("b", source: .pull("rtsp://b/s")),
            F.channel("a", source: .pull("rtsp://a/s")),
            F.channel("c", source: .pull("rtsp://c/s"), onDemand: true),
            F.channel("d"),
        ])
        #expect(F.paths(try await store.alwaysOnPullChannels()) == ["a", "b"])
    }

    @Test func channelPathsOfAUnitAreSorted() async throws {
        let store = try F.store()
        try await F.importAll(store, [
            F.channel("z/cam", kind: .bodyWorn, unitID: "u1"), F.channel("a/cam", kind: .bodyWorn, unitID: "u1"),
            F.channel("b/cam", unitID: "u2"), F.channel("c/cam"),
        ])
        #expect(try await store.channelPaths(ofUnit: "u1").map(\.rawValue) == ["a/cam", "z/cam"])
        #expect(try await store.channelPaths(ofUnit: "nobody").isEmpty)
    }
}
