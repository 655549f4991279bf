import Foundation

/// The fields Muster uses of a MISB ST 0601 UAS Datalink Local Set: when, where the sensor is
/// and where the platform points. Other tags are read past.
public struct MISB0601Packet: Sendable, Hashable {
    /// 06 0E 2B 34 02 0B 01 01 0E 01 03 01 01 00 00 00 (ST 0601 §6.1).
    public static let universalKey: [UInt8] = [0x06, 0x0E, 0x2B, 0x34, 0x02, 0x0B, 0x01, 0x01, 0x0E, 0x01, 0x03, 0x01, 0x01, 0x00, 0x00, 0x00]

    enum Tag {
        static let checksum = 1
        static let precisionTimeStamp = 2
        static let platformHeading = 5
        static let sensorLatitude = 13
        static let sensorLongitude = 14
        static let sensorTrueAltitude = 15
    }

    /// Tag 2: microseconds since 1970 (UTC, leap seconds not counted).
    public var timestamp: Date?
    /// Tag 5, degrees clockwise from true north.
    public var platformHeading: Double?
    /// Tag 13, WGS84 degrees; nil when absent or sent as the "error" value 0x80000000.
    public var sensorLatitude: Double?
    /// Tag 14, WGS84 degrees; nil when absent or the error value.
    public var sensorLongitude: Double?
    /// Tag 15, metres above mean sea level.
    public var sensorTrueAltitude: Double?

    public init(timestamp: Date? = nil, platformHeading: Double? = nil, sensorLatitude: Double? = nil,
                sensorLongitude: Double? = nil, sensorTrueAltitude: Double? = nil) {
        self.timestamp = timestamp
        self.platformHeading = platformHeading
        self.sensorLatitude = sensorLatitude
        self.sensorLongitude = sensorLongitude
        self.sensorTrueAltitude = sensorTrueAltitude
    }

    /// Parses one packet that starts at the first byte of its universal key. The checksum
    /// (tag 1, required by ST 0601) must be present and right.
    public init(parsing bytes: [UInt8]) throws(KLVError) {
        var reader = KLVReader(bytes)
        guard Array(try reader.bytes(16)) == Self.universalKey else {
            throw KLVError(.unknownKey, "not a MISB ST 0601 local set (unknown universal key)")
        }
        let length = try reader.berLength()
        let valueStart = reader.offset
        guard length <= bytes.count - valueStart else {
            throw KLVError(.truncated, "the local set claims \(length) bytes but \(bytes.count - valueStart) follow")
        }
        var items = KLVReader(bytes, from: valueStart, to: valueStart + length)
        var checksumVerified = false
        while !items.isAtEnd {
            let itemStart = items.offset
            let tag = try items.berOID()
            let itemLength = try items.berLength()
            let value = Array(try items.bytes(itemLength))
            switch tag {
            case Tag.checksum:
                guard itemLength == 2 else { throw KLVError(.badLength, "the checksum is \(itemLength) bytes, not 2") }
                // The checksum covers everything from the key through its own tag and length.
                let expected = Self.checksum(bytes[0..<(itemStart + 2)])
                let actual = UInt16(value[0]) << 8 | UInt16(value[1])
                guard expected == actual else {
                    throw KLVError(.checksumMismatch, "checksum \(actual) does not match the computed \(expected)")
                }
                checksumVerified = true
            case Tag.precisionTimeStamp where itemLength == 8:
                let microseconds = value.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                timestamp = Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
            case Tag.platformHeading where itemLength == 2:
                platformHeading = Double(Self.unsigned(value)) * 360 / 65535
            case Tag.sensorLatitude where itemLength == 4:
                sensorLatitude = Self.signedAngle(value, range: 90)
            case Tag.sensorLongitude where itemLength == 4:
                sensorLongitude = Self.signedAngle(value, range: 180)
            case Tag.sensorTrueAltitude where itemLength == 2:
                sensorTrueAltitude = Double(Self.unsigned(value)) * 19900 / 65535 - 900
            default:
                continue
            }
        }
        guard checksumVerified else { throw KLVError(.missingChecksum, "the local set has no checksum (tag 1)") }
    }

    /// ST 0601's 16-bit running sum: even-offset bytes in the high half, odd ones in the low half.
    public static func checksum(_ bytes: some Collection<UInt8>) -> UInt16 {
        var sum: UInt16 = 0
        for (index, byte) in bytes.enumerated() {
            sum &+= UInt16(byte) << (index % 2 == 0 ? 8 : 0)
        }
        return sum
    }

    private static func unsigned(_ value: [UInt8]) -> UInt32 {
        value.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    /// int32 mapped onto ±range degrees; 0x80000000 means "error" (§6.2 of the tags' definitions).
    private static func signedAngle(_ value: [UInt8], range: Double) -> Double? {
        let raw = Int32(bitPattern: unsigned(value))
        guard raw != Int32.min else { return nil }
        return Double(raw) * range / Double(Int32.max)
    }
}
