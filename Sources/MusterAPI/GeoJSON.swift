import Foundation

/// RFC 7946 documents for map layers: coordinates are [longitude, latitude(, altitude)].
enum GeoJSON {
    static let contentType = "application/geo+json"

    enum Geometry: Encodable {
        case point(longitude: Double, latitude: Double, altitude: Double?)
        case lineString([[Double]])

        enum CodingKeys: String, CodingKey { case type, coordinates }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .point(let longitude, let latitude, let altitude):
                try container.encode("Point", forKey: .type)
                try container.encode([longitude, latitude] + (altitude.map { [$0] } ?? []), forKey: .coordinates)
            case .lineString(let coordinates):
                try container.encode("LineString", forKey: .type)
                try container.encode(coordinates, forKey: .coordinates)
            }
        }
    }

    struct Feature<Properties: Encodable>: Encodable {
        var type = "Feature"
        var id: String?
        var geometry: Geometry
        var properties: Properties
    }

    struct FeatureCollection<Properties: Encodable>: Encodable {
        var type = "FeatureCollection"
        var features: [Feature<Properties>]
    }
}
