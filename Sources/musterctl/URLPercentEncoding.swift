/// Percent-encoding for request targets (RFC 3986 §2.1), over UTF-8 bytes.
enum URLPercentEncoding {
    /// A path segment keeps every `pchar` (RFC 3986 §3.3) literal: the gateway matches path
    /// parameters without decoding them, so a unit id such as `drone:7` must arrive as written.
    /// Everything else (space, '/', '?', '#', '%', non-ASCII) is encoded.
    static func pathSegment(_ segment: String) -> String {
        encode(segment) { isUnreserved($0) || isSubDelimiter($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "@") }
    }

    /// A channel path (`hq/gate-1`) is several segments: its '/' stay '/', each segment is encoded.
    static func slashSeparatedPath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { pathSegment(String($0)) }.joined(separator: "/")
    }

    /// A query name or value keeps only unreserved characters, so '&', '=', '+' and space can
    /// never change how the gateway splits the query.
    static func queryComponent(_ value: String) -> String {
        encode(value, keeping: isUnreserved)
    }

    private static func encode(_ text: String, keeping keep: (UInt8) -> Bool) -> String {
        var encoded = ""
        encoded.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if keep(byte) {
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                encoded += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0x0F, radix: 16, uppercase: true)
            }
        }
        return encoded
    }

    /// ALPHA / DIGIT / "-" / "." / "_" / "~"
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
        default: false
        }
    }

    /// "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "="
    private static func isSubDelimiter(_ byte: UInt8) -> Bool {
        "!$&'()*+,;=".utf8.contains(byte)
    }
}
