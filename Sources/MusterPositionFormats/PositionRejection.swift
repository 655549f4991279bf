/// Why input is not a usable position. The tracker counts rejections per `reason` on /metrics,
/// so reasons are few and stable; `detail` says what exactly was wrong (for logs and HTTP 400 bodies).
public struct PositionRejection: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable, CaseIterable {
        /// Not parseable, a required field is missing, or a number is not a number.
        case malformed = "malformed"
        case badChecksum = "bad-checksum"
        /// NMEA sentence over 82 characters.
        case tooLong = "too-long"
        /// The device itself says it has no fix: RMC status V, GGA quality 0, OsmAnd valid=false.
        case invalidFix = "invalid-fix"
        /// Used by the tracker.
        case coordinatesOutOfRange = "coordinates-out-of-range"
        /// Used by the tracker.
        case timeInFuture = "time-in-future"
        /// Used by the tracker.
        case unknownUnit = "unknown-unit"
    }

    public var reason: Reason
    /// Human-readable; quoted input is escaped and shortened (see `quoted`), so it is safe to log.
    public var detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { detail }

    static func malformed(_ detail: String) -> PositionRejection { PositionRejection(.malformed, detail) }
}

/// Renders untrusted input for a rejection detail: at most `limit` bytes, printable ASCII as is,
/// everything else as \xHH. Details end up in logs and HTTP bodies, so no raw control bytes or
/// invalid UTF-8 may pass through.
func quoted(_ bytes: some Collection<UInt8>, limit: Int = 40) -> String {
    var text = "'"
    for byte in bytes.prefix(limit) {
        switch byte {
        case UInt8(ascii: "'"), UInt8(ascii: "\\"):
            text += "\\" + String(UnicodeScalar(byte))
        case 0x20...0x7E:
            text.unicodeScalars.append(UnicodeScalar(byte))
        default:
            text += "\\x" + hexByte(byte)
        }
    }
    text += bytes.count > limit ? "'…" : "'"
    return text
}

func hexByte(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF".unicodeScalars)
    return String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
}
