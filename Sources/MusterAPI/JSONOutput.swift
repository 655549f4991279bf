import Foundation
import NIOCore

/// A document the API writes with `JSONOutput`.
protocol JSONWritable {
    func write(to json: inout JSONOutput) throws
}

/// Writes JSON text straight into a byte buffer, for the documents the API sends most: channel
/// pages and exports. Foundation's `JSONEncoder` builds a tree of boxed values through the
/// generic `Encodable` machinery first; for a page of 100 channels that took about 4 ms of CPU,
/// most of a list request. The text is what `JSONEncoder` writes with `.iso8601` dates and
/// `.withoutEscapingSlashes`, so clients see no difference.
struct JSONOutput {
    /// The text so far; callers may append their own separators (JSON lines).
    var buffer: ByteBuffer
    /// Whether the innermost open object or array has no member yet (no comma before the next).
    private var atFirstMember = true

    init(capacity: Int = 4096) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    mutating func object(_ body: (inout JSONOutput) throws -> Void) rethrows {
        buffer.writeInteger(UInt8(ascii: "{"))
        let outer = atFirstMember
        atFirstMember = true
        try body(&self)
        atFirstMember = outer
        buffer.writeInteger(UInt8(ascii: "}"))
    }

    mutating func array<Elements: Sequence>(_ elements: Elements, _ element: (inout JSONOutput, Elements.Element) throws -> Void) rethrows {
        buffer.writeInteger(UInt8(ascii: "["))
        var first = true
        for value in elements {
            if !first { buffer.writeInteger(UInt8(ascii: ",")) }
            first = false
            try element(&self, value)
        }
        buffer.writeInteger(UInt8(ascii: "]"))
    }

    /// Starts a member of the open object: the comma before it if needed, then `"name":`.
    mutating func key(_ name: StaticString) {
        let comma = !atFirstMember
        atFirstMember = false
        // One write for the five parts: in list profiles separate small writes cost half of all writing.
        let length = name.utf8CodeUnitCount + (comma ? 4 : 3)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { target in
            var offset = 0
            if comma {
                target[0] = UInt8(ascii: ",")
                offset = 1
            }
            target[offset] = UInt8(ascii: "\"")
            UnsafeMutableRawBufferPointer(rebasing: target[(offset + 1)...]).copyMemory(
                from: UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            target[length - 2] = UInt8(ascii: "\"")
            target[length - 1] = UInt8(ascii: ":")
            return length
        }
    }

    mutating func field(_ name: StaticString, _ value: String?) {
        key(name)
        string(value)
    }

    mutating func field(_ name: StaticString, _ value: Double?) {
        key(name)
        number(value)
    }

    mutating func field(_ name: StaticString, _ value: Int?) {
        key(name)
        if let value { buffer.writeString(String(value)) } else { null() }
    }

    mutating func field(_ name: StaticString, _ value: UInt64) {
        key(name)
        buffer.writeString(String(value))
    }

    mutating func field(_ name: StaticString, _ value: Bool) {
        key(name)
        buffer.writeStaticString(value ? "true" : "false")
    }

    mutating func field(_ name: StaticString, _ value: Date?) {
        key(name)
        date(value)
    }

    mutating func field(_ name: StaticString, _ values: [String]) {
        key(name)
        array(values) { $0.string($1) }
    }

    /// A member whose value is written by `value`.
    mutating func field(_ name: StaticString, _ value: (inout JSONOutput) throws -> Void) rethrows {
        key(name)
        try value(&self)
    }

    /// A member written by Foundation's encoder, for rare values with their own `Encodable` form.
    mutating func field(_ name: StaticString, encoding value: (some Encodable)?) throws {
        key(name)
        guard let value else { return null() }
        buffer.writeBytes(try Self.fallbackEncoder.encode(value))
    }

    mutating func null() {
        buffer.writeStaticString("null")
    }

    mutating func string(_ value: String?) {
        guard let value else { return null() }
        buffer.writeInteger(UInt8(ascii: "\""))
        if value.utf8.contains(where: Self.needsEscape) {
            for byte in value.utf8 {
                switch byte {
                case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
                case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
                case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
                case 0x08: buffer.writeStaticString("\\b")
                case 0x0C: buffer.writeStaticString("\\f")
                case ..<0x20:
                    buffer.writeStaticString("\\u00")
                    buffer.writeInteger(Self.hexDigits[Int(byte >> 4)])
                    buffer.writeInteger(Self.hexDigits[Int(byte & 0x0F)])
                default: buffer.writeInteger(byte)
                }
            }
        } else {
            buffer.writeString(value)
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    /// Integral values without a fraction (`30`, as JSONEncoder writes them), others in Swift's
    /// shortest form that reads back to the same double. Non-finite values have no JSON form.
    mutating func number(_ value: Double?) {
        guard let value, value.isFinite else { return null() }
        let text = value.description
        if text.hasSuffix(".0") {
            buffer.writeBytes(text.utf8.dropLast(2))
        } else {
            buffer.writeString(text)
        }
    }

    /// ISO 8601 in UTC to the second (`2026-11-29T17:05:00Z`), the fraction dropped as JSONEncoder does.
    mutating func date(_ value: Date?) {
        guard let value else { return null() }
        var seconds = time_t(value.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil, (0...9999).contains(Int(parts.tm_year) + 1900) else {
            // Years outside 0–9999 (never stored by Muster): Foundation knows their form.
            if let text = try? Self.fallbackEncoder.encode(value) { buffer.writeBytes(text) } else { null() }
            return
        }
        buffer.writeInteger(UInt8(ascii: "\""))
        writeDigits(Int(parts.tm_year) + 1900, count: 4)
        buffer.writeInteger(UInt8(ascii: "-"))
        writeDigits(Int(parts.tm_mon) + 1, count: 2)
        buffer.writeInteger(UInt8(ascii: "-"))
        writeDigits(Int(parts.tm_mday), count: 2)
        buffer.writeInteger(UInt8(ascii: "T"))
        writeDigits(Int(parts.tm_hour), count: 2)
        buffer.writeInteger(UInt8(ascii: ":"))
        writeDigits(Int(parts.tm_min), count: 2)
        buffer.writeInteger(UInt8(ascii: ":"))
        writeDigits(Int(parts.tm_sec), count: 2)
        buffer.writeStaticString("Z\"")
    }

    private mutating func writeDigits(_ value: Int, count: Int) {
        var divisor = 1
        for _ in 1..<count { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            buffer.writeInteger(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static var fallbackEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }
}
