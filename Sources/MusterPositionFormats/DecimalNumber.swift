/// Locale-independent parsing of plain decimal numbers from bytes: `[+-]digits[.digits][e[+-]digits]`.
///
/// Device input is untrusted, so the grammar is checked here rather than left to a general float
/// parser: no "nan", "inf", hexadecimal floats, or whitespace. Most device numbers have few digits,
/// so they take an exact fast path (a mantissa below 2^53 scaled by an exactly representable power
/// of ten rounds once, giving the correctly rounded result); the rest fall back to the standard
/// library's correctly rounded parser.
enum DecimalNumber {
    static func parse(_ bytes: ArraySlice<UInt8>, allowExponent: Bool = true) -> Double? {
        var index = bytes.startIndex
        let end = bytes.endIndex
        var negative = false
        if index < end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }

        var mantissa: UInt64 = 0
        var significantDigits = 0
        var decimalExponent = 0
        var sawDigit = false
        var lostPrecision = false

        func take(_ digit: UInt64, isFraction: Bool) {
            sawDigit = true
            if mantissa == 0 && digit == 0 {
                // Leading zeros carry no precision; in a fraction they still shift the point.
                if isFraction { decimalExponent -= 1 }
                return
            }
            if significantDigits < 19 {
                mantissa = mantissa * 10 + digit
                significantDigits += 1
                if isFraction { decimalExponent -= 1 }
            } else {
                lostPrecision = true
                if !isFraction { decimalExponent += 1 }
            }
        }

        while index < end, ASCII.isDigit(bytes[index]) {
            take(UInt64(bytes[index] - UInt8(ascii: "0")), isFraction: false)
            index += 1
        }
        if index < end, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < end, ASCII.isDigit(bytes[index]) {
                take(UInt64(bytes[index] - UInt8(ascii: "0")), isFraction: true)
                index += 1
            }
        }
        guard sawDigit else { return nil }

        if index < end, allowExponent, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var exponentNegative = false
            if index < end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var exponent = 0
            var sawExponentDigit = false
            while index < end, ASCII.isDigit(bytes[index]) {
                // Clamped: anything this large over- or underflows a Double anyway.
                exponent = min(exponent * 10 + Int(bytes[index] - UInt8(ascii: "0")), 100_000)
                sawExponentDigit = true
                index += 1
            }
            guard sawExponentDigit else { return nil }
            decimalExponent += exponentNegative ? -exponent : exponent
        }
        guard index == end else { return nil }

        let magnitude: Double
        if mantissa == 0 {
            magnitude = 0
        } else if !lostPrecision, mantissa <= 1 << 53, abs(decimalExponent) < exactPowersOfTen.count {
            let scale = exactPowersOfTen[abs(decimalExponent)]
            magnitude = decimalExponent < 0 ? Double(mantissa) / scale : Double(mantissa) * scale
        } else {
            // The grammar is already verified, so the standard parser only does the rounding.
            guard let value = Double(String(decoding: bytes, as: UTF8.self)) else { return nil }
            return value.isFinite ? value : nil
        }
        guard magnitude.isFinite else { return nil }
        return negative ? -magnitude : magnitude
    }

    /// 10^0 … 10^22: every power of ten a Double represents exactly.
    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
}
