import Foundation

/// Distances, ages, speeds and headings of field units as an operator reads them.
extension DisplayFormatting {
    /// `850 m` up to a kilometre, then `1.2 km`, `35.0 km`: whole metres are as precise as a
    /// phone's fix, and at a kilometre and more a tenth is enough to pick the nearest.
    static func distance(metres: Double) -> String {
        guard metres.isFinite else { return "" }
        let rounded = max(0, metres.rounded())
        if rounded <= 1_000 { return String(Int(rounded)) + " m" }
        return String(format: "%.1f", metres / 1_000) + " km"
    }

    /// How long ago `date` was, from `now`: `12s ago`, `4m 05s ago`, `3h 10m ago`, `2d 01h ago`.
    /// A time more than a second ahead (a clock that runs fast) shows as `in 12s` rather than as
    /// a misleading `0s ago`.
    static func age(of date: Date, now: Date = Date()) -> String {
        let seconds = now.timeIntervalSince(date)
        if seconds <= -1 { return "in " + duration(seconds: -seconds) }
        return duration(seconds: seconds) + " ago"
    }

    /// The age of an API time (RFC 3339); empty when there is none or it is no time.
    static func age(ofTimestamp text: String?, now: Date = Date()) -> String {
        guard let text, let date = parseTimestamp(text) else { return "" }
        return age(of: date, now: now)
    }

    /// A speed the API gives in m/s as km/h, what people in the field talk in: `5.4 km/h`, `18 km/h`.
    static func speed(metresPerSecond: Double) -> String {
        number((metresPerSecond * 36).rounded() / 10) + " km/h"
    }

    /// A heading in degrees clockwise from north: `275°`.
    static func heading(_ degrees: Double) -> String {
        number((degrees * 10).rounded() / 10) + "°"
    }

    /// An altitude in metres: `412 m`, `35.5 m`.
    static func altitude(_ metres: Double) -> String {
        number((metres * 10).rounded() / 10) + " m"
    }

    /// One coordinate with five decimals (about a metre): `48.85660`.
    static func coordinate(_ degrees: Double) -> String {
        String(format: "%.5f", degrees)
    }

    /// `online`, `offline`, or empty when the gateway did not say.
    static func onlineWord(_ online: Bool?) -> String {
        guard let online else { return "" }
        return online ? "online" : "offline"
    }
}
