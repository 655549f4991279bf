import Foundation

/// Great-circle geometry on a spherical Earth: good to about 0.5 % against WGS84, which is far
/// better than a phone's fix, and cheap enough to rank thousands of candidates per query.
public enum GeoMath {
    /// The mean Earth radius (IUGG), metres.
    public static let earthRadius = 6_371_008.8

    /// Great-circle distance in metres (haversine: stable for the short distances we rank).
    public static func distance(latitude lat1: Double, longitude lon1: Double, toLatitude lat2: Double, longitude lon2: Double) -> Double {
        let phi1 = lat1 * .pi / 180, phi2 = lat2 * .pi / 180
        let deltaPhi = phi2 - phi1
        let deltaLambda = (lon2 - lon1) * .pi / 180
        let a = sin(deltaPhi / 2) * sin(deltaPhi / 2) + cos(phi1) * cos(phi2) * sin(deltaLambda / 2) * sin(deltaLambda / 2)
        return 2 * earthRadius * asin(min(1, a.squareRoot()))
    }

    /// A latitude/longitude rectangle in degrees; never crosses the antimeridian (see `boxes`).
    public struct Box: Sendable, Hashable {
        public var latitudes: ClosedRange<Double>
        public var longitudes: ClosedRange<Double>

        public init(latitudes: ClosedRange<Double>, longitudes: ClosedRange<Double>) {
            self.latitudes = latitudes
            self.longitudes = longitudes
        }

        public func contains(latitude: Double, longitude: Double) -> Bool {
            latitudes.contains(latitude) && longitudes.contains(longitude)
        }
    }

    /// Rectangles that together cover every point within `radius` metres of the centre: one, or
    /// two when the circle crosses the antimeridian; all longitudes when it reaches a pole.
    public static func boxes(aroundLatitude latitude: Double, longitude: Double, radius: Double) -> [Box] {
        let angular = radius / earthRadius * 180 / .pi
        let south = latitude - angular, north = latitude + angular
        guard south > -90, north < 90 else {
            return [Box(latitudes: max(-90, south)...min(90, north), longitudes: -180...180)]
        }
        // The widest longitude span of the circle (at the latitude where it touches its meridians).
        let latitudeRadians = latitude * .pi / 180
        let ratio = sin(radius / earthRadius) / cos(latitudeRadians)
        guard ratio < 1 else { return [Box(latitudes: south...north, longitudes: -180...180)] }
        let span = asin(ratio) * 180 / .pi
        let west = longitude - span, east = longitude + span
        if west < -180 {
            return [Box(latitudes: south...north, longitudes: -180...east), Box(latitudes: south...north, longitudes: (west + 360)...180)]
        }
        if east > 180 {
            return [Box(latitudes: south...north, longitudes: west...180), Box(latitudes: south...north, longitudes: -180...(east - 360))]
        }
        return [Box(latitudes: south...north, longitudes: west...east)]
    }

    /// Whether the coordinates are a WGS84 position at all.
    public static func isValid(latitude: Double, longitude: Double) -> Bool {
        latitude.isFinite && longitude.isFinite && (-90...90).contains(latitude) && (-180...180).contains(longitude)
    }
}
