import Foundation
import MusterCore
import MusterDirectory

/// A new channel as a client sends it (API body, JSON lines import, CSV import row).
struct ChannelInput: Decodable, Equatable, Sendable {
    var path: String
    var name: String?
    var kind: String
    var source: String
    var zone: String?
    var unitID: String?
    var latitude: Double?
    var longitude: Double?
    var tags: [String]?
    var onDemand: Bool?

    enum CodingKeys: String, CodingKey {
        case path, name, kind, source, zone, unitID = "unit_id", latitude, longitude, tags, onDemand = "on_demand"
    }

    /// The channel to store, or a 400 naming the first bad field. The directory checks the rest.
    func channel(at now: Date = Date()) throws(APIProblem) -> Channel {
        let channelPath: ChannelPath
        do {
            channelPath = try ChannelPath(validating: path)
        } catch {
            throw APIProblem.badField("path", "is not a channel path: \(error.problem) (e.g. hq/gate-1)")
        }
        guard let channelKind = ChannelKind(rawValue: kind) else {
            throw APIProblem.badField("kind", "must be one of \(ChannelKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return Channel(
            path: channelPath, name: name ?? path, kind: channelKind, source: try Self.source(source),
            zone: zone, unitID: unitID, latitude: latitude, longitude: longitude,
            tags: tags ?? [], onDemand: onDemand ?? false, createdAt: now, updatedAt: now
        )
    }

    /// `push`, a mosaic line, or a URL with a scheme, or an absolute file path (drills and demos).
    static func source(_ text: String) throws(APIProblem) -> ChannelSource {
        let trimmed = trimmingWhitespace(text)
        if trimmed == "push" { return .push }
        if trimmed == "derived" { return .derived }
        if trimmed.hasPrefix(MosaicSource.scheme) {
            do {
                return .mosaic(try MosaicSource(parsing: trimmed))
            } catch {
                guard case .invalidField(_, let problem) = error else { throw APIProblem.badField("source", "\(error)") }
                throw APIProblem.badField("source", problem)
            }
        }
        guard !trimmed.isEmpty, trimmed.utf8.count <= 2048 else {
            throw APIProblem.badField("source", "must be 'push' or a URL of at most 2048 bytes")
        }
        guard hasURLScheme(trimmed) || trimmed.hasPrefix("/") else {
            throw APIProblem.badField("source", "must be 'push', a URL such as rtsp://camera/stream, or an absolute file path")
        }
        guard !trimmed.unicodeScalars.contains(where: { $0 == " " || isLineBreak($0) }) else {
            throw APIProblem.badField("source", "must not contain spaces or line breaks (percent-encode them)")
        }
        return .pull(trimmed)
    }

    // Bulk imports check a source per row: these run on scalars, without Foundation's character
    // sets or a regular expression, which cost more than the rest of a row's parsing.

    /// `text` without leading and trailing tabs and space separators (Unicode category Zs).
    private static func trimmingWhitespace(_ text: String) -> String {
        func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator
        }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isWhitespace($0) }),
              let last = scalars.lastIndex(where: { !isWhitespace($0) }) else { return "" }
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return text }
        return String(scalars[first...last])
    }

    /// Starts with a URL scheme and "://": a letter, then letters, digits, '+', '.' or '-'.
    private static func hasURLScheme(_ text: String) -> Bool {
        var bytes = text.utf8.makeIterator()
        guard let first = bytes.next(), isASCIILetter(first) else { return false }
        while let byte = bytes.next() {
            if byte == UInt8(ascii: ":") {
                return bytes.next() == UInt8(ascii: "/") && bytes.next() == UInt8(ascii: "/")
            }
            guard isASCIILetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") else { return false }
        }
        return false
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    /// What `Character.isNewline` calls a line break: LF, VT, FF, CR, NEL, LS and PS.
    private static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: true
        default: false
        }
    }
}

/// A PATCH body: absent keys keep their value, null clears an optional one.
struct ChannelUpdateInput: Decodable, Sendable {
    var patch = ChannelPatch()

    enum CodingKeys: String, CodingKey {
        case path, name, kind, source, zone, unitID = "unit_id", latitude, longitude, tags, onDemand = "on_demand"
        case createdAt = "created_at", updatedAt = "updated_at", state
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        for readOnly in [CodingKeys.path, .createdAt, .updatedAt, .state] where container.contains(readOnly) {
            throw APIProblem.badField(readOnly.rawValue, "cannot be changed")
        }
        patch.name = try container.decodeIfPresent(String.self, forKey: .name)
        if let kind = try container.decodeIfPresent(String.self, forKey: .kind) {
            guard let value = ChannelKind(rawValue: kind) else {
                throw APIProblem.badField("kind", "must be one of \(ChannelKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            patch.kind = value
        }
        if let source = try container.decodeIfPresent(String.self, forKey: .source) {
            patch.source = try ChannelInput.source(source)
        }
        patch.zone = try Self.nullable(String.self, .zone, in: container)
        patch.unitID = try Self.nullable(String.self, .unitID, in: container)
        patch.latitude = try Self.nullable(Double.self, .latitude, in: container)
        patch.longitude = try Self.nullable(Double.self, .longitude, in: container)
        patch.tags = try container.decodeIfPresent([String].self, forKey: .tags)
        patch.onDemand = try container.decodeIfPresent(Bool.self, forKey: .onDemand)
    }

    /// nil when the key is absent, `.some(nil)` when it is null.
    private static func nullable<T: Decodable>(_ type: T.Type, _ key: CodingKeys, in container: KeyedDecodingContainer<CodingKeys>) throws -> T?? {
        guard container.contains(key) else { return nil }
        if try container.decodeNil(forKey: key) { return .some(nil) }
        return .some(try container.decode(T.self, forKey: key))
    }
}
