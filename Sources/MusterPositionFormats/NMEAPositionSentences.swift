import Foundation

extension NMEASentence {
    static let metresPerSecondPerKnot = 1852.0 / 3600.0

    /// RMC, recommended minimum data: time, status, lat, N/S, lon, E/W, speed (knots), course,
    /// date, magnetic variation, E/W, then mode (NMEA 2.3+) and navigational status (4.1).
    static func recommendedMinimum(_ fields: ArraySlice<ArraySlice<UInt8>>) throws(PositionRejection) -> PositionReport {
        // Everything through the date is required; variation, mode and status are optional.
        guard fields.count >= 9 else { throw .malformed("RMC has \(fields.count) fields, needs at least 9") }
        let field = { (index: Int) in NMEAFields.field(fields, index) }

        switch NMEAFields.single(field(1)) {
        case UInt8(ascii: "A"): break
        case UInt8(ascii: "V"): throw PositionRejection(.invalidFix, "RMC status V: receiver reports no valid fix")
        default: throw .malformed("RMC status \(quoted(field(1))) is not A or V")
        }
        // Mode 'N' (data not valid) overrides status A on some receivers.
        if field(11).first == UInt8(ascii: "N") {
            throw PositionRejection(.invalidFix, "RMC mode N: receiver reports no valid fix")
        }
        guard !field(2).isEmpty, !field(4).isEmpty else {
            throw PositionRejection(.invalidFix, "RMC has no position (empty latitude or longitude)")
        }

        let latitude = try NMEAFields.latitude(field(2), field(3))
        let longitude = try NMEAFields.longitude(field(4), field(5))
        let knots = try NMEAFields.optionalNumber(field(6), name: "RMC speed")
        let course = try NMEAFields.optionalNumber(field(7), name: "RMC course")
        let secondOfDay = try NMEAFields.timeOfDay(field(0))
        let day = try NMEAFields.date(field(8))

        var deviceTime: Date?
        if let secondOfDay, let day {
            deviceTime = Date(timeIntervalSince1970: Double(day * CivilTime.secondsPerDay) + secondOfDay)
        }
        return PositionReport(
            latitude: latitude, longitude: longitude,
            speed: knots.map { $0 * metresPerSecondPerKnot }, heading: course, deviceTime: deviceTime
        )
    }

    /// GGA, fix data: time, lat, N/S, lon, E/W, quality, satellites, HDOP, altitude, M,
    /// geoid separation, M, age of differential data, station id.
    ///
    /// HDOP is a unitless dilution factor, not metres, so `accuracy` stays nil.
    static func fixData(_ fields: ArraySlice<ArraySlice<UInt8>>, receivedAt: Date) throws(PositionRejection) -> PositionReport {
        // Everything through the altitude unit is required; geoid and DGPS fields are optional.
        guard fields.count >= 10 else { throw .malformed("GGA has \(fields.count) fields, needs at least 10") }
        let field = { (index: Int) in NMEAFields.field(fields, index) }

        guard let quality = ASCII.fixedWidthInteger(field(5)) else {
            throw .malformed("GGA fix quality \(quoted(field(5))) is not a number")
        }
        guard quality != 0 else { throw PositionRejection(.invalidFix, "GGA fix quality 0: receiver reports no fix") }
        guard !field(1).isEmpty, !field(3).isEmpty else {
            throw PositionRejection(.invalidFix, "GGA has no position (empty latitude or longitude)")
        }

        let latitude = try NMEAFields.latitude(field(1), field(2))
        let longitude = try NMEAFields.longitude(field(3), field(4))
        let altitude = try NMEAFields.optionalNumber(field(8), name: "GGA altitude")
        guard field(9).isEmpty || NMEAFields.single(field(9)) == UInt8(ascii: "M") else {
            throw .malformed("GGA altitude unit \(quoted(field(9))) is not M")
        }
        let deviceTime = try NMEAFields.timeOfDay(field(0)).map { nearestInstant(secondOfDay: $0, to: receivedAt) }

        return PositionReport(latitude: latitude, longitude: longitude, altitude: altitude, deviceTime: deviceTime)
    }

    /// GGA carries only a UTC time of day. The device time is that time on the day of `receivedAt`,
    /// or on the day before/after when that is closer: a fix taken at 23:59:59 and received at
    /// 00:00:01 belongs to the previous day.
    static func nearestInstant(secondOfDay: Double, to receivedAt: Date) -> Date {
        let received = receivedAt.timeIntervalSince1970
        let day = Double(CivilTime.secondsPerDay)
        var candidate = (received / day).rounded(.down) * day + secondOfDay
        if candidate - received > day / 2 {
            candidate -= day
        } else if received - candidate > day / 2 {
            candidate += day
        }
        return Date(timeIntervalSince1970: candidate)
    }
}
