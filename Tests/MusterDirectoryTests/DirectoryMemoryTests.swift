import Foundation
import MusterCore
import Testing
@testable import MusterDirectory

/// Readers closed to bound the mapped memory must not change what reads return.
@Suite struct DirectoryMemoryTests {
    typealias F = DirectoryFixtures

    @Test func readsAnswerAlikeWhenEveryReadRecyclesTheReaders() async throws {
        var options = SQLiteDirectoryStore.Options()
        options.automatic = false
        options.mappedResidencyLimit = 0
        let store = try SQLiteDirectoryStore.temporary(options: options)
        let channels = (0..<60).map { F.channel(String(format: "r%02d", $0), name: "坝\($0) 东侧", zone: $0 % 2 == 0 ? "north" : "south") }
        try await F.seed(store, channels, state: .mixed)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for round in 0..<16 {
                group.addTask {
                    let zone = round % 2 == 0 ? "north" : "south"
                    let listed = try await F.allPages(store, F.query { $0.zone = zone; $0.nameContains = "东侧"; $0.limit = 7 }).channels
                    #expect(listed.count == 30)
                    #expect(listed.allSatisfy { $0.zone == zone })
                }
            }
            try await group.waitForAll()
        }
    }

    @Test func theFileBackedResidentMemoryIsReadable() {
        #if os(Linux)
        #expect((DirectoryMemory.fileBackedResidentBytes() ?? 0) > 0)
        #endif
    }
}
