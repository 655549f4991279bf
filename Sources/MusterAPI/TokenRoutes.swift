import Foundation
import Hummingbird
import MusterDirectory

/// /api/v1/tokens and /api/v1/audit: admin only.
struct TokenRoutes {
    let services: APIServices

    func register(on routes: APIRouteTable) {
        routes.add(.get, "/api/v1/tokens") { _, context in
            try context.require(.admin)
            return try JSONResponse.ok(["tokens": try await services.store.tokens().map { TokenDocument($0, secret: nil) }])
        }
        routes.add(.post, "/api/v1/tokens") { request, context in
            let identity = try context.require(.admin)
            let input = try await request.decodeJSON(TokenInput.self)
            let name = input.name.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.count <= 64 else { throw APIProblem.badField("name", "must be 1–64 characters") }
            guard let role = AccessRole(rawValue: input.role) else { throw APIProblem.badField("role", "must be viewer, operator or admin") }
            let secret = Self.randomSecret()
            let token = AccessToken(id: Self.randomID(), name: name, role: role, secretDigest: SHA256.hexDigest(secret))
            try await services.store.createToken(token)
            try await services.audit(identity, "token.create", token.id, "name=\(name) role=\(role.rawValue)")
            return try JSONResponse.make(TokenDocument(token, secret: secret), status: .created)
        }
        routes.add(.delete, "/api/v1/tokens/:id") { _, context in
            let identity = try context.require(.admin)
            let id = try context.parameters.require("id")
            try await services.store.deleteToken(id: id)
            try await services.audit(identity, "token.delete", id)
            return Response(status: .noContent)
        }
        routes.add(.get, "/api/v1/audit") { request, context in
            try context.require(.admin)
            let limit = try request.uri.queryParameters.pageLimit(default: 100)
            return try JSONResponse.ok(["entries": try await services.store.auditEntries(limit: limit).map(AuditDocument.init)])
        }
    }

    /// 32 random bytes from the system's CSPRNG, as URL-safe text with a recognisable prefix.
    static func randomSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return "mst_" + base64
    }

    static func randomID() -> String {
        String(UInt64.random(in: 1...UInt64.max), radix: 16)
    }
}

struct TokenInput: Decodable {
    var name: String
    var role: String
}

struct TokenDocument: Encodable {
    var id: String
    var name: String
    var role: String
    var createdAt: Date
    /// Only in the answer to the creation, never again.
    var secret: String?

    enum CodingKeys: String, CodingKey {
        case id, name, role, createdAt = "created_at", secret
    }

    init(_ token: AccessToken, secret: String?) {
        id = token.id
        name = token.name
        role = token.role.rawValue
        createdAt = token.createdAt
        self.secret = secret
    }
}

struct AuditDocument: Encodable {
    var at: Date
    var actor: String
    var action: String
    var target: String
    var detail: String

    init(_ entry: AuditEntry) {
        at = entry.at
        actor = entry.actor
        action = entry.action
        target = entry.target
        detail = entry.detail
    }
}
