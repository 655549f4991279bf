import Foundation

/// The gateway's JSON as scripts get it: re-indented without being decoded, so that numbers,
/// key order and unknown fields stay exactly as the gateway sent them.
enum JSONText {
    /// `json` indented by two spaces per level; text that is not JSON is returned unchanged.
    static func pretty(_ json: Data) -> String {
        guard (try? JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed])) != nil else {
            return String(decoding: json, as: UTF8.self)
        }
        let bytes = Array(json)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2)
        var depth = 0
        var index = 0
        func newline() {
            output.append(UInt8(ascii: "\n"))
            output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                let end = endOfString(in: bytes, at: index)
                output.append(contentsOf: bytes[index..<end])
                index = end
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let next = skipWhitespace(in: bytes, from: index + 1)
                if next < bytes.count, bytes[next] == byte + 2 {  // '{'+2 is '}', '['+2 is ']'
                    output.append(contentsOf: [byte, byte + 2])
                    index = next + 1
                    continue
                }
                output.append(byte)
                depth += 1
                newline()
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                newline()
                output.append(byte)
            case UInt8(ascii: ","):
                output.append(byte)
                newline()
            case UInt8(ascii: ":"):
                output.append(contentsOf: [byte, UInt8(ascii: " ")])
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                break
            default:
                output.append(byte)
            }
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// One document `{"<key>": [every element of every page], "next_cursor": null}` from pages
    /// such as `{"channels": [...], "next_cursor": "..."}`: what `--all` prints for scripts.
    static func mergedPages(_ pages: [Data], arrayKey: String) throws(MusterctlError) -> Data {
        var elements: [ArraySlice<UInt8>] = []
        for page in pages {
            let bytes = Array(page)
            guard let range = valueRange(ofKey: arrayKey, in: bytes), bytes[range].first == UInt8(ascii: "[") else {
                throw .failed("the gateway's page has no '\(arrayKey)' array")
            }
            let inner = bytes[(range.lowerBound + 1)..<(range.upperBound - 1)]
            if inner.contains(where: { !isWhitespace($0) }) { elements.append(inner) }
        }
        var merged = Array("{\"\(arrayKey)\":[".utf8)
        for (index, element) in elements.enumerated() {
            if index > 0 { merged.append(UInt8(ascii: ",")) }
            merged.append(contentsOf: element)
        }
        merged.append(contentsOf: "],\"next_cursor\":null}".utf8)
        return Data(merged)
    }

    /// The byte range of the value of `key` in the top-level object `bytes`, nil if absent.
    static func valueRange(ofKey key: String, in bytes: [UInt8]) -> Range<Int>? {
        var index = skipWhitespace(in: bytes, from: 0)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        let quotedKey = Array("\"\(key)\"".utf8)
        index += 1
        while true {
            index = skipWhitespace(in: bytes, from: index)
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            let keyEnd = endOfString(in: bytes, at: index)
            let isWanted = bytes[index..<keyEnd].elementsEqual(quotedKey)
            index = skipWhitespace(in: bytes, from: keyEnd)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            let valueStart = skipWhitespace(in: bytes, from: index + 1)
            let valueEnd = endOfValue(in: bytes, at: valueStart)
            if isWanted { return valueStart..<valueEnd }
            index = skipWhitespace(in: bytes, from: valueEnd)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ",") else { return nil }
            index += 1
        }
    }

    /// The index just past the string starting with the quote at `start`.
    private static func endOfString(in bytes: [UInt8], at start: Int) -> Int {
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return index + 1
            default: index += 1
            }
        }
        return bytes.count
    }

    /// The index just past the value (object, array, string, number or literal) at `start`.
    private static func endOfValue(in bytes: [UInt8], at start: Int) -> Int {
        guard start < bytes.count else { return start }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return endOfString(in: bytes, at: start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var index = start
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""): index = endOfString(in: bytes, at: index); continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return index + 1 }
                default: break
                }
                index += 1
            }
            return bytes.count
        default:
            var index = start
            while index < bytes.count, !",}]".utf8.contains(bytes[index]), !isWhitespace(bytes[index]) { index += 1 }
            return index
        }
    }

    private static func skipWhitespace(in bytes: [UInt8], from start: Int) -> Int {
        var index = start
        while index < bytes.count, isWhitespace(bytes[index]) { index += 1 }
        return index
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }
}
