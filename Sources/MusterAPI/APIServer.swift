import Foundation
import Hummingbird
import Logging
import MusterDirectory
import NIOCore

/// The HTTP admin API: binds its listener, serves until `close()`.
public final class APIServer: Sendable {
    public let localAddress: SocketAddress?
    private let task: Task<Void, any Error>

    private init(localAddress: SocketAddress?, task: Task<Void, any Error>) {
        self.localAddress = localAddress
        self.task = task
    }

    /// Binds `host:port` (0 picks a free port) and starts serving.
    public static func start(host: String, port: Int, services: APIServices, access: APIAccessPolicy, logger: Logger) async throws -> APIServer {
        let router = makeRoutes(services: services, access: access).router
        let (bound, boundContinuation) = AsyncStream.makeStream(of: SocketAddress?.self)
        var apiLogger = logger
        apiLogger[metadataKey: "listener"] = "api"
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "Muster/\(services.version)"),
            onServerRunning: { channel in
                boundContinuation.yield(channel.localAddress)
                boundContinuation.finish()
            },
            logger: apiLogger
        )
        let task = Task {
            do {
                try await application.run()
            } catch {
                boundContinuation.finish()
                throw error
            }
        }
        var iterator = bound.makeAsyncIterator()
        guard let address = await iterator.next() else {
            // The server never came up: report why (the port is taken, the address is not local...).
            try await task.value
            throw APIServerError(message: "the API listener on \(host):\(port) stopped before it started")
        }
        logger.info("API listening", metadata: ["address": "http://\(host):\(address?.port ?? port)/api/v1"])
        return APIServer(localAddress: address, task: task)
    }

    /// Stops accepting and ends open requests (event streams included).
    public func close() async {
        task.cancel()
        _ = try? await task.value
    }

    static func makeRoutes(services: APIServices, access: APIAccessPolicy) -> APIRouteTable {
        let router = Router(context: APIRequestContext.self)
        let routes = APIRouteTable(router: router)
        router.add(middleware: RequestMetricsMiddleware(metrics: services.metrics))
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: AuthMiddleware(policy: access, store: services.store))
        ChannelRoutes(services: services).register(on: routes)
        ImportExportRoutes(services: services).register(on: routes)
        UnitRoutes(services: services).register(on: routes)
        TrackingRoutes(services: services).register(on: routes)
        SessionRoutes(services: services).register(on: routes)
        TokenRoutes(services: services).register(on: routes)
        GatewayRoutes(services: services).register(on: routes)
        return routes
    }
}

public struct APIServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Counts requests by route template and status for /metrics.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let metrics: GatewayMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            metrics.recordRequest(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            metrics.recordRequest(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: error.status.code)
            throw error
        }
    }
}
