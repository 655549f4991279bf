/// `application/x-www-form-urlencoded` as used by query strings and form bodies:
/// `key=value` pairs joined by '&', '+' meaning space, `%HH` meaning a byte.
enum FormURLEncoding {
    /// Calls `body` with each pair's decoded key and its still-encoded value, in order. Empty
    /// pairs (`a=1&&b=2`) are skipped; a pair without '=' has an empty value. Values are left
    /// encoded so a caller decodes only the keys it knows and ignores the rest untouched.
    static func forEachPair(
        _ bytes: ArraySlice<UInt8>,
        _ body: (_ key: ArraySlice<UInt8>, _ encodedValue: ArraySlice<UInt8>) throws(PositionRejection) -> Void
    ) throws(PositionRejection) {
        // By hand rather than split(): this runs for every position and split() allocates an array.
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "&")) ?? bytes.endIndex
            if start < end {
                let pair = bytes[start..<end]
                let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
                let key = try decode(pair[..<equals])
                let value = equals < pair.endIndex ? pair[(equals + 1)...] : pair[pair.endIndex...]
                try body(key, value)
            }
            start = end < bytes.endIndex ? end + 1 : end
        }
    }

    /// Undoes percent-encoding and '+'. A '%' not followed by two hex digits is an error rather
    /// than passed through, so a mangled value is reported instead of silently misread. Input
    /// without either (nearly every device value) comes back as it is, without a copy.
    static func decode(_ bytes: ArraySlice<UInt8>) throws(PositionRejection) -> ArraySlice<UInt8> {
        guard bytes.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else { return bytes }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "+"):
                decoded.append(UInt8(ascii: " "))
                index += 1
            case UInt8(ascii: "%"):
                guard index + 2 < bytes.endIndex,
                      let high = ASCII.hexValue(bytes[index + 1]),
                      let low = ASCII.hexValue(bytes[index + 2])
                else { throw .malformed("OsmAnd parameter \(quoted(bytes)) has a bad percent-escape") }
                decoded.append(high << 4 | low)
                index += 3
            default:
                decoded.append(byte)
                index += 1
            }
        }
        return decoded[...]
    }
}
