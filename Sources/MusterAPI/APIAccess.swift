import Foundation
import Hummingbird
import MusterDirectory

/// How callers prove who they are. With an admin token configured (or any listener off
/// loopback) every route but health needs a bearer token; otherwise the local operator is trusted.
public struct APIAccessPolicy: Sendable {
    /// SHA-256 hex digest of the admin token from --admin-token or MUSTER_ADMIN_TOKEN.
    var adminTokenDigest: String?
    var allowsAnonymous: Bool

    /// - Parameters:
    ///   - adminToken: the secret; only its digest is kept.
    ///   - allowsAnonymous: true only when every listener is on loopback and no admin token is set.
    public init(adminToken: String?, allowsAnonymous: Bool) {
        adminTokenDigest = adminToken.map(SHA256.hexDigest)
        self.allowsAnonymous = allowsAnonymous && adminToken == nil
    }
}

/// Sets the caller's identity from `Authorization: Bearer`; 401 when a token is needed and
/// missing or unknown. Routes then check roles with `context.require`.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let policy: APIAccessPolicy
    let store: any DirectoryStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if request.uri.path == "/api/v1/health" { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            guard policy.allowsAnonymous else { throw Self.unauthorized("this gateway needs a bearer token (Authorization: Bearer TOKEN)") }
            context.identity = .anonymous
            return try await next(request, context)
        }
        guard header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw Self.unauthorized("the Authorization header must be 'Bearer TOKEN'")
        }
        let digest = SHA256.hexDigest(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        if let admin = policy.adminTokenDigest, Self.constantTimeEqual(admin, digest) {
            context.identity = APIIdentity(name: "admin-token", role: .admin)
        } else if let token = try await store.token(secretDigest: digest) {
            context.identity = APIIdentity(name: token.name, role: token.role)
        } else {
            context.logger.notice("API request with an unknown token", metadata: ["path": "\(request.uri.path)"])
            throw Self.unauthorized("the bearer token is not valid (revoked or mistyped)")
        }
        return try await next(request, context)
    }

    private static func unauthorized(_ detail: String) -> APIProblem {
        var problem = APIProblem(.unauthorized, detail)
        problem.headers[.wwwAuthenticate] = "Bearer realm=\"muster\""
        return problem
    }

    /// Compares digests without stopping at the first difference, so timing tells nothing.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
