/// Why bytes are not a usable KLV packet.
public struct KLVError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        case truncated
        case badLength
        case unknownKey
        case checksumMismatch
        case missingChecksum
    }

    public var code: Code
    public var detail: String

    init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { detail }
}
