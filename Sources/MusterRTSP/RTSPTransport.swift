/// One transport specification of a Transport header (RFC 2326 §12.39).
public struct RTSPTransport: Sendable, Hashable, CustomStringConvertible {
    public enum LowerTransport: Sendable, Hashable {
        case udp
        case tcp
    }

    public var profile: String = "RTP/AVP"
    public var lowerTransport: LowerTransport = .udp
    public var isMulticast = false
    public var interleaved: ClosedRange<UInt8>?
    public var clientPorts: ClosedRange<Int>?
    public var serverPorts: ClosedRange<Int>?
    /// Multicast: the group the stream is sent to. Chosen by the server; a client's proposal
    /// is ignored so that no client can aim a stream at a third party.
    public var destination: String?
    /// Multicast: the RTP and RTCP ports of the group.
    public var multicastPorts: ClosedRange<Int>?
    /// Multicast: how many routers the packets may cross.
    public var ttl: Int?
    public var ssrc: UInt32?
    /// True for `mode=record` (a publisher); plain playback otherwise.
    public var isRecord = false

    public init() {}

    /// Parses every comma-separated alternative of a Transport header, keeping the client's order.
    public static func parseAlternatives(_ header: String) throws(RTSPTransportError) -> [RTSPTransport] {
        let alternatives = header.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        guard !alternatives.isEmpty else { throw RTSPTransportError("empty Transport header") }
        var result: [RTSPTransport] = []
        for alternative in alternatives {
            result.append(try RTSPTransport(parsing: alternative))
        }
        return result
    }

    public init(parsing text: String) throws(RTSPTransportError) {
        let parameters = text.split(separator: ";").map { $0.trimmingSpaces() }
        guard let spec = parameters.first?.uppercased() else { throw RTSPTransportError("empty transport") }
        let specParts = spec.split(separator: "/").map(String.init)
        guard specParts.count >= 2, specParts[0] == "RTP", ["AVP", "SAVP", "AVPF", "SAVPF"].contains(specParts[1]) else {
            throw RTSPTransportError("transport '\(spec.prefix(32))' is not RTP/AVP")
        }
        profile = "RTP/" + specParts[1]
        if specParts.count > 2 {
            switch specParts[2] {
            case "TCP": lowerTransport = .tcp
            case "UDP": lowerTransport = .udp
            default: throw RTSPTransportError("lower transport '\(specParts[2].prefix(16))' is neither TCP nor UDP")
            }
        }
        for parameter in parameters.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let first = pair.first, !first.isEmpty else {
                throw RTSPTransportError("transport parameter '\(parameter.prefix(16))' has no name")
            }
            let name = first.lowercased()
            let value = pair.count > 1 ? pair[1] : nil
            switch (name, value) {
            case ("multicast", nil): isMulticast = true
            case ("unicast", nil): isMulticast = false
            case ("interleaved", let value?):
                guard let range = Self.range(value), range.lowerBound >= 0, range.upperBound <= 255 else {
                    throw RTSPTransportError("interleaved '\(value.prefix(16))' is not a channel pair like 0-1")
                }
                interleaved = UInt8(range.lowerBound)...UInt8(range.upperBound)
            case ("client_port", let value?):
                guard let range = Self.range(value), range.lowerBound > 0, range.upperBound <= 65535 else {
                    throw RTSPTransportError("client_port '\(value.prefix(16))' is not a port pair like 5000-5001")
                }
                clientPorts = range
            case ("server_port", let value?):
                guard let range = Self.range(value) else {
                    throw RTSPTransportError("server_port '\(value.prefix(16))' is not a port pair like 8000-8001")
                }
                serverPorts = range
            case ("destination", let value?):
                destination = value
            case ("port", let value?):
                guard let range = Self.range(value), range.lowerBound > 0, range.upperBound <= 65535 else {
                    throw RTSPTransportError("port '\(value.prefix(16))' is not a port pair like 5000-5001")
                }
                multicastPorts = range
            case ("ttl", let value?):
                guard let hops = Int(value), (0...255).contains(hops) else {
                    throw RTSPTransportError("ttl '\(value.prefix(16))' is not a number of hops from 0 to 255")
                }
                ttl = hops
            case ("ssrc", let value?):
                ssrc = UInt32(value, radix: 16)
            case ("mode", let value?):
                isRecord = value.trimmingCharacters(in: "\"").uppercased() == "RECORD"
            default:
                continue
            }
        }
    }

    /// "a-b" or "a" (meaning a-(a+1) for ports, as clients send). Bounds beyond 65 536 are
    /// refused here, so that no arithmetic on a hostile number can overflow.
    private static func range(_ text: String) -> ClosedRange<Int>? {
        let bounds = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            .map { Int($0.trimmingSpaces()) }
        guard let low = bounds.first ?? nil, (0...65_535).contains(low) else { return nil }
        if bounds.count == 1 { return low...(low + 1) }
        guard let high = bounds[1], (low...65_536).contains(high) else { return nil }
        return low...high
    }

    public var description: String {
        var parts = [profile + (lowerTransport == .tcp ? "/TCP" : "")]
        parts.append(isMulticast ? "multicast" : "unicast")
        if let destination { parts.append("destination=\(destination)") }
        if let multicastPorts { parts.append("port=\(multicastPorts.lowerBound)-\(multicastPorts.upperBound)") }
        if let ttl { parts.append("ttl=\(ttl)") }
        if let interleaved { parts.append("interleaved=\(interleaved.lowerBound)-\(interleaved.upperBound)") }
        if let clientPorts { parts.append("client_port=\(clientPorts.lowerBound)-\(clientPorts.upperBound)") }
        if let serverPorts { parts.append("server_port=\(serverPorts.lowerBound)-\(serverPorts.upperBound)") }
        if let ssrc { parts.append("ssrc=" + String(ssrc, radix: 16, uppercase: true).leftPadded(to: 8)) }
        if isRecord { parts.append("mode=record") }
        return parts.joined(separator: ";")
    }
}

/// A Transport header the server cannot use; answered with 461 Unsupported Transport.
public struct RTSPTransportError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var slice = Substring(self)
        while slice.first == set { slice.removeFirst() }
        while slice.last == set { slice.removeLast() }
        return String(slice)
    }

    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
