import Foundation
import MusterCore

/// What a mosaic channel composes: a layout, the profile its picture is encoded in, and either a
/// fixed list of channels (tile by tile) or the live feeds nearest a point (an incident).
///
/// Stored (and given to the API) as one line: `mosaic:2x2?profile=hd-720p&channels=a/1,a/2`, or
/// `mosaic:3x3?profile=hd-720p&near=30.25,120.17&radius=2000&max=9`.
public struct MosaicSource: Sendable, Hashable {
    public enum Inputs: Sendable, Hashable {
        /// Tile i shows channel i; fewer channels than tiles leave placeholders.
        case channels([ChannelPath])
        /// The nearest live feeds within `radiusMeters`, nearest first, at most `maximum`.
        case nearest(latitude: Double, longitude: Double, radiusMeters: Double, maximum: Int)
    }

    public var layout: MosaicLayout
    public var profile: String
    public var inputs: Inputs

    public init(layout: MosaicLayout, profile: String, inputs: Inputs) {
        self.layout = layout
        self.profile = profile
        self.inputs = inputs
    }

    public static let scheme = "mosaic:"

    public var storedValue: String {
        var text = "\(Self.scheme)\(layout.rawValue)?profile=\(profile)"
        switch inputs {
        case .channels(let paths):
            text += "&channels=" + paths.map(\.rawValue).joined(separator: ",")
        case .nearest(let latitude, let longitude, let radius, let maximum):
            text += "&near=\(latitude),\(longitude)&radius=\(Self.number(radius))&max=\(maximum)"
        }
        return text
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// Parses the stored form; errors name the part at fault and say what is expected.
    public init(parsing text: String) throws(DirectoryError) {
        func invalid(_ problem: String) -> DirectoryError { .invalidField(field: "source", problem: problem) }
        guard text.hasPrefix(Self.scheme) else { throw invalid("a mosaic source starts with 'mosaic:'") }
        let body = text.dropFirst(Self.scheme.count)
        let parts = body.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let layoutNames = MosaicLayout.allCases.map(\.rawValue).joined(separator: ", ")
        guard let layout = MosaicLayout(rawValue: String(parts[0])) else {
            throw invalid("mosaic layout '\(parts[0].prefix(16))' is not one of \(layoutNames)")
        }
        var fields: [String: String] = [:]
        for pair in (parts.count > 1 ? parts[1] : "").split(separator: "&") {
            let keyValue = pair.split(separator: "=", maxSplits: 1)
            guard keyValue.count == 2, fields.updateValue(String(keyValue[1]), forKey: String(keyValue[0])) == nil else {
                throw invalid("mosaic parameter '\(pair.prefix(32))' must appear once, as key=value")
            }
        }
        let known: Set = ["profile", "channels", "near", "radius", "max"]
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw invalid("unknown mosaic parameter '\(unknown.prefix(32))'; use profile, and channels or near, radius and max")
        }
        guard let profile = fields["profile"], !profile.isEmpty, profile.count <= 64,
              profile.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw invalid("a mosaic needs profile=NAME (a profile of the profiles directory, such as hd-720p)")
        }
        let inputs: Inputs
        switch (fields["channels"], fields["near"]) {
        case (let list?, nil):
            var paths: [ChannelPath] = []
            for item in list.split(separator: ",", omittingEmptySubsequences: false) {
                do {
                    paths.append(try ChannelPath(validating: String(item)))
                } catch {
                    throw invalid("mosaic input \(error)")
                }
            }
            guard !paths.isEmpty, paths.count <= layout.tileCount else {
                throw invalid("a \(layout.rawValue) mosaic takes 1 to \(layout.tileCount) channels")
            }
            guard fields["radius"] == nil, fields["max"] == nil else { throw invalid("radius and max go with near=, not with channels=") }
            inputs = .channels(paths)
        case (nil, let point?):
            let coordinates = point.split(separator: ",").compactMap { Double($0) }
            guard coordinates.count == 2, (-90...90).contains(coordinates[0]), (-180...180).contains(coordinates[1]) else {
                throw invalid("near= takes LATITUDE,LONGITUDE in WGS84 degrees")
            }
            guard let radius = fields["radius"].flatMap(Double.init), radius >= 1, radius <= 1_000_000 else {
                throw invalid("an incident mosaic needs radius= in metres, 1 to 1000000")
            }
            let maximum = fields["max"].flatMap { Int($0) } ?? layout.tileCount
            guard (1...layout.tileCount).contains(maximum) else {
                throw invalid("max= must be 1 to \(layout.tileCount) for a \(layout.rawValue) mosaic")
            }
            inputs = .nearest(latitude: coordinates[0], longitude: coordinates[1], radiusMeters: radius, maximum: maximum)
        default:
            throw invalid("a mosaic takes either channels=a,b,… or near=LAT,LON with radius=")
        }
        self.init(layout: layout, profile: profile, inputs: inputs)
    }
}
