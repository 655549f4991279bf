/// A channel's path, such as `hq/gate-1`: '/'-separated segments of lowercase letters, digits,
/// '-', '_' and '.', never `..`, never a leading or trailing '/'.
public struct ChannelPath: Sendable, Hashable, CustomStringConvertible {
    public static let maximumLength = 255

    public let rawValue: String

    public init(validating text: String) throws(ChannelPathError) {
        guard !text.isEmpty else { throw ChannelPathError(path: text, problem: "is empty") }
        guard text.utf8.count <= Self.maximumLength else {
            throw ChannelPathError(path: String(text.prefix(32)) + "…", problem: "is longer than \(Self.maximumLength) bytes")
        }
        guard !text.hasPrefix("/"), !text.hasSuffix("/") else {
            throw ChannelPathError(path: text, problem: "starts or ends with '/'")
        }
        for segment in text.split(separator: "/", omittingEmptySubsequences: false) {
            guard !segment.isEmpty else { throw ChannelPathError(path: text, problem: "has an empty segment ('//')") }
            guard segment != "..", segment != "." else { throw ChannelPathError(path: text, problem: "has a '.' or '..' segment") }
            let allowed = segment.unicodeScalars.allSatisfy { scalar in
                ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || "-_.".unicodeScalars.contains(scalar)
            }
            guard allowed else {
                throw ChannelPathError(path: text, problem: "may only hold lowercase letters, digits, '-', '_', '.' and '/'")
            }
        }
        rawValue = text
    }

    public var description: String { rawValue }
}

public struct ChannelPathError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var problem: String
    public var description: String { "channel path '\(path)' \(problem)" }
}
