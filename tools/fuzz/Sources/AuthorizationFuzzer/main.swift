import FuzzSupport
import MusterRTSP

// Input: an Authorization header value, as a client sends it after a 401 (Digest or Basic).
// It goes through RTSPAuthenticator.authenticate for two methods, the Digest parameter parser
// and Base64.decode, none of which may trap; an authenticated user must be a configured one.
// Then the parts the header names (username, uri, qop, nc, cnonce) are used to build headers
// whose outcome is known: a correct Digest response on this connection's nonce authenticates,
// on another nonce it is stale, with a wrong password or method it fails; Basic of the same
// name authenticates. Digest parameters serialized again parse back to the same map, and the
// input's bytes survive a base64 round trip.

let fixedTime = ContinuousClock.now
let nonce = "0a4f113b1c2d3e4f5a6b7c8d9e0f1a2b"
let configured = [
    RTSPUser(name: "viewer", password: "v-secret-1", read: [RTSPPathPattern("*")], publish: []),
    RTSPUser(name: "Mufasa", password: "Circle Of Life", read: [], publish: [RTSPPathPattern("units/*")]),
]

/// RFC 4648 §4 base64 with padding, independent of the code under test.
func base64(_ bytes: some Collection<UInt8>) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    var text = ""
    var bytes = Array(bytes)[...]
    while !bytes.isEmpty {
        let group = Array(bytes.prefix(3))
        bytes = bytes.dropFirst(group.count)
        let value = group.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << UInt32(16 - 8 * $1.offset) }
        for index in 0...group.count { text.append(alphabet[Int(value >> UInt32(18 - 6 * index) & 63)]) }
        text += String(repeating: "=", count: 3 - group.count)
    }
    return text
}

/// A Digest header as ffmpeg and GStreamer write it; nil when a value cannot be quoted.
func digestHeader(_ fields: [(String, String)]) -> String? {
    guard fields.allSatisfy({ !$0.1.contains("\"") }) else { return nil }
    return "Digest " + fields.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ", ")
}

func checkKnownOutcomes(_ parameters: [String: String]) {
    guard let name = parameters["username"], let uri = parameters["uri"] else { return }
    let password = parameters["cnonce"] ?? parameters["realm"] ?? "password"
    let user = RTSPUser(name: name, password: password, read: [], publish: [])
    var authenticator = RTSPAuthenticator(users: [user], nonce: nonce, now: { fixedTime })

    func header(nonce: String, password: String, method: RTSPMethod) -> String? {
        let ha1 = MD5.hex("\(name):Muster:\(password)"), ha2 = MD5.hex("\(method.rawValue):\(uri)")
        var fields = [("username", name), ("realm", "Muster"), ("nonce", nonce), ("uri", uri)]
        let response: String
        if let qop = parameters["qop"], let count = parameters["nc"], let clientNonce = parameters["cnonce"] {
            response = MD5.hex("\(ha1):\(nonce):\(count):\(clientNonce):\(qop):\(ha2)")
            fields += [("qop", qop), ("nc", count), ("cnonce", clientNonce)]
        } else {
            response = MD5.hex("\(ha1):\(nonce):\(ha2)")
        }
        return digestHeader(fields + [("response", response)])
    }

    if let good = header(nonce: nonce, password: password, method: .setup) {
        fuzzCheck(authenticator.authenticate(authorization: good, method: .setup) == .authenticated(user), "a correct Digest response failed: \(good)")
        fuzzCheck(authenticator.authenticate(authorization: good, method: .play) == .failed, "a SETUP response authenticated a PLAY")
    }
    if let stale = header(nonce: "an-older-nonce", password: password, method: .setup) {
        fuzzCheck(authenticator.authenticate(authorization: stale, method: .setup) == .staleNonce, "another nonce was not stale: \(stale)")
    }
    if let wrong = header(nonce: nonce, password: password + "x", method: .setup) {
        fuzzCheck(authenticator.authenticate(authorization: wrong, method: .setup) == .failed, "a wrong password authenticated")
    }
    // Basic splits at the first colon (RFC 7617 §2: user-ids cannot contain one).
    if !name.contains(":") {
        let basic = "Basic " + base64(Array("\(name):\(password)".utf8))
        fuzzCheck(authenticator.authenticate(authorization: basic, method: .describe) == .authenticated(user), "Basic failed: \(basic)")
    }
}

runFuzzer { buffer in
    let text = String(decoding: buffer, as: UTF8.self)

    var authenticator = RTSPAuthenticator(users: configured, nonce: nonce, now: { fixedTime })
    for method in [RTSPMethod.describe, .setup] {
        if case .authenticated(let user) = authenticator.authenticate(authorization: text, method: method) {
            fuzzCheck(configured.contains(user), "authenticated an unknown user")
        }
    }
    _ = authenticator.challenges(stale: true)

    let scheme = text.unicodeScalars.prefix { $0 != " " }
    let credentials = String(String.UnicodeScalarView(text.unicodeScalars.dropFirst(scheme.count)))
    let parameters = RTSPAuthenticator.parameters(credentials)
    if parameters.values.allSatisfy({ !$0.contains("\"") }) {
        let serialized = parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ", ")
        fuzzCheck(RTSPAuthenticator.parameters(serialized) == parameters, "parameters changed when written again: \(serialized)")
    }
    checkKnownOutcomes(parameters)

    _ = Base64.decode(text)
    _ = Base64.decode(credentials)
    let roundTrip = Base64.decode(base64(buffer))
    fuzzCheck(roundTrip.map { $0.elementsEqual(buffer) } ?? false, "base64 round trip lost bytes")
}
