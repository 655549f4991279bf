#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NIOCore

/// Number formatting straight into bytes: the generator writes tens of thousands of reports a
/// second and must leave the cores to the gateway, so no String(format:) or Foundation here.
public enum DecimalText {
    private static let powersOfTen: [Int64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000]

    /// `value` rounded to `decimals` (0...7) places, e.g. -12.5 with 2 → "-12.50".
    public static func append(_ value: Double, decimals: Int, to bytes: inout [UInt8]) {
        let scale = powersOfTen[decimals]
        var scaled = Int64((abs(value) * Double(scale)).rounded())
        if value < 0 && scaled != 0 { bytes.append(UInt8(ascii: "-")) }
        let whole = scaled / scale
        append(whole, to: &bytes)
        guard decimals > 0 else { return }
        bytes.append(UInt8(ascii: "."))
        scaled %= scale
        append(scaled, width: decimals, to: &bytes)
    }

    /// A non-negative integer, zero-padded to at least `width` digits.
    public static func append(_ value: Int64, width: Int = 1, to bytes: inout [UInt8]) {
        precondition(value >= 0)
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                      UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { raw in
            repeat {
                raw[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            while count < width && count < raw.count {
                raw[count] = UInt8(ascii: "0")
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(raw[index]) }
        }
    }

    public static func append(_ value: Int, width: Int = 1, to bytes: inout [UInt8]) {
        append(Int64(value), width: width, to: &bytes)
    }
}

/// UTC time of day and date as NMEA writes them (`hhmmss.ss`, `ddmmyy`).
public struct NMEAClock: Sendable, Equatable {
    public var timeOfDay: [UInt8]
    public var date: [UInt8]

    public init(unixSeconds: Int) {
        var seconds = time_t(unixSeconds)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var time: [UInt8] = []
        DecimalText.append(Int(parts.tm_hour), width: 2, to: &time)
        DecimalText.append(Int(parts.tm_min), width: 2, to: &time)
        DecimalText.append(Int(parts.tm_sec), width: 2, to: &time)
        time.append(contentsOf: ".00".utf8)
        var date: [UInt8] = []
        DecimalText.append(Int(parts.tm_mday), width: 2, to: &date)
        DecimalText.append(Int(parts.tm_mon) + 1, width: 2, to: &date)
        DecimalText.append(Int(parts.tm_year) % 100, width: 2, to: &date)
        timeOfDay = time
        self.date = date
    }
}

public enum NMEAFormat {
    /// `ddmm.mmmm,N` or `dddmm.mmmm,E`: whole degrees, then minutes to four places.
    static func appendCoordinate(_ value: Double, degreeDigits: Int, positive: UInt8, negative: UInt8, to bytes: inout [UInt8]) {
        // In ten-thousandths of a minute, so rounding can never print 60 minutes.
        let total = Int64((abs(value) * 60 * 10_000).rounded())
        DecimalText.append(total / 600_000, width: degreeDigits, to: &bytes)
        DecimalText.append((total % 600_000) / 10_000, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        DecimalText.append(total % 10_000, width: 4, to: &bytes)
        bytes.append(UInt8(ascii: ","))
        bytes.append(value < 0 ? negative : positive)
    }

    /// `$GPRMC,…*hh\r\n` for a valid fix (status A, mode A).
    public static func appendRMC(
        latitude: Double, longitude: Double, speedKnots: Double, course: Double, clock: NMEAClock, to bytes: inout [UInt8]
    ) {
        let start = bytes.count
        bytes.append(contentsOf: "$GPRMC,".utf8)
        bytes += clock.timeOfDay
        bytes.append(contentsOf: ",A,".utf8)
        appendCoordinate(latitude, degreeDigits: 2, positive: UInt8(ascii: "N"), negative: UInt8(ascii: "S"), to: &bytes)
        bytes.append(UInt8(ascii: ","))
        appendCoordinate(longitude, degreeDigits: 3, positive: UInt8(ascii: "E"), negative: UInt8(ascii: "W"), to: &bytes)
        bytes.append(UInt8(ascii: ","))
        DecimalText.append(speedKnots, decimals: 1, to: &bytes)
        bytes.append(UInt8(ascii: ","))
        DecimalText.append(course, decimals: 1, to: &bytes)
        bytes.append(UInt8(ascii: ","))
        bytes += clock.date
        bytes.append(contentsOf: ",,,A".utf8)
        var checksum: UInt8 = 0
        for byte in bytes[(start + 1)...] { checksum ^= byte }
        bytes.append(UInt8(ascii: "*"))
        bytes.append(hexDigit(checksum >> 4))
        bytes.append(hexDigit(checksum & 0x0F))
        bytes += [0x0D, 0x0A]
    }

    /// One datagram as a serial-to-UDP tracker sends it: `ID <unit>` then the sentence.
    public static func appendDatagram(
        unitID: [UInt8], latitude: Double, longitude: Double, speedKnots: Double, course: Double, clock: NMEAClock, to bytes: inout [UInt8]
    ) {
        bytes.append(contentsOf: "ID ".utf8)
        bytes += unitID
        bytes += [0x0D, 0x0A]
        appendRMC(latitude: latitude, longitude: longitude, speedKnots: speedKnots, course: course, clock: clock, to: &bytes)
    }

    static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10
    }
}

public enum OsmAndFormat {
    /// `GET /?id=…&timestamp=…&lat=…&lon=…&speed=…&bearing=…&altitude=…&accuracy=…&batt=… HTTP/1.1`
    /// with a Host header, as Traccar Client sends it (speed in knots).
    public static func appendRequest(
        unitID: [UInt8], unixSeconds: Int, latitude: Double, longitude: Double, speedKnots: Double, course: Double,
        battery: Int, hostHeader: [UInt8], to bytes: inout [UInt8]
    ) {
        bytes.append(contentsOf: "GET /?id=".utf8)
        bytes += unitID
        bytes.append(contentsOf: "&timestamp=".utf8)
        DecimalText.append(unixSeconds, to: &bytes)
        bytes.append(contentsOf: "&lat=".utf8)
        DecimalText.append(latitude, decimals: 6, to: &bytes)
        bytes.append(contentsOf: "&lon=".utf8)
        DecimalText.append(longitude, decimals: 6, to: &bytes)
        bytes.append(contentsOf: "&speed=".utf8)
        DecimalText.append(speedKnots, decimals: 1, to: &bytes)
        bytes.append(contentsOf: "&bearing=".utf8)
        DecimalText.append(course, decimals: 1, to: &bytes)
        bytes.append(contentsOf: "&altitude=35.0&accuracy=8.0&batt=".utf8)
        DecimalText.append(battery, to: &bytes)
        bytes.append(contentsOf: " HTTP/1.1\r\nHost: ".utf8)
        bytes += hostHeader
        bytes.append(contentsOf: "\r\n\r\n".utf8)
    }
}

/// Finds complete HTTP/1.1 responses in received bytes: enough for a server that answers with a
/// Content-Length (as Muster's OsmAnd listener does), without a general HTTP parser's cost.
public enum HTTPResponseScanner {
    public enum Result: Equatable, Sendable {
        /// The response's status code and how many bytes it took.
        case response(status: Int, length: Int)
        case needMore
        case invalid(String)
    }

    /// Heads longer than this are not what a position listener answers.
    public static let maximumHeadLength = 8 * 1024

    public static func scan(_ buffer: ByteBuffer) -> Result {
        buffer.withUnsafeReadableBytes { scan(UnsafeRawBufferPointer($0)) }
    }

    public static func scan(_ bytes: UnsafeRawBufferPointer) -> Result {
        let count = bytes.count
        guard count >= 12 else { return .needMore }
        var headEnd = -1
        var index = 0
        while index + 3 < count {
            if bytes[index] == 0x0D && bytes[index + 1] == 0x0A && bytes[index + 2] == 0x0D && bytes[index + 3] == 0x0A {
                headEnd = index
                break
            }
            index += 1
        }
        guard headEnd >= 0 else { return count > maximumHeadLength ? .invalid("response head too long") : .needMore }
        // "HTTP/1.1 200 ..."
        guard bytes[0] == UInt8(ascii: "H"), bytes[4] == UInt8(ascii: "/"), bytes[8] == UInt8(ascii: " ") else {
            return .invalid("not an HTTP/1.x status line")
        }
        var status = 0
        for offset in 9..<12 {
            let digit = bytes[offset]
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return .invalid("bad status code") }
            status = status * 10 + Int(digit - UInt8(ascii: "0"))
        }
        // Header lines: only Content-Length and Transfer-Encoding matter.
        var contentLength = 0
        var lineStart = 0
        while lineStart < headEnd {
            var lineEnd = lineStart
            while lineEnd < headEnd && bytes[lineEnd] != 0x0D { lineEnd += 1 }
            if let value = headerValue(bytes, lineStart, lineEnd, name: "content-length") {
                var length = 0
                for offset in value where bytes[offset] != UInt8(ascii: " ") {
                    let digit = bytes[offset]
                    guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return .invalid("bad Content-Length") }
                    length = length * 10 + Int(digit - UInt8(ascii: "0"))
                }
                contentLength = length
            } else if headerValue(bytes, lineStart, lineEnd, name: "transfer-encoding") != nil {
                return .invalid("chunked responses are not expected from the OsmAnd listener")
            }
            lineStart = lineEnd + 2
        }
        let total = headEnd + 4 + contentLength
        return count >= total ? .response(status: status, length: total) : .needMore
    }

    /// The byte range of the value when the line is `name: value` (name case-insensitive).
    private static func headerValue(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, name: StaticString) -> Range<Int>? {
        let length = name.utf8CodeUnitCount
        guard end - start > length, bytes[start + length] == UInt8(ascii: ":") else { return nil }
        let letters = name.utf8Start
        for offset in 0..<length where bytes[start + offset] | 0x20 != letters[offset] { return nil }
        return (start + length + 1)..<end
    }
}
