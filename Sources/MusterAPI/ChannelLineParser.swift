/// Reads one JSON-lines import row into a `ChannelInput` without Foundation's JSONDecoder,
/// which costs tens of microseconds a row and bounded bulk imports to under 20 000 rows/s.
///
/// It understands only the shape a well-formed row has: one object whose keys are
/// `ChannelInput`'s, each at most once, with strings, numbers, booleans, null and an array of
/// strings for `tags`. Anything else (unknown or repeated keys, a wrong type, invalid JSON or
/// UTF-8) gives nil, and the caller asks JSONDecoder, whose answer — a value or
/// an error naming the field — is then the one that counts. So for every line this parser
/// accepts it must give what JSONDecoder gives; the tests compare the two.
enum ChannelLineParser {
    static func parse(_ line: [UInt8]) -> ChannelInput? {
        line.withUnsafeBufferPointer { bytes in
            var reader = Reader(bytes: bytes)
            return reader.channelInput()
        }
    }

    private enum Key: Int, CaseIterable {
        case path, name, kind, source, zone, unitID, latitude, longitude, tags, onDemand

        /// The member names as they appear in a row, in case order.
        static let names: [[UInt8]] = ["path", "name", "kind", "source", "zone", "unit_id", "latitude", "longitude", "tags", "on_demand"]
            .map { Array($0.utf8) }

        var bit: UInt16 { 1 << rawValue }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func channelInput() -> ChannelInput? {
            var path: String?, kind: String?, source: String?
            var input = ChannelInput(path: "", kind: "", source: "")
            var seen: UInt16 = 0
            skipWhitespace()
            guard take(UInt8(ascii: "{")) else { return nil }
            skipWhitespace()
            if !take(UInt8(ascii: "}")) {
                repeat {
                    skipWhitespace()
                    guard let key = key(), seen & key.bit == 0 else { return nil }
                    seen |= key.bit
                    skipWhitespace()
                    guard take(UInt8(ascii: ":")) else { return nil }
                    skipWhitespace()
                    switch key {
                    case .path: guard let value = string() else { return nil }; path = value
                    case .kind: guard let value = string() else { return nil }; kind = value
                    case .source: guard let value = string() else { return nil }; source = value
                    case .name: guard let value = optional({ $0.string() }) else { return nil }; input.name = value
                    case .zone: guard let value = optional({ $0.string() }) else { return nil }; input.zone = value
                    case .unitID: guard let value = optional({ $0.string() }) else { return nil }; input.unitID = value
                    case .latitude: guard let value = optional({ $0.number() }) else { return nil }; input.latitude = value
                    case .longitude: guard let value = optional({ $0.number() }) else { return nil }; input.longitude = value
                    case .tags: guard let value = optional({ $0.stringArray() }) else { return nil }; input.tags = value
                    case .onDemand: guard let value = optional({ $0.boolean() }) else { return nil }; input.onDemand = value
                    }
                    skipWhitespace()
                } while take(UInt8(ascii: ","))
                guard take(UInt8(ascii: "}")) else { return nil }
            }
            skipWhitespace()
            guard index == bytes.count, let path, let kind, let source else { return nil }
            input.path = path
            input.kind = kind
            input.source = source
            return input
        }

        // MARK: - Values

        /// `.some(nil)` for null, `.some(value)` for a value, nil for anything else.
        mutating func optional<T>(_ value: (inout Reader) -> T?) -> T?? {
            if takeLiteral("null") { return .some(nil) }
            guard let parsed = value(&self) else { return nil }
            return .some(parsed)
        }

        /// A known member name, compared as raw bytes; a name with escapes is decoded first.
        mutating func key() -> Key? {
            let quote = index
            guard take(UInt8(ascii: "\"")) else { return nil }
            while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") { index += 1 }
            guard index < bytes.count else { return nil }
            let position: Int?
            if bytes[index] == UInt8(ascii: "\"") {
                let name = UnsafeBufferPointer(rebasing: bytes[(quote + 1)..<index])
                index += 1
                position = Key.names.firstIndex { $0.elementsEqual(name) }
            } else {
                index = quote
                guard let name = string() else { return nil }
                position = Key.names.firstIndex { $0.elementsEqual(name.utf8) }
            }
            return position.flatMap(Key.init(rawValue:))
        }

        mutating func boolean() -> Bool? {
            if takeLiteral("true") { return true }
            if takeLiteral("false") { return false }
            return nil
        }

        mutating func stringArray() -> [String]? {
            guard take(UInt8(ascii: "[")) else { return nil }
            var strings: [String] = []
            skipWhitespace()
            if take(UInt8(ascii: "]")) { return strings }
            repeat {
                skipWhitespace()
                guard let value = string() else { return nil }
                strings.append(value)
                skipWhitespace()
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]")) ? strings : nil
        }

        /// A JSON number without an exponent, by the grammar's letter: no leading zeros, '+' or
        /// bare '.'. Exponents go to JSONDecoder, whose parser refuses some valid ones (`0e5`).
        mutating func number() -> Double? {
            let start = index
            _ = take(UInt8(ascii: "-"))
            if take(UInt8(ascii: "0")) {
                // A lone zero; digits may not follow it.
            } else {
                guard skipDigits() > 0 else { return nil }
            }
            if take(UInt8(ascii: ".")) {
                guard skipDigits() > 0 else { return nil }
            }
            guard index == bytes.count || (bytes[index] != UInt8(ascii: "e") && bytes[index] != UInt8(ascii: "E")) else { return nil }
            let digits = UnsafeBufferPointer(rebasing: bytes[start..<index])
            // JSONDecoder refuses what Double's range cannot hold: too large, or so small it is 0.
            guard let value = Double(String(decoding: digits, as: UTF8.self)), value.isFinite,
                  value != 0 || !digits.contains(where: { (UInt8(ascii: "1")...UInt8(ascii: "9")).contains($0) }) else { return nil }
            return value
        }

        /// A JSON string: valid UTF-8, no raw control characters, the standard escapes, and
        /// \u escapes with surrogates only in valid pairs.
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
                    index += 1
                    return String(validating: raw, as: UTF8.self)
                }
                if byte == UInt8(ascii: "\\") { return escapedString(from: start) }
                guard byte >= 0x20 else { return nil }
                index += 1
            }
            return nil
        }

        /// The rest of a string that has escapes, decoded byte by byte.
        private mutating func escapedString(from start: Int) -> String? {
            var decoded = Array(bytes[start..<index])
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(validating: decoded, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { return nil }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
                    case UInt8(ascii: "b"): decoded.append(0x08)
                    case UInt8(ascii: "f"): decoded.append(0x0C)
                    case UInt8(ascii: "n"): decoded.append(0x0A)
                    case UInt8(ascii: "r"): decoded.append(0x0D)
                    case UInt8(ascii: "t"): decoded.append(0x09)
                    case UInt8(ascii: "u"):
                        guard let scalar = unicodeEscape() else { return nil }
                        decoded.append(contentsOf: String(Character(scalar)).utf8)
                    default: return nil
                    }
                default:
                    guard byte >= 0x20 else { return nil }
                    decoded.append(byte)
                }
            }
            return nil
        }

        /// The scalar of a `\uXXXX` escape (the `\u` already read), joining a surrogate pair.
        private mutating func unicodeEscape() -> Unicode.Scalar? {
            guard let first = hexQuad() else { return nil }
            switch first {
            case 0xD800...0xDBFF:
                guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let second = hexQuad(), (0xDC00...0xDFFF).contains(second) else {
                    return nil
                }
                return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
            case 0xDC00...0xDFFF:
                return nil
            default:
                return Unicode.Scalar(first)
            }
        }

        private mutating func hexQuad() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }

        // MARK: - Bytes

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): index += 1
                default: return
                }
            }
        }

        /// Skips ASCII digits and says how many there were.
        mutating func skipDigits() -> Int {
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - start
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func takeLiteral(_ literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] { return false }
            index += count
            return true
        }
    }
}
