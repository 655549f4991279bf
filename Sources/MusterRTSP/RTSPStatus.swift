/// RTSP status codes the server uses (RFC 2326 §7.1.1).
public struct RTSPStatus: Sendable, Hashable, CustomStringConvertible {
    public let code: Int
    public let reasonPhrase: String

    public init(code: Int, reasonPhrase: String) {
        self.code = code
        self.reasonPhrase = reasonPhrase
    }

    public static let ok = RTSPStatus(code: 200, reasonPhrase: "OK")
    public static let badRequest = RTSPStatus(code: 400, reasonPhrase: "Bad Request")
    public static let unauthorized = RTSPStatus(code: 401, reasonPhrase: "Unauthorized")
    public static let forbidden = RTSPStatus(code: 403, reasonPhrase: "Forbidden")
    public static let notFound = RTSPStatus(code: 404, reasonPhrase: "Not Found")
    public static let methodNotAllowed = RTSPStatus(code: 405, reasonPhrase: "Method Not Allowed")
    public static let requestEntityTooLarge = RTSPStatus(code: 413, reasonPhrase: "Request Entity Too Large")
    public static let requestURITooLarge = RTSPStatus(code: 414, reasonPhrase: "Request-URI Too Large")
    public static let unsupportedMediaType = RTSPStatus(code: 415, reasonPhrase: "Unsupported Media Type")
    public static let notEnoughBandwidth = RTSPStatus(code: 453, reasonPhrase: "Not Enough Bandwidth")
    public static let sessionNotFound = RTSPStatus(code: 454, reasonPhrase: "Session Not Found")
    public static let methodNotValidInThisState = RTSPStatus(code: 455, reasonPhrase: "Method Not Valid in This State")
    public static let aggregateOperationNotAllowed = RTSPStatus(code: 459, reasonPhrase: "Aggregate Operation Not Allowed")
    public static let unsupportedTransport = RTSPStatus(code: 461, reasonPhrase: "Unsupported Transport")
    public static let internalServerError = RTSPStatus(code: 500, reasonPhrase: "Internal Server Error")
    public static let notImplemented = RTSPStatus(code: 501, reasonPhrase: "Not Implemented")
    public static let serviceUnavailable = RTSPStatus(code: 503, reasonPhrase: "Service Unavailable")
    public static let versionNotSupported = RTSPStatus(code: 505, reasonPhrase: "RTSP Version Not Supported")

    public var description: String { "\(code) \(reasonPhrase)" }
}
