import Foundation
import Hummingbird
import MusterRTSP

/// /api/v1/sessions: who plays and publishes, and kicking them.
struct SessionRoutes {
    let services: APIServices

    func register(on routes: APIRouteTable) {
        routes.add(.get, "/api/v1/sessions") { request, context in
            try context.require(.viewer)
            let channel = request.uri.queryParameters.get("channel")
            let sessions = services.sessions.sessions.filter { channel == nil || $0.path == channel }
            return try JSONResponse.ok(["sessions": sessions.map(SessionDocument.init)])
        }
        routes.add(.delete, "/api/v1/sessions/:id") { _, context in
            let identity = try context.require(.operator)
            let id = try context.parameters.require("id")
            guard services.sessions.kick(id: id) else {
                throw APIProblem(.notFound, "no session has id '\(id.prefix(40))'; list them with GET /api/v1/sessions")
            }
            try await services.audit(identity, "session.kick", id)
            return Response(status: .noContent)
        }
    }
}

struct SessionDocument: Encodable {
    var id: String
    var channel: String
    var role: String
    var `protocol` = "rtsp"
    var transport: String
    var remoteAddress: String
    var bytes: Int
    var dropped: Int
    var startedAt: Date
    var user: String?

    enum CodingKeys: String, CodingKey {
        case id, channel, role, `protocol`, transport, remoteAddress = "remote_address", bytes, dropped, startedAt = "started_at", user
    }

    init(_ info: RTSPSessionInfo) {
        id = info.id
        channel = info.path
        role = info.role.rawValue
        transport = info.transport
        remoteAddress = info.remoteAddress
        bytes = info.bytes
        dropped = info.dropped
        startedAt = info.startedAt
        user = info.user
    }
}
