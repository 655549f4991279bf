import Foundation
import GRDB

extension SQLiteDirectoryStore {
    public func createToken(_ token: AccessToken) async throws(DirectoryError) {
        try ChannelValidation.validateName(token.name)
        try await writing { db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM token WHERE id = ?)", arguments: [token.id]) == true {
                throw DirectoryError.invalidField(field: "id", problem: "is already used by another token")
            }
            try db.execute(
                sql: "INSERT INTO token (id, name, role, secret_digest, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [token.id, token.name, token.role.rawValue, token.secretDigest, token.createdAt.timeIntervalSince1970]
            )
            // Two secrets with one SHA-256 digest: astronomically unlikely, but never store it twice.
            guard db.changesCount > 0 else { throw DirectoryError.invalidField(field: "secret", problem: "is already used by another token") }
        }
    }

    public func token(secretDigest: String) async throws(DirectoryError) -> AccessToken? {
        try await reading { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT id, name, role, secret_digest, created_at FROM token WHERE secret_digest = ?"),
                arguments: [secretDigest]
            ).map(Self.accessToken(from:))
        }
    }

    public func tokens() async throws(DirectoryError) -> [AccessToken] {
        try await reading { db in
            try Row.fetchAll(db, sql: "SELECT id, name, role, secret_digest, created_at FROM token ORDER BY created_at, id")
                .map(Self.accessToken(from:))
        }
    }

    public func deleteToken(id: String) async throws(DirectoryError) {
        try await writing { db in
            try db.execute(sql: "DELETE FROM token WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { throw DirectoryError.tokenNotFound(id: id) }
        }
    }

    public func appendAudit(_ entry: AuditEntry) async throws(DirectoryError) {
        try await writing { db in
            try db.execute(
                sql: "INSERT INTO audit (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                arguments: [entry.at.timeIntervalSince1970, entry.actor, entry.action, entry.target, entry.detail]
            )
        }
    }

    /// Newest first (by insertion order, which a clock step backwards cannot disturb).
    public func auditEntries(limit: Int) async throws(DirectoryError) -> [AuditEntry] {
        let limit = max(limit, 0)
        return try await reading { db in
            try Row.fetchAll(db, sql: "SELECT at, actor, action, target, detail FROM audit ORDER BY id DESC LIMIT ?", arguments: [limit])
                .map { row in
                    AuditEntry(at: Date(timeIntervalSince1970: row[0]), actor: row[1], action: row[2], target: row[3], detail: row[4])
                }
        }
    }

    private static func accessToken(from row: Row) throws -> AccessToken {
        let roleText: String = row[2]
        guard let role = AccessRole(rawValue: roleText) else {
            throw DirectoryError.storage(message: "token '\(row[0] as String)' holds an unknown role '\(roleText)'")
        }
        return AccessToken(id: row[0], name: row[1], role: role, secretDigest: row[3], createdAt: Date(timeIntervalSince1970: row[4]))
    }
}
