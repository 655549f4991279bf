/// Why bytes on an RTSP connection could not be read as a message. After any of these the
/// framing is lost: the server answers with `status` and closes the connection.
public struct RTSPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case malformedRequestLine
        case malformedStatusLine
        case malformedHeader
        case unsupportedVersion
        case requestLineTooLong
        case headerBlockTooLarge
        case tooManyHeaders
        case invalidContentLength
        case bodyTooLarge
    }

    public var code: Code
    public var detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// The status a server answers with.
    public var status: RTSPStatus {
        switch code {
        case .requestLineTooLong: .requestURITooLarge
        case .bodyTooLarge: .requestEntityTooLarge
        case .unsupportedVersion: .versionNotSupported
        default: .badRequest
        }
    }

    public var description: String { "\(code.rawValue): \(detail)" }
}
