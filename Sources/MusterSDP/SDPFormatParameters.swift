/// The parameters of one payload format, from `a=fmtp:<format> <parameters>`
/// (RFC 8866 §6.15), in the `key=value; key=value` form the RTP payload formats Muster
/// carries all use (RFC 6184 §8.1, RFC 7798 §7.1, RFC 3640 §4.1, RFC 6416 §7.1).
///
/// Order is kept so that a description Muster relays reads the way its source wrote it.
/// Lookup ignores case because RFC 3640 and RFC 6184 declare parameter names
/// case-insensitive, and encoders disagree on spelling (`sizeLength`, `sizelength`).
public struct SDPFormatParameters: Sendable, Hashable, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    public struct Parameter: Sendable, Hashable {
        public var key: String
        public var value: String

        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    public var parameters: [Parameter]

    public init(_ parameters: [Parameter] = []) {
        self.parameters = parameters
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        parameters = elements.map { Parameter(key: $0.0, value: $0.1) }
    }

    /// Reads the text after the format, e.g. `packetization-mode=1; sprop-parameter-sets=Z0I=,aM4=`.
    ///
    /// Splits each parameter at its first `=` only, since base64 values end in `=` padding.
    /// Empty items (a trailing `;`) are skipped, and an item without `=` becomes a key with an
    /// empty value: both occur in camera output and neither is worth refusing a stream over.
    public init(parsing text: some StringProtocol) {
        parameters = []
        for item in text.split(separator: ";") {
            let trimmed = item.trimmingSDPSpace
            guard !trimmed.isEmpty else { continue }
            if let equals = trimmed.firstIndex(of: "=") {
                let key = trimmed[..<equals].trimmingSDPSpace
                let value = trimmed[trimmed.index(after: equals)...].trimmingSDPSpace
                parameters.append(Parameter(key: String(key), value: String(value)))
            } else {
                parameters.append(Parameter(key: String(trimmed), value: ""))
            }
        }
    }

    public var isEmpty: Bool { parameters.isEmpty }

    /// The value of the first parameter named `key`, compared without regard to case.
    /// Setting replaces that parameter in place, appends a new one, or (with nil) removes
    /// every parameter of that name.
    public subscript(key: String) -> String? {
        get {
            parameters.first { $0.key.caseInsensitiveEquals(key) }?.value
        }
        set {
            guard let newValue else {
                parameters.removeAll { $0.key.caseInsensitiveEquals(key) }
                return
            }
            if let index = parameters.firstIndex(where: { $0.key.caseInsensitiveEquals(key) }) {
                parameters[index].value = newValue
            } else {
                parameters.append(Parameter(key: key, value: newValue))
            }
        }
    }

    /// The parameter text of an `a=fmtp` line, e.g. `packetization-mode=1; profile-level-id=42E01F`.
    public func serialized() -> String {
        parameters.map { $0.value.isEmpty ? $0.key : "\($0.key)=\($0.value)" }.joined(separator: "; ")
    }

    public var description: String { serialized() }
}

extension StringProtocol {
    /// ASCII case folding only: SDP tokens are ASCII, and this avoids locale-dependent rules.
    func caseInsensitiveEquals(_ other: some StringProtocol) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        return zip(utf8, other.utf8).allSatisfy { $0.asciiLowercased == $1.asciiLowercased }
    }
}

extension UInt8 {
    var asciiLowercased: UInt8 { (65...90).contains(self) ? self + 32 : self }
}
