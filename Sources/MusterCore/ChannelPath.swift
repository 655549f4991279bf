/// A channel's path, such as `hq/gate-1`: '/'-separated segments of lowercase letters, digits,
/// '-', '_' and '.', never `..`, never a leading or trailing '/'.
///
/// A derived channel (a channel served in a transcoding profile) adds `~PROFILE` to the last
/// segment: `hq/gate-1~sd-480p`, PROFILE being lowercase letters, digits, '-' and '_'.
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
        var segments = text.split(separator: "/", omittingEmptySubsequences: false)
        if let last = segments.last, let tilde = last.firstIndex(of: "~") {
            let profile = last[last.index(after: tilde)...]
            guard !profile.isEmpty, profile.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || "-_".unicodeScalars.contains($0) }) else {
                throw ChannelPathError(path: text, problem: "has a '~' not followed by a profile name (lowercase letters, digits, '-', '_')")
            }
            segments[segments.count - 1] = last[..<tilde]
        }
        for segment in segments {
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

    /// For `hq/gate-1~sd-480p`: channel `hq/gate-1` and profile `sd-480p`; nil for a plain path.
    public var derivation: (channel: ChannelPath, profile: String)? {
        guard let tilde = rawValue.lastIndex(of: "~") else { return nil }
        return (ChannelPath(unchecked: String(rawValue[..<tilde])), String(rawValue[rawValue.index(after: tilde)...]))
    }

    private init(unchecked rawValue: String) {
        self.rawValue = rawValue
    }
}

public struct ChannelPathError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var problem: String
    public var description: String { "channel path '\(path)' \(problem)" }
}
