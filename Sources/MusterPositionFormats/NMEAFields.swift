/// Decoders for the field types RMC and GGA share. Each throws `.malformed` naming the field, so
/// a rejected sentence says which part was wrong.
enum NMEAFields {
    /// Field `index` of a sentence body, or empty when the sentence is shorter.
    static func field(_ fields: ArraySlice<ArraySlice<UInt8>>, _ index: Int) -> ArraySlice<UInt8> {
        let position = fields.startIndex + index
        return position < fields.endIndex ? fields[position] : []
    }

    /// The byte of a one-character field (status, hemisphere, unit), nil for any other length.
    static func single(_ field: ArraySlice<UInt8>) -> UInt8? {
        field.count == 1 ? field.first : nil
    }

    /// `ddmm.mmmm` (latitude, `degreeDigits` 2) or `dddmm.mmmm` (longitude, 3) with its hemisphere
    /// letter, as signed decimal degrees. Minutes are always the two digits before the point;
    /// fewer degree digits than usual are accepted because some trackers drop leading zeros.
    static func coordinate(
        _ value: ArraySlice<UInt8>, hemisphere: ArraySlice<UInt8>,
        degreeDigits: Int, positive: UInt8, negative: UInt8, name: String
    ) throws(PositionRejection) -> Double {
        let integerEnd = value.firstIndex(of: UInt8(ascii: ".")) ?? value.endIndex
        let integerDigits = value[..<integerEnd]
        guard integerDigits.count >= 2, integerDigits.count <= degreeDigits + 2,
              integerDigits.allSatisfy(ASCII.isDigit)
        else { throw .malformed("\(name) \(quoted(value)) is not \(String(repeating: "d", count: degreeDigits))mm.mmmm") }

        let minutesStart = integerEnd - 2
        let degrees = integerDigits.count > 2 ? ASCII.fixedWidthInteger(value[..<minutesStart]) ?? 0 : 0
        guard let minutes = DecimalNumber.parse(value[minutesStart...], allowExponent: false) else {
            throw .malformed("\(name) \(quoted(value)) has bad minutes")
        }
        guard minutes < 60 else { throw .malformed("\(name) \(quoted(value)) has minutes of 60 or more") }

        let magnitude = Double(degrees) + minutes / 60
        switch single(hemisphere) {
        case positive: return magnitude
        case negative: return -magnitude
        default:
            throw .malformed("\(name) hemisphere \(quoted(hemisphere)) is not \(Character(UnicodeScalar(positive))) or \(Character(UnicodeScalar(negative)))")
        }
    }

    static func latitude(_ value: ArraySlice<UInt8>, _ hemisphere: ArraySlice<UInt8>) throws(PositionRejection) -> Double {
        try coordinate(value, hemisphere: hemisphere, degreeDigits: 2,
                       positive: UInt8(ascii: "N"), negative: UInt8(ascii: "S"), name: "NMEA latitude")
    }

    static func longitude(_ value: ArraySlice<UInt8>, _ hemisphere: ArraySlice<UInt8>) throws(PositionRejection) -> Double {
        try coordinate(value, hemisphere: hemisphere, degreeDigits: 3,
                       positive: UInt8(ascii: "E"), negative: UInt8(ascii: "W"), name: "NMEA longitude")
    }

    /// `hhmmss` or `hhmmss.sss` (UTC) as seconds since midnight; nil when the field is empty.
    static func timeOfDay(_ value: ArraySlice<UInt8>) throws(PositionRejection) -> Double? {
        if value.isEmpty { return nil }
        let start = value.startIndex
        guard value.count >= 6,
              let hours = ASCII.fixedWidthInteger(value[start..<(start + 2)]),
              let minutes = ASCII.fixedWidthInteger(value[(start + 2)..<(start + 4)]),
              let seconds = DecimalNumber.parse(value[(start + 4)...], allowExponent: false),
              ASCII.isDigit(value[start + 4]), ASCII.isDigit(value[start + 5]),
              hours < 24, minutes < 60, seconds < 60
        else { throw .malformed("NMEA time \(quoted(value)) is not hhmmss.sss") }
        return Double(hours * 3600 + minutes * 60) + seconds
    }

    /// `ddmmyy` as days since 1970-01-01; nil when the field is empty. NMEA has two-digit years;
    /// 80–99 are read as 19xx (GPS began in 1980), 00–79 as 20xx.
    static func date(_ value: ArraySlice<UInt8>) throws(PositionRejection) -> Int? {
        if value.isEmpty { return nil }
        let start = value.startIndex
        guard value.count == 6,
              let day = ASCII.fixedWidthInteger(value[start..<(start + 2)]),
              let month = ASCII.fixedWidthInteger(value[(start + 2)..<(start + 4)]),
              let shortYear = ASCII.fixedWidthInteger(value[(start + 4)...])
        else { throw .malformed("NMEA date \(quoted(value)) is not ddmmyy") }
        let year = shortYear < 80 ? 2000 + shortYear : 1900 + shortYear
        guard CivilTime.isValidDate(year: year, month: month, day: day) else {
            throw .malformed("NMEA date \(quoted(value)) is not a calendar date")
        }
        return CivilTime.daysSinceEpoch(year: year, month: month, day: day)
    }

    /// An optional decimal number (speed, course, altitude); nil when the field is empty.
    static func optionalNumber(_ value: ArraySlice<UInt8>, name: String) throws(PositionRejection) -> Double? {
        if value.isEmpty { return nil }
        guard let number = DecimalNumber.parse(value, allowExponent: false) else {
            throw .malformed("\(name) \(quoted(value)) is not a number")
        }
        return number
    }
}
