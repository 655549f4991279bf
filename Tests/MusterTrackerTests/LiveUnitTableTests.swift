import Foundation
import MusterDirectory
import Testing
@testable import MusterTracker

@Suite struct LiveUnitTableTests {
    func position(_ latitude: Double, _ longitude: Double, at seconds: Double = 0) -> UnitPosition {
        UnitPosition(latitude: latitude, longitude: longitude, deviceTime: Date(timeIntervalSince1970: seconds), receivedAt: Date(), source: "http")
    }

    let beijing = GeoMath.Box(latitudes: 39.8...40.0, longitudes: 116.3...116.5)

    @Test func unitsMoveBetweenCells() {
        var table = LiveUnitTable()
        table.insert(id: "a", name: "a", kind: .phone, position: position(39.9, 116.4))
        table.insert(id: "b", name: "b", kind: .phone, position: position(39.9, 116.4))
        table.insert(id: "c", name: "c", kind: .phone, position: nil)
        #expect(Set(table.entries(in: beijing).map(\.id)) == ["a", "b"])
        // "a" flies to Shanghai; "b" keeps its cell and must still be found after the swap-remove.
        let flewToShanghai = table.update(id: "a", position: position(31.2, 121.5, at: 1))
        #expect(flewToShanghai)
        #expect(table.entries(in: beijing).map(\.id) == ["b"])
        #expect(table.entries(in: GeoMath.Box(latitudes: 31...32, longitudes: 121...122)).map(\.id) == ["a"])
        let gotFirstFix = table.update(id: "c", position: position(39.95, 116.45))
        #expect(gotFirstFix)
        #expect(Set(table.entries(in: beijing).map(\.id)) == ["b", "c"])
    }

    @Test func olderPositionsDoNotReplaceNewerOnes() {
        var table = LiveUnitTable()
        table.insert(id: "a", name: "a", kind: .drone, position: position(39.9, 116.4, at: 100))
        let olderReplaced = table.update(id: "a", position: position(31.2, 121.5, at: 50))
        #expect(!olderReplaced)
        #expect(table.entry("a")?.position?.latitude == 39.9)
        let unknownUpdated = table.update(id: "unknown", position: position(1, 1))
        #expect(!unknownUpdated)
    }

    @Test func removedUnitsLeaveTheirCellAndTheirSlotIsReused() {
        var table = LiveUnitTable()
        for index in 0..<10 { table.insert(id: "u\(index)", name: "u\(index)", kind: .tracker, position: position(39.9, 116.4)) }
        table.remove(id: "u3")
        table.remove(id: "u0")
        #expect(table.count == 8)
        #expect(!table.contains("u3"))
        #expect(table.entries(in: beijing).count == 8)
        table.insert(id: "new", name: "new", kind: .tracker, position: position(39.91, 116.41))
        #expect(table.entries(in: beijing).count == 9)
        #expect(table.count { _ in true } == 9)
    }

    @Test func wideBoxesWalkOccupiedCells() {
        var table = LiveUnitTable()
        table.insert(id: "north", name: "north", kind: .phone, position: position(60, 10))
        table.insert(id: "south", name: "south", kind: .phone, position: position(-33.9, 151.2))
        let world = GeoMath.Box(latitudes: -90...90, longitudes: -180...180)
        #expect(Set(table.entries(in: world).map(\.id)) == ["north", "south"])
    }
}
