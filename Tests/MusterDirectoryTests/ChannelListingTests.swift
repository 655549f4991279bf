import Foundation
import MusterCore
import Testing
@testable import MusterDirectory

/// Filters, sorts and keyset pagination of `channels(matching:)`.
@Suite struct ChannelListingTests {
    typealias F = DirectoryFixtures

    static let prefixFixture = ["hq", "hq/gate-1", "hq/gate-1/ptz", "hq-x", "hq.x", "hqx", "hq-x/cam", "h", "hr/cam"]

    @Test(arguments: IndexState.allCases)
    func pathPrefixMatchesThePathAndItsChildrenOnly(state: IndexState) async throws {
        let store = try F.store()
        try await F.seed(store, Self.prefixFixture.map { F.channel($0) }, state: state)
        func listed(_ prefix: String) async throws -> [String] {
            F.paths(try await store.channels(matching: F.query { $0.pathPrefix = prefix }).channels)
        }
        #expect(try await listed("hq") == ["hq", "hq/gate-1", "hq/gate-1/ptz"])
        #expect(try await listed("hq/") == ["hq", "hq/gate-1", "hq/gate-1/ptz"])
        #expect(try await listed("hq/gate-1") == ["hq/gate-1", "hq/gate-1/ptz"])
        #expect(try await listed("hq-x") == ["hq-x", "hq-x/cam"])
        #expect(try await listed("h") == ["h"])
        #expect(try await listed("hq/gate") == [])
    }

    @Test(arguments: IndexState.allCases)
    func kindZoneAndTagFilters(state: IndexState) async throws {
        let store = try F.store()
        try await F.seed(store, [
            F.channel("a/1", kind: .camera, zone: "north", tags: ["ptz", "fire"]),
            F.channel("a/2", kind: .drone, zone: "north", tags: ["fire"]),
            F.channel("a/3", kind: .camera, zone: "south"),
            F.channel("a/4", kind: .camera, tags: ["ptz"]),
        ], state: state)
        func listed(_ configure: (inout ChannelQuery) -> Void) async throws -> [String] {
            F.paths(try await store.channels(matching: F.query(configure)).channels)
        }
        #expect(try await listed { $0.kind = .camera } == ["a/1", "a/3", "a/4"])
        #expect(try await listed { $0.zone = "north" } == ["a/1", "a/2"])
        #expect(try await listed { $0.kind = .camera; $0.zone = "north" } == ["a/1"])
        #expect(try await listed { $0.tag = "ptz" } == ["a/1", "a/4"])
        #expect(try await listed { $0.tag = "fire"; $0.kind = .drone } == ["a/2"])
        #expect(try await listed { $0.tag = "nothing" } == [])
        #expect(try await listed { $0.zone = "Not A Zone" } == [])
        #expect(try await listed { $0.onlyPaths = ["a/4", "a/2", "zz"] } == ["a/2", "a/4"])
        #expect(try await listed { $0.onlyPaths = [] } == [])
        #expect(try await listed { $0.excludedPaths = ["a/1", "a/3"] } == ["a/2", "a/4"])
        #expect(try await listed { $0.onlyPaths = ["a/1", "a/2"]; $0.excludedPaths = ["a/1"] } == ["a/2"])
    }

    @Test func changedTagsAndDeletedRowsLeaveTheIndexes() async throws {
        let store = try F.store()
        try await F.seed(store, [F.channel("a", zone: "z1", tags: ["old"]), F.channel("b", zone: "z1", tags: ["old"])], state: .indexed)
        var patch = ChannelPatch()
        patch.tags = ["new"]
        patch.zone = .some("z2")
        _ = try await store.updateChannel(at: F.path("a"), with: patch)
        try await store.deleteChannel(at: F.path("b"))
        for round in 0..<2 {
            #expect(F.paths(try await store.channels(matching: F.query { $0.tag = "old" }).channels) == [], "round \(round)")
            #expect(F.paths(try await store.channels(matching: F.query { $0.tag = "new" }).channels) == ["a"])
            #expect(F.paths(try await store.channels(matching: F.query { $0.zone = "z1" }).channels) == [])
            #expect(F.paths(try await store.channels(matching: F.query { $0.zone = "z2" }).channels) == ["a"])
            try await store.catchUpIndexes()
        }
    }

    static let sortCases: [(ChannelQuery.SortKey, Bool)] = ChannelQuery.SortKey.allCases.flatMap { [($0, false), ($0, true)] }

    @Test(arguments: IndexState.allCases)
    func everySortVisitsEveryRowOnceAcrossPages(state: IndexState) async throws {
        let store = try F.store()
        // 250 rows, names repeating every 7 so that ties exercise the id tie-breaker; created in two
        // batches so that created_at ties too.
        let channels = (0..<250).map { F.channel(String(format: "site-%03d/cam", ($0 * 37) % 250), name: "监控点 \($0 % 7)") }
        try await F.seed(store, channels, state: state)
        for (sort, descending) in Self.sortCases {
            let query = F.query { $0.sort = sort; $0.descending = descending; $0.limit = 100 }
            let (listed, pages) = try await F.allPages(store, query)
            #expect(pages == 3, "\(sort) \(descending)")
            #expect(Set(F.paths(listed)).count == 250, "\(sort) \(descending): rows repeated or missing")
            let keys: [String] = listed.map { channel in
                switch sort {
                case .path: channel.path.rawValue
                case .name: channel.name
                case .createdAt: String(format: "%020.6f", channel.createdAt.timeIntervalSince1970)
                case .updatedAt: String(format: "%020.6f", channel.updatedAt.timeIntervalSince1970)
                }
            }
            let inOrder = zip(keys, keys.dropFirst()).allSatisfy { descending ? $0 >= $1 : $0 <= $1 }
            #expect(inOrder, "\(sort) \(descending) out of order")
        }
    }

    @Test func pathListsTravelAsJSONArrays() throws {
        let text = SQLJSONArray.strings(["hq/a", "quote\"d", "back\\slash", "tab\t", "东侧"])
        let decoded = try JSONDecoder().decode([String].self, from: Data(text.utf8))
        #expect(decoded == ["hq/a", "quote\"d", "back\\slash", "tab\t", "东侧"])
        #expect(SQLJSONArray.strings([]) == "[]")
        #expect(SQLJSONArray.integers([3, 1]) == "[3,1]")
    }

    @Test func theLastPageHasNoCursor() async throws {
        let store = try F.store()
        try await F.importAll(store, (0..<3).map { F.channel("c\($0)") })
        let page = try await store.channels(matching: F.query { $0.limit = 3 })
        #expect(page.channels.count == 3 && page.nextCursor == nil)
        let first = try await store.channels(matching: F.query { $0.limit = 2 })
        #expect(first.nextCursor != nil)
    }

    @Test func limitsAreClamped() async throws {
        let store = try F.store()
        try await F.importAll(store, (0..<1005).map { F.channel("c\($0)") })
        #expect(try await store.channels(matching: F.query { $0.limit = 0 }).channels.count == 1)
        #expect(try await store.channels(matching: F.query { $0.limit = -5 }).channels.count == 1)
        #expect(try await store.channels(matching: F.query { $0.limit = 5000 }).channels.count == ChannelQuery.maximumLimit)
    }

    @Test func foreignOrBrokenCursorsAreRejected() async throws {
        let store = try F.store()
        try await F.importAll(store, (0..<5).map { F.channel("c\($0)") })
        let byName = try #require(try await store.channels(matching: F.query { $0.sort = .name; $0.limit = 2 }).nextCursor)
        let byPath = try #require(try await store.channels(matching: F.query { $0.limit = 2 }).nextCursor)
        let bad: [ChannelQuery] = [
            F.query { $0.cursor = byName },  // a name cursor on a path listing
            F.query { $0.sort = .name; $0.descending = true; $0.cursor = byName },  // other direction
            F.query { $0.sort = .createdAt; $0.cursor = byPath },
            F.query { $0.cursor = "not a cursor!" },
            F.query { $0.cursor = "" },
            F.query { $0.cursor = Data(#"{"s":"path","d":false,"n":3}"#.utf8).base64EncodedString() },  // wrong value type
            F.query { $0.cursor = Data(#"{"s":"name","d":false,"t":"x"}"#.utf8).base64EncodedString() },  // no tie-breaker
        ]
        for query in bad {
            await #expect(throws: DirectoryError.invalidCursor, "\(query.cursor ?? "")") { try await store.channels(matching: query) }
        }
        #expect(try await store.channels(matching: F.query { $0.sort = .name; $0.cursor = byName }).channels.count == 3)
    }

    @Test func thePlannerPicksTheNarrowAccessPath() async throws {
        let store = try F.store(probeCap: 10)
        var channels = (0..<40).map { F.channel("bulk/c\($0)", kind: .camera, zone: "busy", tags: ["common"]) }
        channels.append(F.channel("rare/d1", kind: .drone, zone: "busy", tags: ["rare"]))
        try await F.seed(store, channels, state: .indexed)
        func plan(_ configure: (inout ChannelQuery) -> Void) async throws -> String {
            let request = try ChannelListingRequest(F.query(configure))
            let plan = try await store.pool.read { db in try ChannelListing.plan(db, request, candidates: nil, probeCap: 10) }
            return "\(plan.walksInOrder ? "walk" : "read") \(plan.driver)"
        }
        #expect(try await plan { _ in } == "walk sortOrder")
        #expect(try await plan { $0.kind = .drone } == "read kind")
        #expect(try await plan { $0.kind = .camera; $0.sort = .name } == "walk sortOrder")
        #expect(try await plan { $0.kind = .camera; $0.zone = "busy" } == "walk kindZone")
        #expect(try await plan { $0.kind = .drone; $0.zone = "busy"; $0.sort = .name } == "read kindZone")
        #expect(try await plan { $0.zone = "busy"; $0.sort = .name } == "walk zoneName")
        #expect(try await plan { $0.zone = "busy"; $0.sort = .path } == "walk zone")
        #expect(try await plan { $0.zone = "busy"; $0.tag = "rare" } == "read tag")
        #expect(try await plan { $0.tag = "common"; $0.sort = .createdAt } == "walk sortOrder")
        #expect(try await plan { $0.pathPrefix = "rare"; $0.sort = .name } == "read pathRange")
        #expect(try await plan { $0.onlyPaths = ["rare/d1"]; $0.zone = "busy" } == "read onlyPaths")
    }

    /// Matches bunched far along the sort order: the budgeted walk gives up and a filter drives.
    @Test func rareMatchesAlongTheSortOrderFallBackToAFilter() async throws {
        let store = try F.store(probeCap: 5)
        // 60 cameras, then 8 drones whose paths sort last: a walk in path order finds no drone
        // within its budget of 5 entries, and the kind filter (8 > 5 entries) was not narrow.
        let channels = (0..<60).map { F.channel("a/cam-\($0)") } + (0..<8).map { F.channel("z/drone-\($0)", kind: .drone) }
        try await F.seed(store, channels, state: .indexed)
        let listed = try await F.allPages(store, F.query { $0.kind = .drone; $0.limit = 3 })
        #expect(F.paths(listed.channels) == (0..<8).map { "z/drone-\($0)" })
        let byName = try await F.allPages(store, F.query { $0.nameContains = "drone"; $0.sort = .name; $0.limit = 3 })
        #expect(byName.channels.count == 8)
    }
}
