import Foundation

extension MusterAPIClient {
    /// One page of a cursor-paginated list, as received and as decoded.
    struct FetchedPage<Page: Decodable & Sendable>: Sendable {
        var body: Data
        var page: Page
    }

    /// The page at `cursor` (the first when nil), or with `all` that page and every one after it,
    /// following `next_cursor` until the gateway gives none.
    func pages<Page: Decodable & Sendable>(
        of endpoint: APIEndpoint, as type: Page.Type, limit: Int?, cursor: String?, all: Bool,
        nextCursor: (Page) -> String?
    ) async throws -> [FetchedPage<Page>] {
        var fetched: [FetchedPage<Page>] = []
        var cursor = cursor
        repeat {
            let body = try await get(endpoint.adding("limit", limit.map(String.init)).adding("cursor", cursor))
            let page = try decode(type, from: body)
            fetched.append(FetchedPage(body: body, page: page))
            cursor = nextCursor(page)
        } while all && cursor != nil
        return fetched
    }
}
