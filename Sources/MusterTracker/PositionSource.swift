import MusterDirectory
import MusterPositionFormats

/// The input a position came through; stored with each position as its `source`.
public enum PositionSource: String, Sendable, CaseIterable {
    case osmand
    case nmea
    case http
    case klv
    case gb28181

    /// The kind a unit first heard of through this input is registered with.
    var autoCreatedKind: UnitKind {
        switch self {
        case .osmand: .phone
        case .nmea, .http: .tracker
        case .klv: .drone
        case .gb28181: .bodyWorn
        }
    }
}

/// What became of one submitted position.
public enum PositionOutcome: Sendable, Hashable {
    /// Stored durably and now the unit's last position (unless a newer one was already known).
    case accepted
    /// The input was wrong; it was counted and not stored.
    case rejected(PositionRejection)
    /// The input was fine but the directory could not store it; the sender should retry.
    case notStored(DirectoryError)
}

/// How the tracker behaves; the defaults suit a command centre.
public struct TrackerConfiguration: Sendable, Hashable {
    /// Register a unit the first time an unknown id reports. Off by default: an unknown device
    /// could fill the directory, so operators register units first.
    public var autoCreateUnits = false
    /// A unit is online while its last position is at most this old (seconds). Traccar Client
    /// reports every 5 minutes by default; 10 minutes tolerates one missed report.
    public var onlineTimeout: Double = 600
    /// History older than this (seconds of receive time) is deleted.
    public var retention: Double = 7 * 24 * 3600
    /// A device clock may run ahead this much (seconds); further ahead is rejected.
    public var maximumClockAhead: Double = 300

    public init() {}
}
