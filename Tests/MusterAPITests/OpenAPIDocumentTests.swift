import Foundation
import Hummingbird
import MusterCore
import MusterDirectory
import Logging
import MusterRTSP
import MusterTracker
import Testing
import Yams
@testable import MusterAPI

/// The OpenAPI document and the router describe the same API.
struct OpenAPIDocumentTests {
    struct NoRuntime: ChannelRuntime {
        func channelAdded(_ channel: Channel) async {}
        func channelUpdated(_ channel: Channel, previous: Channel) async {}
        func channelRemoved(_ channel: Channel) async {}
        func sourceHealth(ofChannel path: String) -> SourceHealth? { nil }
        func latestPosition(ofChannel path: String) -> UnitPosition? { nil }
        var sourceFailureCounts: [String: Int] { [:] }
        func problem(openingSource url: String) -> String? { nil }
        var profiles: [ProfileSummary] { [] }
        func reloadProfiles() throws -> [ProfileSummary] { [] }
        var transcoders: [TranscoderStatus] { [] }
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedOperationIsRouted() async throws {
        let events = GatewayEventBus()
        let store = try SQLiteDirectoryStore.temporary()
        let tracker = try await PositionTracker.start(store: store, events: events, logger: Logger(label: "test"))
        defer { Task { await tracker.stop() } }
        let services = APIServices(
            store: store, hubs: StreamHubRegistry(events: events),
            sessions: RTSPSessionRegistry(events: events), runtime: NoRuntime(), events: events, metrics: GatewayMetrics(),
            tracker: tracker, rtspAddress: RTSPAdvertisedAddress(listenHost: "127.0.0.1", port: 8554), version: "test"
        )
        let routed = Set(APIServer.makeRoutes(services: services, access: APIAccessPolicy(adminToken: nil, allowsAnonymous: true))
            .entries.map { "\($0.method.rawValue) \($0.path)" })

        let document = try #require(try Yams.load(yaml: OpenAPIDocument.yaml) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: Any])
        var documented: Set<String> = []
        for (path, item) in paths {
            let operations = try #require(item as? [String: Any])
            // OpenAPI names a parameter {name}; the router takes :name, and ** for a channel path with slashes.
            let template = path.replacingOccurrences(of: "{path}", with: "**").replacingOccurrences(of: "{id}", with: ":id")
            for method in operations.keys where ["get", "post", "patch", "put", "delete"].contains(method) {
                documented.insert("\(method.uppercased()) \(template)")
            }
        }
        #expect(routed.subtracting(documented).isEmpty, "routes missing from the document: \(routed.subtracting(documented).sorted())")
        #expect(documented.subtracting(routed).isEmpty, "documented but not routed: \(documented.subtracting(routed).sorted())")
    }
}
