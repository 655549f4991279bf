/// What went wrong in the directory, phrased so the API can pass it on to a person.
public enum DirectoryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A field of the input is unacceptable; `field` names it as the API spells it.
    case invalidField(field: String, problem: String)
    case channelExists(path: String)
    case channelNotFound(path: String)
    case unitExists(id: String)
    case unitNotFound(id: String)
    case tokenNotFound(id: String)
    /// The cursor given for pagination was not made by this directory (or by this sort).
    case invalidCursor
    /// The database failed; `message` is SQLite's or PostgreSQL's own.
    case storage(message: String)

    public var description: String {
        switch self {
        case .invalidField(let field, let problem): "\(field) \(problem)"
        case .channelExists(let path): "a channel with path '\(path)' already exists"
        case .channelNotFound(let path): "no channel has path '\(path)'"
        case .unitExists(let id): "a unit with id '\(id)' already exists"
        case .unitNotFound(let id): "no unit has id '\(id)'"
        case .tokenNotFound(let id): "no token has id '\(id)'"
        case .invalidCursor: "the cursor is not one this directory gave out for this listing; start again without it"
        case .storage(let message): "the directory database failed: \(message)"
        }
    }
}
