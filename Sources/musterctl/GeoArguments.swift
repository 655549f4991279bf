import ArgumentParser
import Foundation

/// Command-line values of the tracking commands, checked before anything is sent: a mistyped
/// coordinate is a usage error (exit 2), not a round trip to the gateway.
enum GeoArguments {
    /// The widest radius the gateway accepts, metres.
    static let maximumRadius = 1_000_000.0
    /// The most units or channels one proximity query returns (the gateway's page limit).
    static let maximumResults = 1000
    /// The most positions one track request returns (the gateway's limit).
    static let maximumTrackPositions = 100_000

    static func checkLatitude(_ value: Double, option: String = "--lat") throws(ValidationError) {
        guard value.isFinite, (-90...90).contains(value) else { throw ValidationError("\(option) must be from -90 to 90 degrees") }
    }

    static func checkLongitude(_ value: Double, option: String = "--lon") throws(ValidationError) {
        guard value.isFinite, (-180...180).contains(value) else { throw ValidationError("\(option) must be from -180 to 180 degrees") }
    }

    static func checkRadius(_ value: Double) throws(ValidationError) {
        // The gateway's own bounds: more than 0, and no less than a metre, the precision of a fix.
        guard value.isFinite, value >= 1, value <= maximumRadius else {
            throw ValidationError("--radius must be from 1 to \(Int(maximumRadius)) metres")
        }
    }

    static func checkResultLimit(_ limit: Int?) throws(ValidationError) {
        if let limit, !(1...maximumResults).contains(limit) { throw ValidationError("--limit must be from 1 to \(maximumResults)") }
    }

    /// Whether `text` is a time the gateway's `since`/`until` take: an age (`90s`, `15m`, `1h`,
    /// `7d`), Unix seconds, or an ISO 8601 date-time.
    static func isTrackTime(_ text: String) -> Bool {
        if let unit = text.last, "smhd".contains(unit), let amount = Double(text.dropLast()), amount.isFinite, amount >= 0,
           text.first?.isNumber == true {
            return true
        }
        if let seconds = Double(text), seconds.isFinite, text.first?.isNumber == true || text.first == "-" { return true }
        return DisplayFormatting.parseTimestamp(text) != nil
    }

    /// `--time` of `units report`: Unix seconds, or ISO 8601 text passed on as written.
    static func deviceTime(_ text: String) -> APIPositionInput.DeviceTime? {
        if let seconds = Double(text), seconds.isFinite, text.first?.isNumber == true { return .unixSeconds(seconds) }
        if DisplayFormatting.parseTimestamp(text) != nil { return .iso8601(text) }
        return nil
    }
}

/// `--bbox west,south,east,north` in degrees, the order GeoJSON uses.
struct BoundingBox: ExpressibleByArgument, Equatable, Sendable {
    var west: Double
    var south: Double
    var east: Double
    var north: Double

    init(west: Double, south: Double, east: Double, north: Double) {
        self.west = west
        self.south = south
        self.east = east
        self.north = north
    }

    /// Nil unless the text is a box `parse` takes.
    init?(argument: String) {
        guard let box = try? Self.parse(argument) else { return nil }
        self = box
    }

    /// Four comma-separated numbers making a box: west ≤ east in -180…180, south ≤ north in
    /// -90…90 (the gateway takes no box across the antimeridian); else why not.
    static func parse(_ text: String) throws(ValidationError) -> BoundingBox {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        let values = parts.compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, values.count == 4, values.allSatisfy(\.isFinite) else {
            throw ValidationError("give four numbers west,south,east,north in degrees, e.g. 114.2,30.5,114.4,30.7")
        }
        let box = BoundingBox(west: values[0], south: values[1], east: values[2], north: values[3])
        guard (-180...180).contains(box.west), (-180...180).contains(box.east) else {
            throw ValidationError("west and east must be from -180 to 180 degrees")
        }
        guard (-90...90).contains(box.south), (-90...90).contains(box.north) else {
            throw ValidationError("south and north must be from -90 to 90 degrees")
        }
        guard box.west <= box.east, box.south <= box.north else {
            throw ValidationError("west must not lie east of east, nor south north of north (the order is west,south,east,north)")
        }
        return box
    }

    static var defaultValueDescription: String { "west,south,east,north" }

    /// The query value, numbers as Swift writes them (`-0.2,51.4,0.1,51.6`).
    var queryValue: String {
        [west, south, east, north].map { DisplayFormatting.number(exactly: $0) }.joined(separator: ",")
    }
}

/// `--lat --lon --radius`: the centre and reach of a proximity query.
struct ProximityOptions: ParsableArguments {
    /// Unconditional parsing, so that a western or southern `-2.35` is a value, not a flag.
    @Option(name: .customLong("lat"), parsing: .unconditional, help: "Latitude of the centre, -90 to 90 degrees.")
    var latitude: Double
    @Option(name: .customLong("lon"), parsing: .unconditional, help: "Longitude of the centre, -180 to 180 degrees.")
    var longitude: Double
    @Option(help: "How far to look, in metres, 1 to 1000000.")
    var radius: Double

    func validate() throws {
        try GeoArguments.checkLatitude(latitude)
        try GeoArguments.checkLongitude(longitude)
        try GeoArguments.checkRadius(radius)
    }

    /// `endpoint` with `lat`, `lon` and `radius`.
    func adding(to endpoint: APIEndpoint) -> APIEndpoint {
        endpoint
            .adding("lat", DisplayFormatting.number(exactly: latitude))
            .adding("lon", DisplayFormatting.number(exactly: longitude))
            .adding("radius", DisplayFormatting.number(exactly: radius))
    }
}

extension DisplayFormatting {
    /// A number for a query: every digit Swift needs to give the same Double back, no exponent
    /// for ordinary coordinates (`-0.2`, `51.4`, `1500`).
    static func number(exactly value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
