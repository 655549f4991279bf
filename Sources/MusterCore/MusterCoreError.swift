/// Errors of the media model and the stream hub.
public enum MusterCoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Another publisher already feeds this path.
    case alreadyPublishing(path: String)

    public var description: String {
        switch self {
        case .alreadyPublishing(let path):
            "'\(path)' already has a publisher; stop it or publish to another path"
        }
    }
}
