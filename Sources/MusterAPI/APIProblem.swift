import Foundation
import Hummingbird
import MusterDirectory
import NIOCore

/// An API error answered as application/problem+json (RFC 9457): a status, a detail a person can
/// act on and, when one input field is at fault, its name.
struct APIProblem: HTTPResponseError, Sendable {
    var status: HTTPResponse.Status
    var detail: String
    var field: String?
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ detail: String, field: String? = nil) {
        self.status = status
        self.detail = detail
        self.field = field
    }

    static func badField(_ field: String, _ problem: String) -> APIProblem {
        APIProblem(.badRequest, "\(field) \(problem)", field: field)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var object: [String: Any] = [
            "type": "about:blank", "title": status.reasonPhrase, "status": status.code, "detail": detail,
        ]
        if let field { object["field"] = field }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension APIProblem {
    /// The answer for a directory failure: 400 naming the field, 404, 409, or 500 for storage.
    init(_ error: DirectoryError) {
        switch error {
        case .invalidField(let field, _): self.init(.badRequest, error.description, field: field)
        case .channelExists, .unitExists: self.init(.conflict, error.description)
        case .channelNotFound, .unitNotFound, .tokenNotFound: self.init(.notFound, error.description)
        case .invalidCursor: self.init(.badRequest, error.description, field: "cursor")
        case .storage: self.init(.internalServerError, error.description)
        }
    }
}

/// Turns every error a route or Hummingbird throws into a problem document, so that clients see
/// one error format, and logs what should never happen (a 500).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as APIProblem {
            if problem.status == .internalServerError {
                context.logger.error("API request failed", metadata: ["path": "\(request.uri.path)", "error": "\(problem.detail)"])
            }
            throw problem
        } catch let error as DirectoryError {
            throw APIProblem(error)
        } catch let error as HTTPError {
            var problem = APIProblem(error.status, Self.detail(for: error, request: request))
            problem.headers = error.headers
            throw problem
        } catch let error as any HTTPResponseError {
            throw APIProblem(error.status, "\(error)")
        } catch {
            context.logger.error("API request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            throw APIProblem(.internalServerError, "the gateway failed to answer; see its log")
        }
    }

    private static func detail(for error: HTTPError, request: Request) -> String {
        switch error.status {
        case .notFound: "no route \(request.method) \(request.uri.path); see /api/v1/openapi.yaml"
        case .methodNotAllowed: "\(request.method) is not allowed on \(request.uri.path); see /api/v1/openapi.yaml"
        case .contentTooLarge: "the request body is too large (limit \(APIRequestContext.maximumBodySize / 1024) KiB)"
        default: error.body ?? error.status.reasonPhrase
        }
    }
}
