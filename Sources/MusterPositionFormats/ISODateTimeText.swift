/// Date-time text as devices send it: `yyyy-MM-dd` then `T` or a space, `HH:mm:ss`, optional
/// fractional seconds, optional zone (`Z`, `±HH:MM`, `±HHMM`, `±HH`).
///
/// The zone stays separate because the formats disagree about zoneless text: OsmAnd means UTC,
/// GB/T 28181 means the device's local time.
struct ISODateTimeText {
    /// Seconds since the epoch if the wall-clock time were UTC.
    var wallClockSeconds: Double
    /// The explicit offset from UTC in seconds, nil when the text has no zone.
    var utcOffset: Int?

    /// The instant, reading zoneless text at `defaultUTCOffset`.
    func secondsSinceEpoch(defaultUTCOffset: Int) -> Double {
        wallClockSeconds - Double(utcOffset ?? defaultUTCOffset)
    }

    init?(_ text: ArraySlice<UInt8>) {
        let bytes = Array(text)
        // Shortest form: yyyy-MM-ddTHH:mm:ss (19 bytes). Bounded so fraction parsing stays cheap.
        guard bytes.count >= 19, bytes.count <= 40,
              bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let year = ASCII.fixedWidthInteger(bytes[0..<4]),
              let month = ASCII.fixedWidthInteger(bytes[5..<7]),
              let day = ASCII.fixedWidthInteger(bytes[8..<10]),
              let hour = ASCII.fixedWidthInteger(bytes[11..<13]),
              let minute = ASCII.fixedWidthInteger(bytes[14..<16]),
              let second = ASCII.fixedWidthInteger(bytes[17..<19]),
              CivilTime.isValidDate(year: year, month: month, day: day),
              hour < 24, minute < 60, second < 60
        else { return nil }

        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            let digitsStart = index + 1
            index = digitsStart
            while index < bytes.count, ASCII.isDigit(bytes[index]) { index += 1 }
            guard index > digitsStart,
                  let value = DecimalNumber.parse(bytes[(digitsStart - 1)..<index], allowExponent: false)
            else { return nil }
            fraction = value
        }

        var offset: Int?
        if index < bytes.count {
            guard let zone = Self.utcOffset(bytes[index...]) else { return nil }
            offset = zone
        }

        let secondOfDay = Double(hour * 3600 + minute * 60 + second) + fraction
        wallClockSeconds = CivilTime.secondsSinceEpoch(year: year, month: month, day: day, secondOfDay: secondOfDay)
        utcOffset = offset
    }

    /// `Z`, `±HH:MM`, `±HHMM` or `±HH` as seconds east of UTC.
    private static func utcOffset(_ zone: ArraySlice<UInt8>) -> Int? {
        let zone = Array(zone)
        if zone == [UInt8(ascii: "Z")] || zone == [UInt8(ascii: "z")] { return 0 }
        guard let sign = zone.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
        let digits: [UInt8]
        switch zone.count {
        case 3, 5: digits = Array(zone[1...])
        case 6 where zone[3] == UInt8(ascii: ":"): digits = Array(zone[1..<3] + zone[4..<6])
        default: return nil
        }
        guard let hours = ASCII.fixedWidthInteger(digits[0..<2]), hours <= 18 else { return nil }
        var minutes = 0
        if digits.count == 4 {
            guard let value = ASCII.fixedWidthInteger(digits[2..<4]), value < 60 else { return nil }
            minutes = value
        }
        let seconds = hours * 3600 + minutes * 60
        return sign == UInt8(ascii: "-") ? -seconds : seconds
    }
}
