import Foundation
import GRDB
import MusterCore
import Testing
@testable import MusterDirectory

/// `nameContains`: case-insensitive substrings of Chinese and ASCII names, of any length.
@Suite struct ChannelNameSearchTests {
    typealias F = DirectoryFixtures

    static let names = [
        "a": "尾矿库3号坝 东侧",
        "b": "尾矿库12号坝 西侧",
        "c": "Gate North 3",
        "d": "GATEHOUSE east",
        "e": "东",
        "f": "青石镇派出所 门口",
        "g": "Ab",
    ]

    func search(_ store: SQLiteDirectoryStore, _ text: String, configure: (inout ChannelQuery) -> Void = { _ in }) async throws -> [String] {
        F.paths(try await store.channels(matching: F.query { $0.nameContains = text; configure(&$0) }).channels)
    }

    func seeded(_ state: IndexState, probeCap: Int? = nil) async throws -> SQLiteDirectoryStore {
        let store = try F.store(probeCap: probeCap)
        try await F.seed(store, Self.names.sorted { $0.key < $1.key }.map { F.channel($0.key, name: $0.value) }, state: state)
        return store
    }

    @Test(arguments: IndexState.allCases)
    func chineseSubstringsOfEveryLength(state: IndexState) async throws {
        let store = try await seeded(state)
        #expect(try await search(store, "尾矿库3号坝") == ["a"])
        #expect(try await search(store, "矿库") == ["a", "b"])
        #expect(try await search(store, "东侧") == ["a"], "a two-character query at the end of a name")
        #expect(try await search(store, "侧") == ["a", "b"], "a one-character query at the end of a name")
        #expect(try await search(store, "东") == ["a", "e"], "a one-character name")
        #expect(try await search(store, "门口") == ["f"])
        #expect(try await search(store, "坝 东") == ["a"], "spaces are part of the text")
        #expect(try await search(store, "南侧") == [])
        #expect(try await search(store, "3号坝 东侧 以外") == [], "longer than every name")
    }

    @Test(arguments: IndexState.allCases)
    func asciiIsCaseInsensitive(state: IndexState) async throws {
        let store = try await seeded(state)
        #expect(try await search(store, "gate") == ["c", "d"])
        #expect(try await search(store, "GATE N") == ["c"])
        #expect(try await search(store, "House E") == ["d"])
        #expect(try await search(store, "ab") == ["g"], "a two-character name")
        #expect(try await search(store, "B") == ["g"])
        #expect(try await search(store, "3") == ["a", "c"])
        #expect(try await search(store, "north 4") == [])
    }

    @Test(arguments: IndexState.allCases)
    func searchCombinesWithFiltersSortsAndPages(state: IndexState) async throws {
        let store = try await seeded(state)
        #expect(try await search(store, "gate") { $0.sort = .name } == ["d", "c"])
        #expect(try await search(store, "侧") { $0.sort = .name; $0.descending = true } == ["a", "b"], "'3' sorts after '1'")
        #expect(try await search(store, "侧") { $0.pathPrefix = "b" } == ["b"])
        let pages = try await F.allPages(store, F.query { $0.nameContains = "o"; $0.limit = 1 })
        #expect(F.paths(pages.channels) == ["c", "d"] && pages.pages == 2)
    }

    @Test(arguments: [IndexState.pending, .indexed])
    func commonTermsAreCheckedRowByRow(state: IndexState) async throws {
        // A cap of 1 makes every term "common": the listing walks the sort order instead of using hits.
        let store = try await seeded(state, probeCap: 1)
        #expect(try await search(store, "矿库") == ["a", "b"])
        #expect(try await search(store, "侧") == ["a", "b"])
        #expect(try await search(store, "gate") { $0.sort = .name } == ["d", "c"])
    }

    @Test(arguments: IndexState.allCases)
    func pathOrderSearchesWalkTheIndexOfNames(state: IndexState) async throws {
        // A cap of 2 makes the first walk two entries long, so terms take every route: the page
        // within the first walk, dense enough to skip the hits, or hits collected.
        let store = try await seeded(state, probeCap: 2)
        let pages = try await F.allPages(store, F.query { $0.nameContains = "侧"; $0.limit = 1 })
        #expect(F.paths(pages.channels) == ["a", "b"] && pages.pages == 2)
        #expect(try await search(store, "gate") == ["c", "d"])
        #expect(try await search(store, "门口") == ["f"])
        #expect(try await search(store, "GATE") { $0.pathPrefix = "d" } == ["d"])
        #expect(try await search(store, "东") { $0.descending = true } == ["e", "a"])
    }

    @Test(arguments: IndexState.allCases)
    func aDenseTermFillsItsPagesWithoutCollectingHits(state: IndexState) async throws {
        let store = try F.store(probeCap: 2)
        let channels = (0..<40).map { F.channel(String(format: "s%02d", $0), name: $0 % 4 == 3 ? "Gate \($0)" : "坝\($0) 东侧") }
        try await F.seed(store, channels, state: state)
        let listed = try await F.allPages(store, F.query { $0.nameContains = "东侧"; $0.limit = 3 })
        #expect(F.paths(listed.channels) == channels.filter { $0.name.hasSuffix("东侧") }.map(\.path.rawValue))
        #expect(listed.pages == 10)
    }

    @Test func theIndexOfNamesAnswersTheNameCheckWithoutTheRow() async throws {
        let store = try await seeded(.indexed)
        let plan = try await store.pool.read { db in
            try Row.fetchAll(db, sql: """
                EXPLAIN QUERY PLAN SELECT c.id FROM channel c INDEXED BY channel_name_by_path
                WHERE c.indexed = 1 AND \(ChannelNameSearch.rowCondition) ORDER BY c.path
                """, arguments: ["x"]).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("COVERING INDEX channel_name_by_path") }, "\(plan)")
    }

    @Test func renamedAndDeletedChannelsLeaveTheSearchIndex() async throws {
        let store = try await seeded(.indexed)
        var patch = ChannelPatch()
        patch.name = "Harbor 东侧"
        _ = try await store.updateChannel(at: F.path("c"), with: patch)
        try await store.deleteChannel(at: F.path("a"))
        for round in ["before the catch-up", "after it"] {
            #expect(try await search(store, "gate") == ["d"], "\(round)")
            #expect(try await search(store, "东侧") == ["c"], "\(round)")
            #expect(try await search(store, "尾矿") == ["b"], "\(round)")
            try await store.catchUpIndexes()
        }
        // Renamed back and forth while indexed: the index must forget each old name exactly.
        for name in ["Gate North 3", "Harbor 东侧", "Gate North 3"] {
            patch.name = name
            _ = try await store.updateChannel(at: F.path("c"), with: patch)
            try await store.catchUpIndexes()
        }
        #expect(try await search(store, "harbor") == [])
        #expect(try await search(store, "gate") == ["c", "d"])
    }

    @Test func queriesWithOnlyControlCharactersMatchEverything() async throws {
        let store = try await seeded(.indexed)
        #expect(try await search(store, "\u{1}").count == Self.names.count)
        #expect(try await search(store, "矿\u{1}库") == ["a", "b"], "control characters are dropped from the query")
    }

    @Test func trigramExpressionsQuoteEachDistinctTrigram() {
        #expect(ChannelNameSearch.trigramExpression(Array("abcab".unicodeScalars)) == #""abc" AND "bca" AND "cab""#)
        #expect(ChannelNameSearch.trigramExpression(Array("a\"bc".unicodeScalars)) == #""a""b" AND """bc""#)
        #expect(ChannelNameSearch.trigramExpression(Array("aaaa".unicodeScalars)) == #""aaa""#)
    }
}
