import Foundation
import Hummingbird

/// /api/v1/profiles and /api/v1/transcoders: what channels can be served as, and what is being
/// transcoded right now.
struct TranscodingRoutes {
    let services: APIServices

    func register(on routes: APIRouteTable) {
        routes.add(.get, "/api/v1/profiles") { _, context in
            try context.require(.viewer)
            return try JSONResponse.ok(["profiles": services.runtime.profiles])
        }
        routes.add(.post, "/api/v1/profiles/reload") { _, context in
            let identity = try context.require(.admin)
            let profiles: [ProfileSummary]
            do {
                profiles = try await services.runtime.reloadProfiles()
            } catch {
                throw APIProblem(.unprocessableContent, "the profiles were not reloaded and the previous ones stay in use: \(error)")
            }
            try await services.audit(identity, "profiles.reload", "profiles", profiles.map(\.name).joined(separator: ","))
            return try JSONResponse.ok(["profiles": profiles])
        }
        routes.add(.get, "/api/v1/transcoders") { _, context in
            try context.require(.viewer)
            let consumers = services.sessions.consumerCounts
            let documents = services.runtime.transcoders.sorted { $0.path < $1.path }.map {
                TranscoderDocument($0, consumers: consumers[$0.path] ?? 0)
            }
            return try JSONResponse.ok(["transcoders": documents])
        }
    }
}

struct TranscoderDocument: Encodable {
    var path: String
    var kind: String
    var inputs: [String]
    var profile: String
    var consumers: Int
    var width: Int?
    var height: Int?
    var framesDecoded: Int
    var framesEncoded: Int
    var decodeErrors: Int
    var droppedUnits: Int
    var sourceRestarts: Int
    var cpuSeconds: Double

    enum CodingKeys: String, CodingKey {
        case path, kind, inputs, profile, consumers, width, height, framesDecoded = "frames_decoded", framesEncoded = "frames_encoded"
        case decodeErrors = "decode_errors", droppedUnits = "dropped_units", sourceRestarts = "source_restarts", cpuSeconds = "cpu_seconds"
    }

    init(_ status: TranscoderStatus, consumers: Int) {
        path = status.path
        kind = status.isMosaic ? "mosaic" : "profile"
        inputs = status.inputs
        profile = status.profile
        self.consumers = consumers
        width = status.width
        height = status.height
        framesDecoded = status.framesDecoded
        framesEncoded = status.framesEncoded
        decodeErrors = status.decodeErrors
        droppedUnits = status.droppedUnits
        sourceRestarts = status.sourceRestarts
        cpuSeconds = (status.cpuSeconds * 1000).rounded() / 1000
    }
}
