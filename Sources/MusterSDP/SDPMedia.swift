/// One media section: an `m=` line and the `c=`, `b=` and `a=` lines that follow it
/// (RFC 8866 §5.14).
public struct SDPMedia: Sendable, Hashable {
    /// `video`, `audio`, `application`, …
    public var type: String
    /// 0 in RTSP, where the Transport header negotiates ports (RFC 7826 Appendix D.1.1).
    public var port: Int
    /// The `/<number of ports>` suffix of the port, when present.
    public var portCount: Int?
    /// `RTP/AVP`, `RTP/AVPF`, `RTP/SAVP`, …
    public var proto: String
    /// The payload types (for RTP) the section offers, as written.
    public var formats: [String]
    public var connection: SDPConnection?
    /// Raw `b=` values such as `AS:128` (RFC 8866 §5.8).
    public var bandwidths: [String]
    /// The section's `a=` lines, in order.
    public var attributes: [SDPAttribute]

    public init(
        type: String,
        port: Int = 0,
        portCount: Int? = nil,
        proto: String = "RTP/AVP",
        formats: [String],
        connection: SDPConnection? = nil,
        bandwidths: [String] = [],
        attributes: [SDPAttribute] = []
    ) {
        self.type = type
        self.port = port
        self.portCount = portCount
        self.proto = proto
        self.formats = formats
        self.connection = connection
        self.bandwidths = bandwidths
        self.attributes = attributes
    }

    /// The value of the first attribute named `name` (ASCII case ignored); an empty string for
    /// a property attribute such as `a=recvonly`, nil when there is none.
    public func attribute(_ name: String) -> String? {
        attributes.firstValue(named: name)
    }

    /// The `a=control` URL the client appends to the aggregate URL for SETUP
    /// (RFC 7826 Appendix D.1.1). Setting nil removes it.
    public var control: String? {
        get { attribute("control") }
        set {
            let index = attributes.firstIndex { $0.name.caseInsensitiveEquals("control") }
            switch (index, newValue) {
            case (let index?, let value?): attributes[index].value = value
            case (let index?, nil): attributes.remove(at: index)
            case (nil, let value?): attributes.append(SDPAttribute(name: "control", value: value))
            case (nil, nil): break
            }
        }
    }

    /// What `payloadType` carries: its `a=rtpmap`, or for the static types 0 (PCMU) and 8 (PCMA)
    /// the RFC 3551 §6 assignment, which senders may leave out of the description.
    public func rtpMap(for payloadType: UInt8) -> SDPRTPMap? {
        for attribute in attributes where attribute.name.caseInsensitiveEquals("rtpmap") {
            guard let value = attribute.value, case .success(let map) = SDPRTPMap.parse(value[...]),
                  map.payloadType == payloadType else { continue }
            return map
        }
        switch payloadType {
        case 0: return SDPRTPMap(payloadType: 0, encodingName: "PCMU", clockRate: 8000, channels: 1)
        case 8: return SDPRTPMap(payloadType: 8, encodingName: "PCMA", clockRate: 8000, channels: 1)
        default: return nil
        }
    }

    /// The parameters of `a=fmtp:<payloadType> …`; empty when the section has none.
    public func formatParameters(for payloadType: UInt8) -> SDPFormatParameters {
        let format = String(payloadType)
        for attribute in attributes where attribute.name.caseInsensitiveEquals("fmtp") {
            guard let value = attribute.value?.trimmingSDPSpace else { continue }
            let end = value.firstIndex(where: \.isSDPSpace) ?? value.endIndex
            guard value[..<end] == format else { continue }
            return SDPFormatParameters(parsing: value[end...])
        }
        return SDPFormatParameters()
    }

    /// The `m=` line's value, e.g. `video 0 RTP/AVP 96`.
    var fieldValue: String {
        var port = String(self.port)
        if let portCount { port += "/\(portCount)" }
        return ([type, port, proto] + formats).joined(separator: " ")
    }
}

extension [SDPAttribute] {
    func firstValue(named name: String) -> String? {
        guard let attribute = first(where: { $0.name.caseInsensitiveEquals(name) }) else { return nil }
        return attribute.value ?? ""
    }
}
