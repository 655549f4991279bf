import Foundation
import Hummingbird
import Logging
import MusterDirectory
import NIOCore
import ServiceLifecycle

/// The HTTP admin API: binds its listener, serves until `close()`.
public final class APIServer: Sendable {
    public let localAddress: SocketAddress?
    private let task: Task<Void, any Error>
    private let services: ServiceGroup

    private init(localAddress: SocketAddress?, task: Task<Void, any Error>, services: ServiceGroup) {
        self.localAddress = localAddress
        self.task = task
        self.services = services
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
        // Run as a service so that close() can ask for a graceful shutdown: cancelling the task
        // instead makes Hummingbird log errors on every clean stop.
        let serviceGroup = ServiceGroup(configuration: .init(services: [application], logger: apiLogger))
        let task = Task {
            do {
                try await serviceGroup.run()
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
        return APIServer(localAddress: address, task: task, services: serviceGroup)
    }

    /// How long close() lets requests in flight finish before cutting them off.
    static let shutdownGrace: Duration = .seconds(5)

    /// Stops accepting, lets requests in flight finish and ends event streams.
    public func close() async {
        await services.triggerGracefulShutdown()
        let task = self.task
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = try? await task.value
                return true
            }
            group.addTask {
                try? await Task.sleep(for: Self.shutdownGrace)
                return false
            }
            let first = await group.next() ?? true
            group.cancelAll()
            return first
        }
        if !finished {
            task.cancel()
            _ = try? await task.value
        }
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
        TranscodingRoutes(services: services).register(on: routes)
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
