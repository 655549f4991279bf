import Foundation
import MusterCore

/// What a field unit is.
public enum UnitKind: String, Codable, Sendable, CaseIterable {
    case drone
    case bodyWorn = "body-worn"
    case phone
    case vehicle
    case tracker
    case person
}

/// A field asset that moves: a drone, a rescuer with a body-worn camera, a reporter's phone.
public struct FieldUnit: Sendable, Hashable {
    /// Unit ids are chosen by people and devices (IMEI, GB28181 device ids, call signs): 1–64
    /// characters of letters, digits, '-', '_', '.', ':'.
    public var id: String
    public var name: String
    public var kind: UnitKind
    /// The newest position by device time, as last saved by the tracker; nil until one arrives.
    public var lastPosition: UnitPosition?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, name: String, kind: UnitKind, lastPosition: UnitPosition? = nil, createdAt: Date = Date(), updatedAt: Date = Date()) {
        self.id = id
        self.name = name
        self.kind = kind
        self.lastPosition = lastPosition
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public static let maximumIDLength = 64
    /// Ids that would be shadowed by the routes /api/v1/units/near and /api/v1/units/within.
    static let reservedIDs: Set<String> = ["near", "within"]

    /// Checks a unit id against the rule above.
    public static func validate(id: String) throws(DirectoryError) {
        guard !id.isEmpty, id.utf8.count <= maximumIDLength else {
            throw .invalidField(field: "id", problem: "must be 1–\(maximumIDLength) characters")
        }
        let allowed = id.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_.:".unicodeScalars.contains(scalar))
        }
        guard allowed else {
            throw .invalidField(field: "id", problem: "may only hold ASCII letters, digits, '-', '_', '.' and ':'")
        }
        guard !reservedIDs.contains(id) else {
            throw .invalidField(field: "id", problem: "'\(id)' names an API route (/api/v1/units/\(id)); choose another id")
        }
    }
}

/// A WGS84 position of a unit at one moment.
public struct UnitPosition: Sendable, Hashable {
    public var latitude: Double
    public var longitude: Double
    public var altitude: Double?
    /// Metres per second.
    public var speed: Double?
    /// Degrees clockwise from true north.
    public var heading: Double?
    /// Metres.
    public var accuracy: Double?
    public var deviceTime: Date
    public var receivedAt: Date
    /// Which input reported it: `osmand`, `nmea`, `http`, `klv`, `gb28181`.
    public var source: String

    public init(latitude: Double, longitude: Double, altitude: Double? = nil, speed: Double? = nil, heading: Double? = nil,
                accuracy: Double? = nil, deviceTime: Date, receivedAt: Date, source: String) {
        self.latitude = latitude
        self.longitude = longitude
        self.altitude = altitude
        self.speed = speed
        self.heading = heading
        self.accuracy = accuracy
        self.deviceTime = deviceTime
        self.receivedAt = receivedAt
        self.source = source
    }
}

/// The fields of a unit update; nil leaves a field as it is.
public struct UnitPatch: Sendable, Hashable {
    public var name: String?
    public var kind: UnitKind?
    public init(name: String? = nil, kind: UnitKind? = nil) {
        self.name = name
        self.kind = kind
    }
}

/// A position to store for a unit.
public struct UnitPositionRecord: Sendable, Hashable {
    public var unitID: String
    public var position: UnitPosition

    public init(unitID: String, position: UnitPosition) {
        self.unitID = unitID
        self.position = position
    }
}

/// A channel's registered fixed location, as the spatial index finds it.
public struct LocatedChannel: Sendable, Hashable {
    public var path: ChannelPath
    public var latitude: Double
    public var longitude: Double
    /// The unit the channel belongs to: where that unit reports a position, it wins.
    public var unitID: String?

    public init(path: ChannelPath, latitude: Double, longitude: Double, unitID: String? = nil) {
        self.path = path
        self.latitude = latitude
        self.longitude = longitude
        self.unitID = unitID
    }
}
