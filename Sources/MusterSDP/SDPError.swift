/// Why a session description could not be read, or could not be mapped to Muster's media model.
///
/// Carries the 1-based line of the offending input where one applies, so that a publisher's
/// operator can find the fault in the SDP their encoder sent.
public struct SDPError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The input holds no lines at all.
        case empty
        /// The input is larger than `SDPSessionDescription.maximumSize`.
        case tooLarge
        /// The input has more lines than `SDPSessionDescription.maximumLineCount`.
        case tooManyLines
        /// The input has more media sections than `SDPSessionDescription.maximumMediaCount`.
        case tooManyMedia
        /// A line is not of the form `<type>=<value>` (RFC 8866 §5).
        case malformedLine
        /// The first line is not `v=…` (RFC 8866 §5.1).
        case missingVersion
        /// The `v=` line names a version other than 0.
        case unsupportedVersion
        /// An `m=` line lacks fields, has a non-numeric port or lists no formats (RFC 8866 §5.14).
        case invalidMedia
        /// An `a=rtpmap` has a bad payload type, clock rate or channel count (RFC 8866 §6.6).
        case invalidRTPMap
        /// A dynamic payload type has no `a=rtpmap` saying what it carries.
        case missingRTPMap
        /// The media section uses an encoding Muster does not carry.
        case unsupportedCodec
        /// Codec parameters (`a=fmtp`) are missing or cannot be decoded (bad base64, bad hex,
        /// an AudioSpecificConfig that does not parse).
        case invalidCodecParameters
    }

    public var code: Code
    /// 1-based line number in the parsed input, when the fault lies on one line.
    public var line: Int?
    /// What is wrong, phrased for the operator of the sending device.
    public var message: String

    public init(_ code: Code, line: Int? = nil, _ message: String) {
        self.code = code
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line {
            return "SDP \(code.rawValue) at line \(line): \(message)"
        }
        return "SDP \(code.rawValue): \(message)"
    }
}
