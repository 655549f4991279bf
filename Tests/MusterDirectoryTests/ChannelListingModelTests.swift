import Foundation
import MusterCore
import Testing
@testable import MusterDirectory

/// Checks listings against a plain in-memory filter: every combination of filters, sorts and
/// directions, read page by page, must return exactly the expected rows in order. Run with a probe
/// cap of 2 and the default one so that every access path of the planner gets used.
@Suite struct ChannelListingModelTests {
    typealias F = DirectoryFixtures

    /// 300 channels with a deterministic spread of attributes, names repeating and mixing scripts.
    static let channels: [Channel] = (0..<300).map { index in
        let prefixes = ["hq", "hq/north", "hqx", "hq-annex", "field/unit-\(index % 5)"]
        let names = ["尾矿库\(index % 9)号坝 东侧", "Gate \(index % 11) North", "青石镇 Depot-\(index % 4)", "东侧 PTZ", "gate"]
        let allTags = ["ptz", "fire", "flood", "night"]
        return F.channel(
            "\(prefixes[index % prefixes.count])/cam-\(index)", name: names[(index / 3) % names.count],
            kind: ChannelKind.allCases[index % 3], zone: index % 4 == 3 ? nil : "z\(index % 4)",
            tags: allTags.enumerated().filter { (index >> $0.offset) & 1 == 1 }.map(\.element)
        )
    }

    static let filters: [(String, @Sendable (inout ChannelQuery) -> Void)] = [
        ("none", { _ in }),
        ("kind", { $0.kind = .drone }),
        ("zone", { $0.zone = "z1" }),
        ("kind+zone", { $0.kind = .camera; $0.zone = "z2" }),
        ("tag", { $0.tag = "fire" }),
        ("tag+zone", { $0.tag = "night"; $0.zone = "z0" }),
        ("prefix", { $0.pathPrefix = "hq" }),
        ("prefix+kind+zone", { $0.pathPrefix = "hq"; $0.kind = .camera; $0.zone = "z0" }),
        ("prefix+tag", { $0.pathPrefix = "field"; $0.tag = "ptz" }),
        ("name 4+", { $0.nameContains = "矿库3号" }),
        ("name 2", { $0.nameContains = "东侧" }),
        ("name 1", { $0.nameContains = "坝" }),
        ("name ascii", { $0.nameContains = "GATE 1" }),
        ("name ascii 2", { $0.nameContains = "pt" }),
        ("name+kind", { $0.nameContains = "depot"; $0.kind = .bodyWorn }),
        ("only", { $0.onlyPaths = Set(channels.indices.filter { $0 % 13 == 0 }.map { channels[$0].path.rawValue }) }),
        ("excluded+zone", { $0.excludedPaths = Set(channels.indices.filter { $0 % 2 == 0 }.map { channels[$0].path.rawValue }); $0.zone = "z1" }),
    ]

    static func matches(_ channel: Channel, _ query: ChannelQuery) -> Bool {
        if let kind = query.kind, channel.kind != kind { return false }
        if let zone = query.zone, channel.zone != zone { return false }
        if let tag = query.tag, !channel.tags.contains(tag) { return false }
        if let prefix = query.pathPrefix, channel.path.rawValue != prefix, !channel.path.rawValue.hasPrefix(prefix + "/") { return false }
        if let name = query.nameContains {
            let haystack = Array(channel.name.lowercased().unicodeScalars), needle = Array(name.lowercased().unicodeScalars)
            let found = haystack.count >= needle.count && (0...(haystack.count - needle.count)).contains { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
            if !found { return false }
        }
        if let only = query.onlyPaths, !only.contains(channel.path.rawValue) { return false }
        if let excluded = query.excludedPaths, excluded.contains(channel.path.rawValue) { return false }
        return true
    }

    static func key(_ channel: Channel, _ sort: ChannelQuery.SortKey) -> [UInt8] {
        switch sort {
        case .path: Array(channel.path.rawValue.utf8)
        case .name: Array(channel.name.utf8)
        case .createdAt: Array(String(format: "%020.6f", channel.createdAt.timeIntervalSince1970).utf8)
        case .updatedAt: Array(String(format: "%020.6f", channel.updatedAt.timeIntervalSince1970).utf8)
        }
    }

    @Test(arguments: IndexState.allCases, [2, ChannelListing.defaultProbeCap])
    func listingsAgreeWithTheModel(state: IndexState, probeCap: Int) async throws {
        let store = try F.store(probeCap: probeCap)
        try await F.seed(store, Self.channels, state: state)
        // Edits after seeding: some rows leave the indexes, one is gone.
        var patch = ChannelPatch()
        patch.name = "Renamed 东侧 gate"
        patch.tags = ["fire"]
        var model = Self.channels
        model[7] = try await store.updateChannel(at: model[7].path, with: patch)
        try await store.deleteChannel(at: model[8].path)
        model.remove(at: 8)
        let stored = try await F.allPages(store, ChannelQuery()).channels
        let byPath = Dictionary(uniqueKeysWithValues: stored.map { ($0.path, $0) })

        for (label, configure) in Self.filters {
            for sort in ChannelQuery.SortKey.allCases {
                for descending in [false, true] {
                    let query = F.query { configure(&$0); $0.sort = sort; $0.descending = descending; $0.limit = 9 }
                    let listed = try await F.allPages(store, query).channels
                    let expected = Set(model.filter { Self.matches($0, query) }.map(\.path))
                    let context = "\(label) by \(sort.rawValue)\(descending ? " desc" : "")"
                    #expect(Set(listed.map(\.path)) == expected, "\(context): wrong rows")
                    #expect(listed.count == expected.count, "\(context): \(listed.count - expected.count) repeated rows")
                    let keys = listed.map { Self.key(byPath[$0.path] ?? $0, sort) }
                    let ordered = zip(keys, keys.dropFirst()).allSatisfy { descending ? !$0.lexicographicallyPrecedes($1) : !$1.lexicographicallyPrecedes($0) }
                    #expect(ordered, "\(context): out of order")
                }
            }
        }
    }

    @Test func aWalkIsSizedByTheDensityOfTheOneBefore() {
        // 61 matches in 1 000 entries: a page of 101 needs about 1 655, and half as much again.
        #expect(ChannelListing.nextWalkBudget(after: 1_000, found: 61, limit: 100, longest: 30_000) == 2_482)
        #expect(ChannelListing.nextWalkBudget(after: 1_000, found: 100, limit: 100, longest: 30_000) == 2_000, "at least twice the last")
        #expect(ChannelListing.nextWalkBudget(after: 1_000, found: 2, limit: 100, longest: 30_000) == 30_000, "at most the longest")
        #expect(ChannelListing.nextWalkBudget(after: 1_000, found: 0, limit: 100, longest: 30_000) == 30_000, "nothing seen: the longest")
    }
}
