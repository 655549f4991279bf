import Hummingbird

/// Registers routes on the router and remembers them, so a test can hold them against the
/// OpenAPI document (Hummingbird keeps no public list of its routes).
final class APIRouteTable {
    struct Entry: Hashable {
        var method: HTTPRequest.Method
        /// Hummingbird's template: `:id` for a segment, `**` for the rest of the path.
        var path: String
    }

    let router: Router<APIRequestContext>
    private(set) var entries: [Entry] = []

    init(router: Router<APIRequestContext>) {
        self.router = router
    }

    func add(
        _ method: HTTPRequest.Method, _ path: String,
        _ handler: @escaping @Sendable (Request, APIRequestContext) async throws -> Response
    ) {
        entries.append(Entry(method: method, path: path))
        router.on(RouterPath(path), method: method, use: handler)
    }
}
