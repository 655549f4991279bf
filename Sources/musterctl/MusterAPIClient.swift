import Foundation
import NIOCore
import NIOHTTP1

/// The gateway's admin API as musterctl uses it: every request carries the bearer token (when
/// there is one), every answer outside 2xx becomes a `MusterctlError` built from the gateway's
/// problem document.
struct MusterAPIClient: Sendable {
    /// A collected answer larger than this is refused rather than held in memory.
    static let maximumAnswerSize = 64 << 20
    static let maximumProblemSize = 1 << 20

    let http: HTTPClient

    var settings: ClientSettings { http.settings }

    /// The body of a successful GET.
    func get(_ endpoint: APIEndpoint, accept: String = "application/json") async throws -> Data {
        try await collect(HTTPClientRequest(.GET, endpoint.target, headers: headers(accept: accept)))
    }

    /// The body of a successful request carrying `body` as JSON.
    func send(_ method: HTTPMethod, _ endpoint: APIEndpoint, json body: some Encodable) async throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = headers(accept: "application/json")
        headers.add(name: "Content-Type", value: "application/json")
        let bytes = ByteBuffer(bytes: try encoder.encode(body))
        return try await collect(HTTPClientRequest(method, endpoint.target, headers: headers, body: .bytes(bytes)))
    }

    func delete(_ endpoint: APIEndpoint) async throws {
        _ = try await collect(HTTPClientRequest(.DELETE, endpoint.target, headers: headers(accept: "application/json")))
    }

    /// POSTs a body read chunk by chunk; returns the answer's body.
    func upload(
        _ endpoint: APIEndpoint, contentType: String, nextChunk: @escaping @Sendable () async throws -> ByteBuffer?
    ) async throws -> Data {
        var headers = headers(accept: "application/json")
        headers.add(name: "Content-Type", value: contentType)
        return try await collect(HTTPClientRequest(.POST, endpoint.target, headers: headers, body: .stream(nextChunk: nextChunk)))
    }

    /// GETs `endpoint` and hands the body of a successful answer to `consume` as it arrives.
    func stream<Result: Sendable>(
        _ endpoint: APIEndpoint, accept: String, idleTimeout: TimeAmount? = HTTPClient.idleTimeout,
        _ consume: (HTTPClientResponseBody) async throws -> Result
    ) async throws -> Result {
        let request = HTTPClientRequest(.GET, endpoint.target, headers: headers(accept: accept))
        return try await http.execute(request, idleTimeout: idleTimeout) { response in
            try await checkStatus(of: response)
            return try await consume(response.body)
        }
    }

    /// Decodes an answer, or explains that the gateway answered something else.
    func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws(MusterctlError) -> Value {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw .failed("the answer from \(settings.server) is not the expected JSON (\(error)); is it a Muster gateway of a matching version?")
        }
    }

    private func collect(_ request: HTTPClientRequest) async throws -> Data {
        try await http.execute(request) { response in
            try await checkStatus(of: response)
            return Data(try await response.collectBody(upTo: Self.maximumAnswerSize).readableBytesView)
        }
    }

    private func headers(accept: String) -> HTTPHeaders {
        var headers: HTTPHeaders = ["Accept": accept, "User-Agent": "musterctl/\(Musterctl.version)"]
        if let token = settings.token { headers.add(name: "Authorization", value: "Bearer \(token)") }
        return headers
    }

    /// Throws the gateway's refusal for any status outside 2xx.
    private func checkStatus(of response: HTTPClientResponse) async throws {
        guard !(200..<300).contains(response.status.code) else { return }
        let body = (try? await response.collectBody(upTo: Self.maximumProblemSize)).map { Data($0.readableBytesView) } ?? Data()
        let problem = try? JSONDecoder().decode(APIProblemDetails.self, from: body)
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let detail = problem?.detail ?? problem?.title ?? (text.isEmpty ? "the gateway refused the request" : text)
        var hint: String?
        if response.status == .unauthorized, settings.token == nil {
            hint = "this gateway needs a token: pass --token or set MUSTER_TOKEN (or \"token\" in the config file)"
        } else if problem == nil {
            hint = "that is no problem document of a Muster gateway; is \(settings.server) (from \(settings.serverOrigin.rawValue)) the right address?"
        }
        throw MusterctlError.refused(
            status: Int(response.status.code), reason: response.status.reasonPhrase,
            detail: TextTable.cleaned(detail), field: problem?.field.map(TextTable.cleaned), hint: hint
        )
    }
}
