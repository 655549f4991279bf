import Foundation

/// Douglas–Peucker simplification of a track with a tolerance in metres: keeps the first and
/// last point and every point that lies further than the tolerance from the line the kept
/// points draw. Distances use a local flat projection, exact enough for tolerances of metres to
/// kilometres along one unit's track.
public enum TrackSimplifier {
    public struct Point: Sendable, Hashable {
        public var latitude: Double
        public var longitude: Double
        public init(latitude: Double, longitude: Double) {
            self.latitude = latitude
            self.longitude = longitude
        }
    }

    /// The indices of the points to keep, ascending.
    public static func keptIndices(of points: [Point], tolerance: Double) -> [Int] {
        guard points.count > 2, tolerance > 0 else { return Array(points.indices) }
        let projected = project(points)
        var keep = [Bool](repeating: false, count: points.count)
        keep[0] = true
        keep[points.count - 1] = true
        // An explicit stack: a long straight track would recurse as deep as it has points.
        var ranges = [(first: 0, last: points.count - 1)]
        while let (first, last) = ranges.popLast() {
            guard last - first > 1 else { continue }
            var farthest = first, farthestDistance = 0.0
            for index in (first + 1)..<last {
                let distance = distanceFromSegment(projected[index], projected[first], projected[last])
                if distance > farthestDistance {
                    farthest = index
                    farthestDistance = distance
                }
            }
            guard farthestDistance > tolerance else { continue }
            keep[farthest] = true
            ranges.append((first, farthest))
            ranges.append((farthest, last))
        }
        return keep.indices.filter { keep[$0] }
    }

    /// Metres east and north of the first point.
    private static func project(_ points: [Point]) -> [(x: Double, y: Double)] {
        let origin = points[0]
        let metresPerDegree = GeoMath.earthRadius * .pi / 180
        let eastScale = metresPerDegree * cos(origin.latitude * .pi / 180)
        return points.map { point in
            var deltaLongitude = point.longitude - origin.longitude
            if deltaLongitude > 180 { deltaLongitude -= 360 }
            if deltaLongitude < -180 { deltaLongitude += 360 }
            return (deltaLongitude * eastScale, (point.latitude - origin.latitude) * metresPerDegree)
        }
    }

    private static func distanceFromSegment(_ p: (x: Double, y: Double), _ a: (x: Double, y: Double), _ b: (x: Double, y: Double)) -> Double {
        let dx = b.x - a.x, dy = b.y - a.y
        let lengthSquared = dx * dx + dy * dy
        guard lengthSquared > 0 else { return ((p.x - a.x) * (p.x - a.x) + (p.y - a.y) * (p.y - a.y)).squareRoot() }
        let t = max(0, min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSquared))
        let x = a.x + t * dx - p.x, y = a.y + t * dy - p.y
        return (x * x + y * y).squareRoot()
    }
}
