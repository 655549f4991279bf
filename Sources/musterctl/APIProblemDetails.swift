/// An error answer of the gateway, application/problem+json (RFC 9457, schema `Problem`).
/// Every key is optional here so that a proxy's or an older gateway's error still decodes.
struct APIProblemDetails: Decodable, Sendable {
    var type: String?
    var title: String?
    var status: Int?
    var detail: String?
    /// The request field at fault, when one is.
    var field: String?
}
