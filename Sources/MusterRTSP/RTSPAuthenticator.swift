/// Checks RTSP credentials: Digest with MD5 (RFC 2617 §3.2.2, what cameras and ffmpeg send) and
/// Basic (RFC 7617). One authenticator per connection: its nonce is random and bound to the
/// connection, so a response captured on one connection cannot be replayed on another.
struct RTSPAuthenticator {
    let users: [String: RTSPUser]
    let realm: String
    let nonce: String

    init(users: [RTSPUser], realm: String = "Muster", nonce: String? = nil) {
        self.users = Dictionary(users.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.realm = realm
        self.nonce = nonce ?? (0..<4).map { _ in String(UInt32.random(in: 0...UInt32.max), radix: 16) }.joined()
    }

    /// The WWW-Authenticate values of a 401 answer, Digest first as clients prefer it.
    var challenges: [String] {
        ["Digest realm=\"\(realm)\", nonce=\"\(nonce)\", algorithm=MD5", "Basic realm=\"\(realm)\""]
    }

    /// The user whose valid credentials the Authorization header carries, or nil.
    func authenticate(authorization: String?, method: RTSPMethod) -> RTSPUser? {
        guard let authorization else { return nil }
        let trimmed = authorization.trimmingSpaces()
        guard let space = trimmed.firstIndex(of: " ") else { return nil }
        let scheme = trimmed[..<space].lowercased()
        let credentials = String(trimmed[trimmed.index(after: space)...])
        switch scheme {
        case "digest": return authenticateDigest(Self.parameters(credentials), method: method)
        case "basic": return authenticateBasic(credentials)
        default: return nil
        }
    }

    private func authenticateDigest(_ parameters: [String: String], method: RTSPMethod) -> RTSPUser? {
        guard let name = parameters["username"], let user = users[name],
              parameters["realm"] == realm,
              let presentedNonce = parameters["nonce"], constantTimeEquals(presentedNonce, nonce),
              let uri = parameters["uri"], let response = parameters["response"] else { return nil }
        let ha1 = MD5.hex("\(user.name):\(realm):\(user.password)")
        let ha2 = MD5.hex("\(method.rawValue):\(uri)")
        let expected: String
        if let qop = parameters["qop"], let count = parameters["nc"], let clientNonce = parameters["cnonce"] {
            expected = MD5.hex("\(ha1):\(nonce):\(count):\(clientNonce):\(qop):\(ha2)")
        } else {
            expected = MD5.hex("\(ha1):\(nonce):\(ha2)")
        }
        return constantTimeEquals(response.lowercased(), expected) ? user : nil
    }

    private func authenticateBasic(_ credentials: String) -> RTSPUser? {
        guard let decoded = Base64.decode(credentials.trimmingSpaces()),
              let text = String(validating: decoded, as: UTF8.self),
              let colon = text.firstIndex(of: ":") else { return nil }
        let name = String(text[..<colon])
        guard let user = users[name] else { return nil }
        return constantTimeEquals(String(text[text.index(after: colon)...]), user.password) ? user : nil
    }

    /// `key="value", key=value` pairs of a Digest header; quotes removed.
    static func parameters(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        var rest = Substring(text)
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = rest[..<equals].trimmingSpaces().lowercased()
            rest = rest[rest.index(after: equals)...].drop { $0 == " " }
            let value: Substring
            if rest.first == "\"" {
                rest = rest.dropFirst()
                let end = rest.firstIndex(of: "\"") ?? rest.endIndex
                value = rest[..<end]
                rest = end < rest.endIndex ? rest[rest.index(after: end)...] : ""
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<end]
                rest = rest[end...]
            }
            result[key] = value.trimmingSpaces()
        }
        return result
    }

    /// Compares without an early exit, so response time does not reveal how much matched.
    private func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        var difference = UInt8(truncatingIfNeeded: left.count ^ right.count)
        for index in 0..<max(left.count, right.count) {
            let x = index < left.count ? left[index] : 0
            let y = index < right.count ? right[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}

/// Standard base64 decoding (RFC 4648 §4) for Basic credentials.
enum Base64 {
    static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        for scalar in text.unicodeScalars where scalar != "=" {
            let value: UInt8
            switch scalar {
            case "A"..."Z": value = UInt8(scalar.value - 65)
            case "a"..."z": value = UInt8(scalar.value - 97 + 26)
            case "0"..."9": value = UInt8(scalar.value - 48 + 52)
            case "+": value = 62
            case "/": value = 63
            default: return nil
            }
            values.append(value)
        }
        guard values.count % 4 != 1 else { return nil }
        var bytes: [UInt8] = []
        var index = 0
        while index < values.count {
            let group = values[index..<min(index + 4, values.count)]
            var accumulator: UInt32 = 0
            for value in group { accumulator = accumulator << 6 | UInt32(value) }
            accumulator <<= UInt32(6 * (4 - group.count))
            for byteIndex in 0..<(group.count - 1) {
                bytes.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(16 - 8 * byteIndex)))
            }
            index += 4
        }
        return bytes
    }
}
