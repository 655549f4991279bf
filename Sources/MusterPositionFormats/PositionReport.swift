import Foundation

/// One position as a device reported it, before the tracker validates ranges and identity.
///
/// Parsers only translate units and check syntax; whether a latitude is within ±90° or a time is
/// plausible is the tracker's decision, so a report may still hold out-of-range values.
public struct PositionReport: Sendable, Hashable {
    /// nil when the format carries no identity (NMEA).
    public var unitID: String?
    /// WGS84 degrees, north positive.
    public var latitude: Double
    /// WGS84 degrees, east positive.
    public var longitude: Double
    /// Metres above mean sea level.
    public var altitude: Double?
    /// Metres per second (formats sending knots or km/h are converted).
    public var speed: Double?
    /// Degrees clockwise from true north.
    public var heading: Double?
    /// Metres.
    public var accuracy: Double?
    /// nil when the input carries no usable time; the tracker then uses the receive time.
    public var deviceTime: Date?
    /// Percent.
    public var battery: Double?

    public init(
        unitID: String? = nil,
        latitude: Double,
        longitude: Double,
        altitude: Double? = nil,
        speed: Double? = nil,
        heading: Double? = nil,
        accuracy: Double? = nil,
        deviceTime: Date? = nil,
        battery: Double? = nil
    ) {
        self.unitID = unitID
        self.latitude = latitude
        self.longitude = longitude
        self.altitude = altitude
        self.speed = speed
        self.heading = heading
        self.accuracy = accuracy
        self.deviceTime = deviceTime
        self.battery = battery
    }
}
