import Foundation

/// What an API caller may do. Each role includes the ones before it.
public enum AccessRole: String, Codable, Sendable, CaseIterable, Comparable {
    /// Read everything but tokens.
    case viewer
    /// Also change channels, units and sessions.
    case `operator`
    /// Everything, tokens included.
    case admin

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .operator: 1
        case .admin: 2
        }
    }

    public static func < (lhs: AccessRole, rhs: AccessRole) -> Bool { lhs.rank < rhs.rank }
}

/// A stored API token. The secret itself is never stored, only its SHA-256 digest (hex).
public struct AccessToken: Sendable, Hashable {
    public var id: String
    public var name: String
    public var role: AccessRole
    public var secretDigest: String
    public var createdAt: Date

    public init(id: String, name: String, role: AccessRole, secretDigest: String, createdAt: Date = Date()) {
        self.id = id
        self.name = name
        self.role = role
        self.secretDigest = secretDigest
        self.createdAt = createdAt
    }
}

/// One line of the audit trail: who changed what, when.
public struct AuditEntry: Sendable, Hashable {
    public var at: Date
    /// The token name (or `anonymous`, `admin-token`), never a secret.
    public var actor: String
    /// e.g. `channel.create`, `unit.delete`, `session.kick`, `token.create`.
    public var action: String
    /// The object acted on: a path, unit id, session id or token id.
    public var target: String
    /// A short human-readable detail (never a credential).
    public var detail: String

    public init(at: Date = Date(), actor: String, action: String, target: String, detail: String = "") {
        self.at = at
        self.actor = actor
        self.action = action
        self.target = target
        self.detail = detail
    }
}
