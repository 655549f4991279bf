import Foundation
import Hummingbird
import MusterDirectory
import MusterPositionFormats
import MusterTracker

/// Positions in and out: posting a unit's positions, its track, units near a point or in a box,
/// and the channels nearest an incident. Every query answers JSON, or GeoJSON with `format=geojson`.
struct TrackingRoutes {
    let services: APIServices

    /// The most positions one POST may carry.
    static let maximumBatch = 10_000
    /// The widest radius a proximity query accepts, metres.
    static let maximumRadius = 1_000_000.0

    func register(on routes: APIRouteTable) {
        routes.add(.post, "/api/v1/units/:id/positions") { request, context in try await postPositions(request, context) }
        routes.add(.get, "/api/v1/units/:id/positions") { request, context in try await track(request, context) }
        routes.add(.get, "/api/v1/units/near") { request, context in try await unitsNear(request, context) }
        routes.add(.get, "/api/v1/units/within") { request, context in try await unitsWithin(request, context) }
        routes.add(.get, "/api/v1/nearby") { request, context in try await nearby(request, context) }
    }

    // MARK: Input

    private func postPositions(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try context.require(.operator)
        let id = try context.parameters.require("id")
        let input = try await request.decodeJSON(PositionBatchInput.self)
        guard input.positions.count <= Self.maximumBatch else {
            throw APIProblem(.contentTooLarge, "one request carries at most \(Self.maximumBatch) positions; split the batch")
        }
        let reports = input.positions.map { $0.report(unit: id) }
        let outcomes = await services.tracker.submit(reports, source: .http)
        var result = PositionBatchResult()
        for (index, outcome) in outcomes.enumerated() {
            switch outcome {
            case .accepted: result.accepted += 1
            case .rejected(let rejection): result.rejected.append(.init(index: index, reason: rejection.reason.rawValue, detail: rejection.detail))
            case .notStored(let error):
                throw APIProblem(.serviceUnavailable, "the positions were not stored (\(error)); send them again later")
            }
        }
        if !input.isBatch, let rejection = result.rejected.first {
            let status: HTTPResponse.Status = rejection.reason == PositionRejection.Reason.unknownUnit.rawValue ? .notFound : .badRequest
            throw APIProblem(status, rejection.detail)
        }
        return try JSONResponse.ok(result)
    }

    // MARK: Queries

    private func track(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try context.require(.viewer)
        let id = try context.parameters.require("id")
        guard services.tracker.unit(id: id) != nil else { throw APIProblem(DirectoryError.unitNotFound(id: id)) }
        let parameters = request.uri.queryParameters
        let now = Date()
        let from = try parameters.time("since", now: now) ?? now.addingTimeInterval(-3600)
        let to = try parameters.time("until", now: now) ?? now.addingTimeInterval(services.tracker.configuration.maximumClockAhead)
        let tolerance = try parameters.number("simplify", in: 0...100_000)
        let limit = try parameters.integer("limit", in: 1...100_000) ?? 10_000
        let newest: Bool
        switch parameters.get("keep") {
        case nil, "oldest": newest = false
        case "newest": newest = true
        default: throw APIProblem.badField("keep", "must be oldest or newest")
        }
        let positions = try await services.tracker.track(ofUnit: id, from: from, to: to, tolerance: tolerance, limit: limit, newest: newest)
        if try parameters.wantsGeoJSON() {
            let feature = GeoJSON.Feature(
                id: id,
                geometry: .lineString(positions.map { [$0.longitude, $0.latitude] + ($0.altitude.map { [$0] } ?? []) }),
                properties: TrackProperties(unit: id, times: positions.map(\.deviceTime))
            )
            return try JSONResponse.make(feature, status: .ok, contentType: GeoJSON.contentType)
        }
        return try JSONResponse.ok(TrackDocument(unit: id, positions: positions.map(PositionDocument.init)))
    }

    private func unitsNear(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try context.require(.viewer)
        let parameters = request.uri.queryParameters
        let center = try parameters.center()
        let radius = try parameters.radius()
        let limit = try parameters.pageLimit(default: 100)
        let units = services.tracker.unitsNear(latitude: center.latitude, longitude: center.longitude, radius: radius, limit: limit)
        return try await unitsResponse(units, geoJSON: try parameters.wantsGeoJSON())
    }

    private func unitsWithin(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try context.require(.viewer)
        let parameters = request.uri.queryParameters
        let box = try parameters.boundingBox()
        let limit = try parameters.pageLimit(default: 100)
        let units = services.tracker.units(in: box, limit: limit)
        return try await unitsResponse(units, geoJSON: try parameters.wantsGeoJSON())
    }

    private func unitsResponse(_ units: [PositionTracker.TrackedUnit], geoJSON: Bool) async throws -> Response {
        let channels = try await services.store.channels(ofUnits: units.map(\.id))
        var pathsByUnit: [String: [String]] = [:]
        for channel in channels { if let unit = channel.unitID { pathsByUnit[unit, default: []].append(channel.path.rawValue) } }
        let documents = units.map { NearUnitDocument($0, channels: (pathsByUnit[$0.id] ?? []).sorted()) }
        guard geoJSON else { return try JSONResponse.ok(NearUnitsDocument(units: documents)) }
        let features = documents.compactMap { document -> GeoJSON.Feature<NearUnitDocument>? in
            guard let position = document.position else { return nil }
            return GeoJSON.Feature(
                id: document.id, geometry: .point(longitude: position.longitude, latitude: position.latitude, altitude: position.altitude),
                properties: document
            )
        }
        return try JSONResponse.make(GeoJSON.FeatureCollection(features: features), status: .ok, contentType: GeoJSON.contentType)
    }

    private func nearby(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try context.require(.viewer)
        let parameters = request.uri.queryParameters
        let center = try parameters.center()
        let radius = try parameters.radius()
        let limit = try parameters.pageLimit(default: 50)
        let found = try await services.tracker.nearbyChannels(latitude: center.latitude, longitude: center.longitude, radius: radius, limit: limit)
        let host = services.rtspAddress.host(requestHost: request.head.authority)
        let documents = found.map { NearbyChannelDocument($0, online: services.hubs.hub(at: $0.channel.path.rawValue)?.status.isOnline ?? false,
                                                          rtspURL: services.rtspAddress.url(path: $0.channel.path.rawValue, host: host)) }
        guard try parameters.wantsGeoJSON() else { return try JSONResponse.ok(NearbyDocument(channels: documents)) }
        let features = documents.map {
            GeoJSON.Feature(id: $0.path, geometry: .point(longitude: $0.longitude, latitude: $0.latitude, altitude: nil), properties: $0)
        }
        return try JSONResponse.make(GeoJSON.FeatureCollection(features: features), status: .ok, contentType: GeoJSON.contentType)
    }
}

// MARK: Query parameters

extension Parameters {
    func number(_ name: String, in range: ClosedRange<Double>) throws(APIProblem) -> Double? {
        guard let text = get(name) else { return nil }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw APIProblem.badField(name, "must be a number from \(range.lowerBound.formatted()) to \(range.upperBound.formatted())")
        }
        return value
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws(APIProblem) -> Int? {
        guard let text = get(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw APIProblem.badField(name, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func requiredNumber(_ name: String, in range: ClosedRange<Double>) throws(APIProblem) -> Double {
        guard let value = try number(name, in: range) else { throw APIProblem.badField(name, "is required") }
        return value
    }

    func center() throws(APIProblem) -> (latitude: Double, longitude: Double) {
        (try requiredNumber("lat", in: -90...90), try requiredNumber("lon", in: -180...180))
    }

    func radius() throws(APIProblem) -> Double {
        try requiredNumber("radius", in: 1...TrackingRoutes.maximumRadius)
    }

    /// `bbox=west,south,east,north` as in GeoJSON; a west edge east of the east edge is not a box.
    func boundingBox() throws(APIProblem) -> GeoMath.Box {
        guard let text = get("bbox") else { throw APIProblem.badField("bbox", "is required: west,south,east,north in degrees") }
        let values = text.split(separator: ",", omittingEmptySubsequences: false).compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == 4, values.allSatisfy(\.isFinite),
              (-180...180).contains(values[0]), (-180...180).contains(values[2]), values[0] <= values[2],
              (-90...90).contains(values[1]), (-90...90).contains(values[3]), values[1] <= values[3] else {
            throw APIProblem.badField("bbox", "must be west,south,east,north in degrees with west ≤ east and south ≤ north")
        }
        return GeoMath.Box(latitudes: values[1]...values[3], longitudes: values[0]...values[2])
    }

    func wantsGeoJSON() throws(APIProblem) -> Bool {
        switch get("format") {
        case nil, "json": false
        case "geojson": true
        default: throw APIProblem.badField("format", "must be json or geojson")
        }
    }

    /// A time as an ISO 8601 date, Unix seconds, or an age such as 90s, 15m, 1h, 7d.
    func time(_ name: String, now: Date) throws(APIProblem) -> Date? {
        guard let text = get(name) else { return nil }
        if let unit = text.last, let multiplier = ["s": 1.0, "m": 60, "h": 3600, "d": 86400][unit], let amount = Double(text.dropLast()), amount >= 0 {
            return now.addingTimeInterval(-amount * multiplier)
        }
        if let seconds = Double(text), seconds.isFinite { return Date(timeIntervalSince1970: seconds) }
        if let date = APIDates.parse(text) { return date }
        throw APIProblem.badField(name, "must be an ISO 8601 time, Unix seconds, or an age such as 90s, 15m, 1h or 7d")
    }
}

enum APIDates {
    /// ISO 8601 with or without fractional seconds.
    static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}

// MARK: Documents

/// One position, or an array of them.
struct PositionBatchInput: Decodable {
    var positions: [PositionInput]
    var isBatch: Bool

    init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var positions: [PositionInput] = []
            while !array.isAtEnd { positions.append(try array.decode(PositionInput.self)) }
            self.positions = positions
            isBatch = true
        } else {
            positions = [try PositionInput(from: decoder)]
            isBatch = false
        }
    }
}

struct PositionInput: Decodable {
    var latitude: Double
    var longitude: Double
    var altitude: Double?
    var speed: Double?
    var heading: Double?
    var accuracy: Double?
    var deviceTime: Date?

    enum CodingKeys: String, CodingKey {
        case latitude, longitude, altitude, speed, heading, accuracy, deviceTime = "device_time"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        latitude = try container.decode(Double.self, forKey: .latitude)
        longitude = try container.decode(Double.self, forKey: .longitude)
        altitude = try container.decodeIfPresent(Double.self, forKey: .altitude)
        speed = try container.decodeIfPresent(Double.self, forKey: .speed)
        heading = try container.decodeIfPresent(Double.self, forKey: .heading)
        accuracy = try container.decodeIfPresent(Double.self, forKey: .accuracy)
        if let seconds = try? container.decodeIfPresent(Double.self, forKey: .deviceTime) {
            deviceTime = Date(timeIntervalSince1970: seconds)
        } else if let text = try container.decodeIfPresent(String.self, forKey: .deviceTime) {
            guard let date = APIDates.parse(text) else {
                throw APIProblem.badField("device_time", "must be an ISO 8601 time or Unix seconds")
            }
            deviceTime = date
        }
    }

    func report(unit: String) -> PositionReport {
        PositionReport(
            unitID: unit, latitude: latitude, longitude: longitude, altitude: altitude, speed: speed, heading: heading,
            accuracy: accuracy, deviceTime: deviceTime
        )
    }
}

struct PositionBatchResult: Encodable {
    struct Rejected: Encodable {
        var index: Int
        var reason: String
        var detail: String
    }

    var accepted = 0
    var rejected: [Rejected] = []
}

struct TrackDocument: Encodable {
    var unit: String
    var positions: [PositionDocument]
}

struct TrackProperties: Encodable {
    var unit: String
    var times: [Date]
}

struct NearUnitDocument: Encodable {
    var id: String
    var name: String
    var kind: String
    var online: Bool
    var distance: Double?
    var position: PositionDocument?
    var channels: [String]

    enum CodingKeys: String, CodingKey {
        case id, name, kind, online, distance = "distance_m", position, channels
    }

    init(_ unit: PositionTracker.TrackedUnit, channels: [String]) {
        id = unit.id
        name = unit.name
        kind = unit.kind.rawValue
        online = unit.online
        distance = unit.distance.map { ($0 * 10).rounded() / 10 }
        position = unit.position.map(PositionDocument.init)
        self.channels = channels
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(kind, forKey: .kind)
        try container.encode(online, forKey: .online)
        try container.encode(distance, forKey: .distance)
        try container.encode(position, forKey: .position)
        try container.encode(channels, forKey: .channels)
    }
}

struct NearUnitsDocument: Encodable {
    var units: [NearUnitDocument]
}

struct NearbyChannelDocument: Encodable {
    var path: String
    var name: String
    var kind: String
    var distance: Double
    var latitude: Double
    var longitude: Double
    /// `fixed` (the channel's registered location) or `unit` (its unit's last position).
    var locatedBy: String
    var unit: String?
    var unitOnline: Bool?
    var online: Bool
    var rtspURL: String

    enum CodingKeys: String, CodingKey {
        case path, name, kind, distance = "distance_m", latitude, longitude, locatedBy = "located_by", unit
        case unitOnline = "unit_online", online, rtspURL = "rtsp_url"
    }

    init(_ nearby: PositionTracker.NearbyChannel, online: Bool, rtspURL: String) {
        path = nearby.channel.path.rawValue
        name = nearby.channel.name
        kind = nearby.channel.kind.rawValue
        distance = (nearby.distance * 10).rounded() / 10
        latitude = nearby.latitude
        longitude = nearby.longitude
        locatedBy = nearby.unit == nil ? "fixed" : "unit"
        unit = nearby.unit?.id
        unitOnline = nearby.unit?.online
        self.online = online
        self.rtspURL = rtspURL
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(name, forKey: .name)
        try container.encode(kind, forKey: .kind)
        try container.encode(distance, forKey: .distance)
        try container.encode(latitude, forKey: .latitude)
        try container.encode(longitude, forKey: .longitude)
        try container.encode(locatedBy, forKey: .locatedBy)
        try container.encode(unit, forKey: .unit)
        try container.encode(unitOnline, forKey: .unitOnline)
        try container.encode(online, forKey: .online)
        try container.encode(rtspURL, forKey: .rtspURL)
    }
}

struct NearbyDocument: Encodable {
    var channels: [NearbyChannelDocument]
}
