import MusterCore
import MusterFFmpeg

/// A channel served in a profile: `hq/gate-1~sd-480p` is channel `hq/gate-1` in profile
/// `sd-480p`. '~' can appear in no channel path, so the two never mix.
struct DerivedStreamPath: Sendable, Hashable, CustomStringConvertible {
    var channel: ChannelPath
    var profile: String

    /// Nil for a path without '~' or with an invalid channel path or profile name.
    init?(_ path: String) {
        guard let separator = path.lastIndex(of: "~"),
              let channel = try? ChannelPath(validating: String(path[..<separator])) else { return nil }
        let profile = String(path[path.index(after: separator)...])
        guard TranscodeProfile.isValidName(profile) else { return nil }
        self.channel = channel
        self.profile = profile
    }

    var description: String { "\(channel.rawValue)~\(profile)" }
}
