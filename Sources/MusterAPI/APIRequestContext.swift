import Foundation
import Hummingbird
import MusterDirectory
import NIOCore

/// Who is calling: a token's name (never its secret) and what it may do.
struct APIIdentity: Sendable, Hashable {
    var name: String
    var role: AccessRole

    static let anonymous = APIIdentity(name: "anonymous", role: .admin)
}

/// Per-request state: Hummingbird's core plus the caller's identity, set by `AuthMiddleware`.
struct APIRequestContext: RequestContext {
    /// JSON bodies are small; bulk imports stream and have their own limit.
    static let maximumBodySize = 1 << 20

    var coreContext: CoreRequestContextStorage
    var identity: APIIdentity?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    var maxUploadSize: Int { Self.maximumBodySize }

    /// The caller, if its role reaches `role`; 403 otherwise.
    @discardableResult
    func require(_ role: AccessRole) throws(APIProblem) -> APIIdentity {
        guard let identity else { throw APIProblem(.unauthorized, "this route needs a bearer token") }
        guard identity.role >= role else {
            throw APIProblem(.forbidden, "token '\(identity.name)' has role \(identity.role.rawValue); this needs \(role.rawValue) or higher")
        }
        return identity
    }
}

extension Request {
    /// Reads and decodes a JSON body of at most `APIRequestContext.maximumBodySize` bytes;
    /// malformed JSON or a wrong type is a 400 naming the field.
    func decodeJSON<T: Decodable>(_ type: T.Type) async throws -> T {
        var body = ByteBuffer()
        for try await chunk in self.body {
            guard body.readableBytes + chunk.readableBytes <= APIRequestContext.maximumBodySize else {
                throw APIProblem(.contentTooLarge, "the request body is larger than \(APIRequestContext.maximumBodySize / 1024) KiB")
            }
            var chunk = chunk
            body.writeBuffer(&chunk)
        }
        guard body.readableBytes > 0 else { throw APIProblem(.badRequest, "the request needs a JSON body") }
        return try JSONBodyDecoding.decode(type, from: Data(body.readableBytesView))
    }
}

enum JSONBodyDecoding {
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(APIProblem) -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let problem as APIProblem {
            throw problem
        } catch let error as DecodingError {
            throw problem(for: error)
        } catch {
            throw APIProblem(.badRequest, "the body is not valid JSON: \(error.localizedDescription)")
        }
    }

    static func problem(for error: DecodingError) -> APIProblem {
        func field(_ path: [any CodingKey]) -> String? {
            path.isEmpty ? nil : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let name = field(context.codingPath + [key]) ?? key.stringValue
            return APIProblem.badField(name, "is required")
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            guard let name = field(context.codingPath) else {
                return APIProblem(.badRequest, "the body must be a JSON object of the documented shape")
            }
            return APIProblem(.badRequest, "\(name) must be \(describe(type))", field: name)
        case .dataCorrupted(let context):
            if let name = field(context.codingPath) {
                return APIProblem.badField(name, "is malformed: \(context.debugDescription)")
            }
            return APIProblem(.badRequest, "the body is not valid JSON")
        @unknown default:
            return APIProblem(.badRequest, "the body cannot be read")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Double.Type, is Int.Type: "a number"
        case is [String].Type: "an array of strings"
        default: "an object of the documented shape"
        }
    }
}
