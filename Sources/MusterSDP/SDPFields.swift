/// The `o=` field: who created the session and which version of its description this is
/// (RFC 8866 §5.2).
///
/// Session id and version stay strings: RFC 8866 only asks for numbers, and cameras send
/// values of any width, so parsing them into integers would only add ways to fail.
public struct SDPOrigin: Sendable, Hashable {
    public var username: String
    public var sessionID: String
    public var sessionVersion: String
    public var networkType: String
    public var addressType: String
    public var address: String

    public init(
        username: String = "-",
        sessionID: String = "0",
        sessionVersion: String = "0",
        networkType: String = "IN",
        addressType: String = "IP4",
        address: String = "127.0.0.1"
    ) {
        self.username = username
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    /// Reads the value of an `o=` line. Missing trailing fields keep their defaults, because
    /// some cameras shorten the line and nothing in a relay depends on them.
    init(parsing value: Substring) {
        let fields = value.split(whereSeparator: \.isSDPSpace).map(String.init)
        let defaults = SDPOrigin()
        username = fields.count > 0 ? fields[0] : defaults.username
        sessionID = fields.count > 1 ? fields[1] : defaults.sessionID
        sessionVersion = fields.count > 2 ? fields[2] : defaults.sessionVersion
        networkType = fields.count > 3 ? fields[3] : defaults.networkType
        addressType = fields.count > 4 ? fields[4] : defaults.addressType
        address = fields.count > 5 ? fields[5] : defaults.address
    }

    var fieldValue: String {
        "\(username) \(sessionID) \(sessionVersion) \(networkType) \(addressType) \(address)"
    }
}

/// The `c=` field: where media is sent (RFC 8866 §5.7).
///
/// `address` is kept verbatim, including any `/ttl` or `/count` suffix of a multicast address.
public struct SDPConnection: Sendable, Hashable {
    public var networkType: String
    public var addressType: String
    public var address: String

    public init(networkType: String = "IN", addressType: String = "IP4", address: String) {
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    /// Nil when the line has fewer than three fields; such a line is dropped rather than
    /// rejected because RTSP carries the real addresses in its Transport header.
    init?(parsing value: Substring) {
        let fields = value.split(whereSeparator: \.isSDPSpace)
        guard fields.count >= 3 else { return nil }
        networkType = String(fields[0])
        addressType = String(fields[1])
        address = String(fields[2])
    }

    var fieldValue: String { "\(networkType) \(addressType) \(address)" }
}

/// One `a=` line: a property attribute (`a=recvonly`, `value` nil) or a value attribute
/// (`a=control:streamid=0`) (RFC 8866 §5.13).
public struct SDPAttribute: Sendable, Hashable {
    public var name: String
    public var value: String?

    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }

    /// Splits at the first colon only: values such as `rtsp://host/x` hold colons of their own.
    init(parsing field: Substring) {
        if let colon = field.firstIndex(of: ":") {
            name = String(field[..<colon])
            value = String(field[field.index(after: colon)...])
        } else {
            name = String(field)
            value = nil
        }
    }

    var fieldValue: String {
        guard let value else { return name }
        return "\(name):\(value)"
    }
}

/// The value of an `a=rtpmap` attribute: what a payload type carries
/// (RFC 8866 §6.6, `<payload type> <encoding name>/<clock rate>[/<encoding parameters>]`).
public struct SDPRTPMap: Sendable, Hashable {
    public var payloadType: UInt8
    public var encodingName: String
    public var clockRate: Int
    /// The encoding parameters; for audio the channel count, which RFC 8866 says is 1 when absent.
    public var channels: Int?

    /// Clock rates above this are refused: far beyond any real codec, and low enough that
    /// timestamp arithmetic downstream can never overflow.
    public static let maximumClockRate = 10_000_000

    public init(payloadType: UInt8, encodingName: String, clockRate: Int, channels: Int? = nil) {
        self.payloadType = payloadType
        self.encodingName = encodingName
        self.clockRate = clockRate
        self.channels = channels
    }

    /// Reads an attribute value such as `96 H264/90000`; the failure names what is wrong.
    static func parse(_ value: Substring) -> Result<SDPRTPMap, RTPMapFault> {
        let trimmed = value.drop(while: \.isSDPSpace)
        guard let space = trimmed.firstIndex(where: \.isSDPSpace) else {
            return .failure(.init("'\(value)' has no encoding after the payload type"))
        }
        let typeText = trimmed[..<space]
        guard let payloadType = UInt8(typeText), payloadType <= 127 else {
            return .failure(.init("payload type '\(typeText)' is not a number from 0 to 127"))
        }
        let parts = trimmed[space...].drop(while: \.isSDPSpace)
            .split(separator: "/", omittingEmptySubsequences: false)
        guard let name = parts.first, !name.isEmpty else {
            return .failure(.init("payload type \(payloadType) has an empty encoding name"))
        }
        guard parts.count >= 2, let clockRate = Int(parts[1].trimmingSDPSpace),
              (1...maximumClockRate).contains(clockRate) else {
            let shown = parts.count >= 2 ? "'\(parts[1])'" : "none"
            return .failure(.init("clock rate \(shown) of payload type \(payloadType) is not a positive number"))
        }
        var channels: Int? = nil
        if parts.count >= 3 {
            guard let count = Int(parts[2].trimmingSDPSpace), (1...255).contains(count) else {
                return .failure(.init("channel count '\(parts[2])' of payload type \(payloadType) is not a number from 1 to 255"))
            }
            channels = count
        }
        return .success(SDPRTPMap(payloadType: payloadType, encodingName: String(name), clockRate: clockRate, channels: channels))
    }

    struct RTPMapFault: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// The attribute value, e.g. `97 MPEG4-GENERIC/44100/2`.
    public var attributeValue: String {
        var text = "\(payloadType) \(encodingName)/\(clockRate)"
        if let channels { text += "/\(channels)" }
        return text
    }
}

extension Character {
    /// SDP separates fields with single spaces; tabs are accepted too because hand-edited
    /// camera configurations contain them.
    var isSDPSpace: Bool { self == " " || self == "\t" }
}

extension StringProtocol {
    var trimmingSDPSpace: SubSequence {
        guard let first = firstIndex(where: { !$0.isSDPSpace }),
              let last = lastIndex(where: { !$0.isSDPSpace }) else { return self[endIndex...] }
        return self[first...last]
    }
}
