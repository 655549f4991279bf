/// The time source of authentication state (nonce ages, failure windows), injectable so tests
/// move time without sleeping.
package typealias RTSPClock = @Sendable () -> ContinuousClock.Instant

/// Checks RTSP credentials: Digest with MD5 (RFC 2617 §3.2.2, what cameras and ffmpeg send) and
/// Basic (RFC 7617). One authenticator per connection: its nonce is random and bound to the
/// connection, so a response captured on one connection cannot be replayed on another, and it
/// lives `nonceLifetime` at most, so a response captured on a long-lived connection stops working.
package struct RTSPAuthenticator {
    /// The outcome of one Authorization header.
    package enum Outcome: Equatable {
        case authenticated(RTSPUser)
        /// No Authorization header: the normal first request of every client; answered with the
        /// challenges, not counted as a failure.
        case missing
        /// A correct Digest response computed with a nonce that is not (or no longer) this
        /// connection's: RFC 2617 §3.2.1 `stale=true`, so the client retries with the new nonce
        /// without asking its user. Not a failure: the client proved it knows the password.
        case staleNonce
        /// Credentials that are wrong, for an unknown user, or unreadable.
        case failed
    }

    let users: [String: RTSPUser]
    let realm: String
    let nonceLifetime: Duration
    private let now: RTSPClock
    /// The nonce challenges carry and responses must use.
    package private(set) var nonce: String
    private var nonceIssued: ContinuousClock.Instant

    package init(
        users: [RTSPUser], realm: String = "Muster", nonce: String? = nil,
        nonceLifetime: Duration = RTSPAuthenticationPolicy.standard.nonceLifetime, now: @escaping RTSPClock = { .now }
    ) {
        self.users = Dictionary(users.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.realm = realm
        self.nonceLifetime = nonceLifetime
        self.now = now
        self.nonce = nonce ?? Self.randomNonce()
        self.nonceIssued = now()
    }

    /// 128 random bits in hex.
    private static func randomNonce() -> String {
        (0..<2).map { _ in
            let hex = String(UInt64.random(in: 0...UInt64.max), radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// The WWW-Authenticate values of a 401 answer, Digest first as clients prefer it. A nonce
    /// past half its lifetime is replaced first, so that a client always has at least half the
    /// lifetime to answer: ffmpeg gives a DESCRIBE one retry, spent on the first challenge, and
    /// would give up on a `stale=true` right after it.
    package mutating func challenges(stale: Bool = false) -> [String] {
        if now() - nonceIssued >= nonceLifetime / 2 { renewNonce() }
        let digest = "Digest realm=\"\(realm)\", nonce=\"\(nonce)\", algorithm=MD5" + (stale ? ", stale=true" : "")
        return [digest, "Basic realm=\"\(realm)\""]
    }

    private mutating func renewNonce() {
        nonce = Self.randomNonce()
        nonceIssued = now()
    }

    /// Checks an Authorization header of a request made with `method`.
    package mutating func authenticate(authorization: String?, method: RTSPMethod) -> Outcome {
        if now() - nonceIssued >= nonceLifetime { renewNonce() }
        guard let authorization else { return .missing }
        let trimmed = Self.trimmingWhiteSpace(Substring(authorization).unicodeScalars)
        guard let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return .failed }
        let scheme = String(Substring(trimmed[..<space])).lowercased()
        let credentials = String(Substring(trimmed[trimmed.index(after: space)...]))
        switch scheme {
        case "digest": return authenticateDigest(Self.parameters(credentials), method: method)
        case "basic": return authenticateBasic(credentials)
        default: return .failed
        }
    }

    /// Stands in for an unknown user, so that an unknown name costs the same hashing and
    /// comparing as a known one and response times do not reveal which names exist.
    private static let absentUser = RTSPUser(name: "", password: "\u{0}", read: [], publish: [])

    private func authenticateDigest(_ parameters: [String: String], method: RTSPMethod) -> Outcome {
        guard let name = parameters["username"], parameters["realm"] == realm,
              let presentedNonce = parameters["nonce"], let uri = parameters["uri"],
              let response = parameters["response"] else { return .failed }
        let user = users[name] ?? Self.absentUser
        let ha1 = MD5.hex("\(name):\(realm):\(user.password)")
        let ha2 = MD5.hex("\(method.rawValue):\(uri)")
        let expected: String
        if let qop = parameters["qop"], let count = parameters["nc"], let clientNonce = parameters["cnonce"] {
            expected = MD5.hex("\(ha1):\(presentedNonce):\(count):\(clientNonce):\(qop):\(ha2)")
        } else {
            expected = MD5.hex("\(ha1):\(presentedNonce):\(ha2)")
        }
        let correct = Self.constantTimeEquals(response.lowercased(), expected) && users[name] != nil
        guard correct else { return .failed }
        // The response is right for the nonce it names; only this connection's current nonce
        // authenticates. Any other (expired here, or issued on an earlier connection, which
        // ffmpeg sends when it reconnects to fall back from UDP to TCP) asks for a retry.
        return Self.constantTimeEquals(presentedNonce, nonce) ? .authenticated(user) : .staleNonce
    }

    private func authenticateBasic(_ credentials: String) -> Outcome {
        let encoded = String(Substring(Self.trimmingWhiteSpace(Substring(credentials).unicodeScalars)))
        guard let decoded = Base64.decode(encoded), let text = String(validating: decoded, as: UTF8.self) else { return .failed }
        // Split at the first colon scalar (RFC 7617 §2), also when a combining mark follows it.
        let scalars = Substring(text).unicodeScalars
        guard let colon = scalars.firstIndex(of: ":") else { return .failed }
        let name = String(Substring(scalars[..<colon]))
        let password = String(Substring(scalars[scalars.index(after: colon)...]))
        let user = users[name] ?? Self.absentUser
        let correct = Self.constantTimeEquals(password, user.password) && users[name] != nil
        return correct ? .authenticated(user) : .failed
    }

    /// `key="value", key=value` pairs of a Digest header; quotes removed. Elements are separated
    /// by commas with optional white space, spaces or tabs (RFC 2616 §2.1 `#rule`), and may be empty.
    /// Read scalar by scalar, as the protocol defines it: as Characters, a quote after a combining
    /// or prepended mark would merge with it and go unseen.
    package static func parameters(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        var rest = Substring(text).unicodeScalars
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "," }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = String(Substring(trimmingWhiteSpace(rest[..<equals]))).lowercased()
            rest = rest[rest.index(after: equals)...].drop { $0 == " " || $0 == "\t" }
            let value: Substring.UnicodeScalarView
            if rest.first == "\"" {
                rest = rest.dropFirst()
                let end = rest.firstIndex(of: "\"") ?? rest.endIndex
                value = rest[..<end]
                rest = end < rest.endIndex ? rest[rest.index(after: end)...] : rest[end...]
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<end]
                rest = rest[end...]
            }
            result[key] = String(Substring(trimmingWhiteSpace(value)))
        }
        return result
    }

    private static func trimmingWhiteSpace(_ scalars: Substring.UnicodeScalarView) -> Substring.UnicodeScalarView {
        let isWhiteSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = scalars.firstIndex(where: { !isWhiteSpace($0) }),
              let last = scalars.lastIndex(where: { !isWhiteSpace($0) }) else { return scalars[scalars.endIndex...] }
        return scalars[first...last]
    }

    /// Compares without an early exit, so response time does not reveal how much matched.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
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
package enum Base64 {
    package static func decode(_ text: String) -> [UInt8]? {
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
