import Foundation
import Testing
@testable import MusterTracker

@Suite struct GeoMathTests {
    @Test func distancesMatchKnownCityPairs() {
        // Beijing (Tiananmen) to Shanghai (People's Square): about 1 067 km.
        let beijingShanghai = GeoMath.distance(latitude: 39.9042, longitude: 116.4074, toLatitude: 31.2304, longitude: 121.4737)
        #expect(abs(beijingShanghai - 1_067_000) < 5_000)
        // One degree of latitude is about 111.2 km on the mean sphere.
        #expect(abs(GeoMath.distance(latitude: 10, longitude: 20, toLatitude: 11, longitude: 20) - 111_195) < 10)
        #expect(GeoMath.distance(latitude: 39.9, longitude: 116.4, toLatitude: 39.9, longitude: 116.4) == 0)
        // Across the antimeridian the short way round.
        #expect(GeoMath.distance(latitude: 0, longitude: 179.99, toLatitude: 0, longitude: -179.99) < 2_300)
    }

    @Test func boxesCoverTheCircle() throws {
        let boxes = GeoMath.boxes(aroundLatitude: 39.9, longitude: 116.4, radius: 2_000)
        let box = try #require(boxes.first)
        #expect(boxes.count == 1)
        // Points exactly 2 km north, south, east and west lie inside.
        let northSouth = 2_000 / GeoMath.earthRadius * 180 / .pi
        #expect(box.contains(latitude: 39.9 + northSouth * 0.999, longitude: 116.4))
        #expect(box.contains(latitude: 39.9 - northSouth * 0.999, longitude: 116.4))
        let eastWest = northSouth / cos(39.9 * .pi / 180)
        #expect(box.contains(latitude: 39.9, longitude: 116.4 + eastWest * 0.999))
        #expect(box.contains(latitude: 39.9, longitude: 116.4 - eastWest * 0.999))
        #expect(!box.contains(latitude: 39.9 + northSouth * 1.01, longitude: 116.4))
    }

    @Test func boxesSplitAtTheAntimeridianAndOpenAtThePoles() {
        let split = GeoMath.boxes(aroundLatitude: -17.7, longitude: 179.99, radius: 5_000)
        #expect(split.count == 2)
        #expect(split.contains { $0.contains(latitude: -17.7, longitude: -179.99) })
        #expect(split.contains { $0.contains(latitude: -17.7, longitude: 179.98) })
        let polar = GeoMath.boxes(aroundLatitude: 89.99, longitude: 0, radius: 5_000)
        #expect(polar == [GeoMath.Box(latitudes: (89.99 - 5_000 / GeoMath.earthRadius * 180 / .pi)...90, longitudes: -180...180)])
    }

    @Test func validityRejectsOutOfRangeAndNonFinite() {
        #expect(GeoMath.isValid(latitude: -90, longitude: 180))
        #expect(!GeoMath.isValid(latitude: 116.4, longitude: 39.9))
        #expect(!GeoMath.isValid(latitude: .nan, longitude: 0))
        #expect(!GeoMath.isValid(latitude: 0, longitude: -180.0001))
    }
}

@Suite struct TrackSimplifierTests {
    typealias Point = TrackSimplifier.Point

    @Test func straightLineKeepsItsEnds() {
        let points = (0..<100).map { Point(latitude: 39.9 + Double($0) * 0.0001, longitude: 116.4) }
        #expect(TrackSimplifier.keptIndices(of: points, tolerance: 1) == [0, 99])
    }

    @Test func cornerIsKeptAndJitterIsNot() {
        // North 1.1 km, then east; a 0.5 m wobble in the first leg.
        var points = (0...10).map { Point(latitude: 39.9 + Double($0) * 0.001, longitude: 116.4) }
        points[5].longitude += 0.000005
        points += (1...10).map { Point(latitude: 39.91, longitude: 116.4 + Double($0) * 0.001) }
        #expect(TrackSimplifier.keptIndices(of: points, tolerance: 5) == [0, 10, 20])
        #expect(TrackSimplifier.keptIndices(of: points, tolerance: 0.1).contains(5))
    }

    @Test func shortTracksAndZeroToleranceAreKeptWhole() {
        let two = [Point(latitude: 1, longitude: 1), Point(latitude: 2, longitude: 2)]
        #expect(TrackSimplifier.keptIndices(of: two, tolerance: 100) == [0, 1])
        #expect(TrackSimplifier.keptIndices(of: [], tolerance: 100) == [])
        let three = two + [Point(latitude: 3, longitude: 3)]
        #expect(TrackSimplifier.keptIndices(of: three, tolerance: 0) == [0, 1, 2])
    }
}
