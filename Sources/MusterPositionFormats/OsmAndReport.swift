import Foundation

/// The OsmAnd tracking protocol as Traccar Client and OsmAnd send it: one HTTP request per
/// position, fields in the query string or an x-www-form-urlencoded body, e.g.
/// `id=123456&timestamp=1700000000&lat=39.9042&lon=116.4074&speed=0.0&bearing=0.0&batt=87.5`.
public enum OsmAndReport {
    /// Longer parameter strings are rejected before any parsing; real reports are ~200 bytes.
    public static let maximumLength = 8 * 1024

    /// Parses a query string (without the leading '?') or a form body.
    ///
    /// `receivedAt` is not needed today (timestamps are absolute); it keeps the parsers' shapes alike.
    public static func parse(parameters: some Collection<UInt8>, receivedAt: Date) throws(PositionRejection) -> PositionReport {
        // prefix() bounds the copy even when the caller hands over something huge.
        try parse(parameters: Array(parameters.prefix(maximumLength + 1))[...], receivedAt: receivedAt)
    }

    /// `parse` without a copy, for callers that hold the bytes in an array already.
    public static func parse(parameters bytes: ArraySlice<UInt8>, receivedAt: Date) throws(PositionRejection) -> PositionReport {
        guard bytes.count <= maximumLength else {
            throw .malformed("OsmAnd parameters exceed \(maximumLength) bytes")
        }
        let fields = try Fields(bytes)

        guard let idBytes = fields.id, !idBytes.isEmpty else { throw .malformed("OsmAnd report has no id or deviceid") }
        guard let unitID = String(validating: idBytes, as: UTF8.self),
              // Control characters (C0, DEL, C1) would let a device forge log lines.
              !unitID.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        else { throw .malformed("OsmAnd id \(quoted(idBytes)) is not printable UTF-8") }

        if let valid = fields.valid, try !isValidFix(valid) {
            throw PositionRejection(.invalidFix, "OsmAnd report says valid=\(String(decoding: valid, as: UTF8.self))")
        }

        guard let latitude = try number(fields.latitude, "lat") else { throw .malformed("OsmAnd report has no lat") }
        guard let longitude = try number(fields.longitude, "lon") else { throw .malformed("OsmAnd report has no lon") }

        return PositionReport(
            unitID: unitID,
            latitude: latitude,
            longitude: longitude,
            altitude: try number(fields.altitude, "altitude"),
            // Traccar Client converts Android's m/s to knots before sending.
            speed: try number(fields.speed, "speed").map { $0 * 1852 / 3600 },
            heading: try number(fields.heading, "bearing"),
            accuracy: try number(fields.accuracy, "accuracy"),
            deviceTime: try fields.timestamp.flatMap { (text) throws(PositionRejection) in try timestamp(text) },
            battery: try number(fields.battery, "batt")
        )
    }

    /// The decoded values of the keys we read. Aliases share a slot and the last occurrence wins,
    /// matching how Traccar's server applies parameters in order. Values are slices of the input
    /// unless they needed decoding: this runs for every position.
    private struct Fields {
        var id: ArraySlice<UInt8>?
        var latitude: ArraySlice<UInt8>?
        var longitude: ArraySlice<UInt8>?
        var timestamp: ArraySlice<UInt8>?
        var speed: ArraySlice<UInt8>?
        var heading: ArraySlice<UInt8>?
        var altitude: ArraySlice<UInt8>?
        var accuracy: ArraySlice<UInt8>?
        var battery: ArraySlice<UInt8>?
        var valid: ArraySlice<UInt8>?

        init(_ bytes: ArraySlice<UInt8>) throws(PositionRejection) {
            try FormURLEncoding.forEachPair(bytes) { (key, encodedValue) throws(PositionRejection) in
                // Keys are case-sensitive, spelled as Traccar Client sends them.
                guard let key = Key(key) else { return }  // hdop, charge, motion, event, … and anything unknown
                let value = try FormURLEncoding.decode(encodedValue)
                switch key {
                case .id: id = value
                case .latitude: latitude = value
                case .longitude: longitude = value
                case .location:
                    guard let comma = value.firstIndex(of: UInt8(ascii: ",")) else {
                        throw .malformed("OsmAnd location \(quoted(value)) is not LAT,LON")
                    }
                    latitude = value[..<comma]
                    longitude = value[(comma + 1)...]
                case .timestamp: timestamp = value
                case .speed: speed = value
                case .heading: heading = value
                case .altitude: altitude = value
                case .accuracy: accuracy = value
                case .battery: battery = value
                case .valid: valid = value
                }
            }
        }
    }

    /// The keys read, matched on bytes (no String per key).
    private enum Key {
        case id, latitude, longitude, location, timestamp, speed, heading, altitude, accuracy, battery, valid

        private static let spellings: [(bytes: [UInt8], key: Key)] = {
            let keys: [(String, Key)] = [
                ("id", .id), ("deviceid", .id), ("lat", .latitude), ("lon", .longitude), ("location", .location),
                ("timestamp", .timestamp), ("speed", .speed), ("bearing", .heading), ("heading", .heading),
                ("altitude", .altitude), ("accuracy", .accuracy), ("batt", .battery), ("valid", .valid),
            ]
            return keys.map { (Array($0.0.utf8), $0.1) }
        }()

        init?(_ bytes: ArraySlice<UInt8>) {
            guard let match = Self.spellings.first(where: { $0.bytes.elementsEqual(bytes) }) else { return nil }
            self = match.key
        }
    }

    /// An optional number: nil when absent or empty, `.malformed` when not a finite decimal.
    private static func number(_ value: ArraySlice<UInt8>?, _ name: String) throws(PositionRejection) -> Double? {
        guard let value, !value.isEmpty else { return nil }
        guard let number = DecimalNumber.parse(value) else {
            throw .malformed("OsmAnd \(name) \(quoted(value)) is not a number")
        }
        return number
    }

    private static func isValidFix(_ value: ArraySlice<UInt8>) throws(PositionRejection) -> Bool {
        if ASCII.equalsIgnoringCase(value, "true") || value.elementsEqual([UInt8(ascii: "1")]) { return true }
        if ASCII.equalsIgnoringCase(value, "false") || value.elementsEqual([UInt8(ascii: "0")]) { return false }
        throw .malformed("OsmAnd valid \(quoted(value)) is not true/false/1/0")
    }

    /// Values above this are Unix milliseconds: as seconds they would be after the year 33000.
    private static let millisecondsThreshold = 1e12

    /// Unix seconds (integer or fractional), Unix milliseconds, or date text
    /// (`yyyy-MM-dd HH:mm:ss`, ISO 8601; zoneless means UTC). nil when empty.
    static func timestamp(_ text: ArraySlice<UInt8>) throws(PositionRejection) -> Date? {
        if text.isEmpty { return nil }
        if text.count > 4, text[text.startIndex + 4] == UInt8(ascii: "-") {
            guard let dateTime = ISODateTimeText(text) else {
                throw .malformed("OsmAnd timestamp \(quoted(text)) is not yyyy-MM-dd HH:mm:ss")
            }
            return Date(timeIntervalSince1970: dateTime.secondsSinceEpoch(defaultUTCOffset: 0))
        }
        guard let number = DecimalNumber.parse(text, allowExponent: false), number >= 0 else {
            throw .malformed("OsmAnd timestamp \(quoted(text)) is not Unix time or a date")
        }
        return Date(timeIntervalSince1970: number > millisecondsThreshold ? number / 1000 : number)
    }
}
