/// A channel that passed `ChannelValidation` (tags deduplicated): stores take it as proof and do
/// not check again, so a bulk import can validate rows while the previous batch is written.
public struct ValidatedChannel: Sendable {
    public let channel: Channel

    public init(_ channel: Channel) throws(DirectoryError) {
        self.channel = try ChannelValidation.validated(channel)
    }
}

/// The rules a channel or unit must meet before it is stored. Errors name the field as the API
/// spells it (`unit_id`, `on_demand`), so the API can pass them on unchanged.
public enum ChannelValidation {
    /// Characters (grapheme clusters) in a channel or unit name.
    public static let maximumNameLength = 200
    /// Bytes in a zone or tag.
    public static let maximumLabelLength = 64
    /// Tags on one channel.
    public static let maximumTagCount = 32
    /// Bytes in a pull URL.
    public static let maximumSourceBytes = 2048

    /// The channel as it will be stored (tags without duplicates), or the first problem found.
    public static func validated(_ channel: Channel) throws(DirectoryError) -> Channel {
        var channel = channel
        try validateName(channel.name)
        if case .pull(let url) = channel.source { try validateSource(url) }
        if case .mosaic = channel.source, channel.kind != .mosaic {
            throw .invalidField(field: "kind", problem: "must be 'mosaic' for a mosaic source")
        }
        let isDerived = channel.path.derivation != nil
        guard isDerived == (channel.kind == .derived), isDerived == (channel.source == .derived) else {
            throw .invalidField(field: "kind", problem: "'derived' goes with source 'derived' and a path CHANNEL~PROFILE, which the gateway registers when the stream is first played")
        }
        if channel.kind == .mosaic, !channel.source.isMosaic {
            throw .invalidField(field: "source", problem: "of a mosaic channel must be a mosaic line such as mosaic:2x2?profile=hd-720p&channels=a,b")
        }
        if let zone = channel.zone { try validateLabel(zone, field: "zone") }
        if let unitID = channel.unitID {
            do {
                try FieldUnit.validate(id: unitID)
            } catch {
                guard case .invalidField(_, let problem) = error else { throw error }
                throw .invalidField(field: "unit_id", problem: problem)
            }
        }
        try validateCoordinates(latitude: channel.latitude, longitude: channel.longitude)
        channel.tags = try validatedTags(channel.tags)
        return channel
    }

    /// Names are free text (often Chinese), but not empty, not huge, and without control
    /// characters (the search index reserves U+0001 as a sentinel).
    public static func validateName(_ name: String, field: String = "name") throws(DirectoryError) {
        // Byte loops: imports check millions of names, and Unicode property look-ups per
        // character cost more than the database insert.
        var visibleASCII = false
        var previous: UInt8 = 0
        for byte in name.utf8 {
            // C0 controls and DEL, or C1 controls (U+0080–U+009F, encoded C2 80–C2 9F).
            if byte < 0x20 || byte == 0x7F || (previous == 0xC2 && (0x80...0x9F).contains(byte)) {
                throw .invalidField(field: field, problem: "must not contain control characters")
            }
            if byte > 0x20, byte < 0x7F { visibleASCII = true }
            previous = byte
        }
        guard visibleASCII || !name.allSatisfy(\.isWhitespace) else { throw .invalidField(field: field, problem: "must not be empty") }
        // Each character takes at least one byte: only long texts need counting.
        guard name.utf8.count <= maximumNameLength || name.count <= maximumNameLength else {
            throw .invalidField(field: field, problem: "must be at most \(maximumNameLength) characters")
        }
    }

    /// A pull source: a URL with a scheme or an absolute file path, without spaces.
    public static func validateSource(_ url: String) throws(DirectoryError) {
        let bytes = url.utf8
        guard !bytes.isEmpty, bytes.count <= maximumSourceBytes else {
            throw .invalidField(field: "source", problem: "must be 'push' or a URL of at most \(maximumSourceBytes) bytes")
        }
        guard hasScheme(bytes) || bytes.first == UInt8(ascii: "/") else {
            throw .invalidField(field: "source", problem: "must be 'push', a URL such as rtsp://camera/stream, or an absolute file path")
        }
        let asciiSpaceOrControl = bytes.contains { $0 <= 0x20 || $0 == 0x7F }
        let otherSpaceOrControl = bytes.contains { $0 >= 0x80 }
            && url.unicodeScalars.contains { $0.properties.isWhitespace || $0.properties.generalCategory == .control }
        guard !asciiSpaceOrControl, !otherSpaceOrControl else {
            throw .invalidField(field: "source", problem: "must not contain spaces or control characters (percent-encode them)")
        }
    }

    /// `scheme://` with a scheme of letters, digits, '+', '.' and '-' that starts with a letter.
    private static func hasScheme(_ bytes: String.UTF8View) -> Bool {
        var length = 0
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                length += 1
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "-"):
                guard length > 0 else { return false }
                length += 1
            case UInt8(ascii: ":"):
                return length > 0 && iterator.next() == UInt8(ascii: "/") && iterator.next() == UInt8(ascii: "/")
            default:
                return false
            }
        }
        return false
    }

    /// Zones and tags: 1–64 of lowercase ASCII letters, digits, '-' and '_'.
    public static func validateLabel(_ label: String, field: String) throws(DirectoryError) {
        guard isLabel(label) else {
            throw .invalidField(field: field, problem: "must be 1–\(maximumLabelLength) lowercase letters, digits, '-' or '_' (got '\(label.prefix(80))')")
        }
    }

    static func isLabel(_ label: String) -> Bool {
        !label.isEmpty && label.utf8.count <= maximumLabelLength && label.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }

    /// WGS84 degrees; a fixed position has both coordinates or neither.
    public static func validateCoordinates(latitude: Double?, longitude: Double?) throws(DirectoryError) {
        switch (latitude, longitude) {
        case (nil, nil):
            return
        case (.some, nil):
            throw .invalidField(field: "longitude", problem: "is required when latitude is given")
        case (nil, .some):
            throw .invalidField(field: "latitude", problem: "is required when longitude is given")
        case (.some(let latitude), .some(let longitude)):
            guard latitude.isFinite, (-90...90).contains(latitude) else {
                throw .invalidField(field: "latitude", problem: "must be between -90 and 90 degrees")
            }
            guard longitude.isFinite, (-180...180).contains(longitude) else {
                throw .invalidField(field: "longitude", problem: "must be between -180 and 180 degrees")
            }
        }
    }

    /// At most 32 labels; repeats are dropped, first occurrence kept.
    static func validatedTags(_ tags: [String]) throws(DirectoryError) -> [String] {
        var unique: [String] = []
        var seen: Set<String> = []
        for tag in tags where seen.insert(tag).inserted {
            try validateLabel(tag, field: "tags")
            unique.append(tag)
        }
        guard unique.count <= maximumTagCount else {
            throw .invalidField(field: "tags", problem: "must hold at most \(maximumTagCount) tags")
        }
        return unique
    }

    /// A unit as it will be stored.
    static func validate(_ unit: FieldUnit) throws(DirectoryError) {
        try FieldUnit.validate(id: unit.id)
        try validateName(unit.name)
        if let position = unit.lastPosition {
            try validateCoordinates(latitude: position.latitude, longitude: position.longitude)
        }
    }
}
