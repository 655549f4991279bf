@testable import MusterRTSP
import Testing

@Suite struct MD5Tests {
    /// The test suite of RFC 1321 Appendix A.5.
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a"),
    ])
    func matchesTheRFCVectors(input: String, digest: String) {
        #expect(MD5.hex(input) == digest)
    }
}

@Suite struct RTSPAuthenticatorTests {
    static let mufasa = RTSPUser(name: "Mufasa", password: "Circle Of Life", read: [RTSPPathPattern("*")], publish: [])

    /// The worked example of RFC 2617 §3.5 (qop=auth).
    @Test func acceptsTheRFC2617Example() {
        var authenticator = RTSPAuthenticator(users: [Self.mufasa], realm: "testrealm@host.com", nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093")
        let header = """
            Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", \
            uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", \
            response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"
            """
        #expect(authenticator.authenticate(authorization: header, method: RTSPMethod(rawValue: "GET")) == .authenticated(Self.mufasa))
        #expect(authenticator.authenticate(authorization: header, method: .describe) == .failed, "the method is part of the hash")
    }

    @Test func refusesWrongPasswordsAndAnswersAnotherConnectionsNonceWithStale() {
        var authenticator = RTSPAuthenticator(users: [Self.mufasa], realm: "testrealm@host.com", nonce: "fresh")
        // A correct response, but for a nonce this connection never issued: the client knows the
        // password, so it may retry with this connection's nonce (RFC 2617 §3.2.1).
        let replayed = """
            Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", \
            uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1"
            """
        #expect(authenticator.authenticate(authorization: replayed, method: RTSPMethod(rawValue: "GET")) == .staleNonce)
        let forged = replayed.replacingOccurrences(of: "6629fae4", with: "6629fae5")
        #expect(authenticator.authenticate(authorization: forged, method: RTSPMethod(rawValue: "GET")) == .failed)
        // Basic: "Mufasa:Circle Of Life" and a wrong password.
        #expect(authenticator.authenticate(authorization: "Basic TXVmYXNhOkNpcmNsZSBPZiBMaWZl", method: .describe) == .authenticated(Self.mufasa))
        #expect(authenticator.authenticate(authorization: "Basic TXVmYXNhOkNpcmNsZQ==", method: .describe) == .failed)
        #expect(authenticator.authenticate(authorization: nil, method: .describe) == .missing)
        for garbage in ["", "Digest", "Basic !!!", "Bearer abc", "Digest username=", "Basic TXVmYXNh", "Digest username=\"Mufasa\""] {
            #expect(authenticator.authenticate(authorization: garbage, method: .describe) == .failed, "\(garbage)")
        }
    }

    /// ffmpeg's Digest header (no qop) for `user` on this authenticator's current nonce.
    static func digest(_ authenticator: RTSPAuthenticator, password: String = "Circle Of Life", nonce: String? = nil, method: RTSPMethod = .describe) -> String {
        let uri = "rtsp://127.0.0.1:8554/hq/gate-1"
        let nonce = nonce ?? authenticator.nonce
        let ha1 = MD5.hex("Mufasa:Muster:\(password)"), ha2 = MD5.hex("\(method.rawValue):\(uri)")
        return "Digest username=\"Mufasa\", realm=\"Muster\", nonce=\"\(nonce)\", uri=\"\(uri)\", "
            + "response=\"\(MD5.hex("\(ha1):\(nonce):\(ha2)"))\", algorithm=\"MD5\""
    }

    @Test func anExpiredNonceGetsStaleAndANewNonceThatWorks() throws {
        let clock = ManualClock()
        var authenticator = RTSPAuthenticator(users: [Self.mufasa], nonceLifetime: .seconds(300), now: clock.now)
        let first = authenticator.nonce
        let header = Self.digest(authenticator, method: .play)
        #expect(authenticator.authenticate(authorization: header, method: .play) == .authenticated(Self.mufasa))

        clock.advance(by: .seconds(299))
        #expect(authenticator.authenticate(authorization: header, method: .play) == .authenticated(Self.mufasa), "still within its lifetime")

        clock.advance(by: .seconds(1))
        #expect(authenticator.authenticate(authorization: header, method: .play) == .staleNonce)
        #expect(authenticator.nonce != first)
        let challenge = try #require(authenticator.challenges(stale: true).first)
        #expect(challenge == "Digest realm=\"Muster\", nonce=\"\(authenticator.nonce)\", algorithm=MD5, stale=true")
        #expect(authenticator.challenges().first?.contains("stale") == false)
        #expect(authenticator.authenticate(authorization: Self.digest(authenticator, method: .play), method: .play) == .authenticated(Self.mufasa))

        // A wrong password with the expired nonce is a plain failure, not stale.
        #expect(authenticator.authenticate(authorization: Self.digest(authenticator, password: "guess", nonce: first), method: .play) == .failed)
        // Basic has no nonce and does not expire.
        clock.advance(by: .seconds(3600))
        #expect(authenticator.authenticate(authorization: "Basic TXVmYXNhOkNpcmNsZSBPZiBMaWZl", method: .play) == .authenticated(Self.mufasa))
    }

    @Test func aChallengeAlwaysLeavesHalfTheLifetime() {
        let clock = ManualClock()
        var authenticator = RTSPAuthenticator(users: [Self.mufasa], nonceLifetime: .seconds(300), now: clock.now)
        let first = authenticator.nonce
        clock.advance(by: .seconds(149))
        #expect(authenticator.challenges().first?.contains(first) == true)
        clock.advance(by: .seconds(1))
        let renewed = authenticator.challenges().first ?? ""
        #expect(!renewed.contains(first) && renewed.contains(authenticator.nonce))
        // A client that answers the older challenge late is asked to retry, not refused.
        #expect(authenticator.authenticate(authorization: Self.digest(authenticator, nonce: first), method: .describe) == .staleNonce)
    }

    @Test func unknownUsersFailLikeWrongPasswords() {
        var authenticator = RTSPAuthenticator(users: [Self.mufasa])
        let unknown = Self.digest(authenticator).replacingOccurrences(of: "username=\"Mufasa\"", with: "username=\"Scar\"")
        #expect(authenticator.authenticate(authorization: unknown, method: .describe) == .failed)
        // "Scar:" with an empty password, and a user name with no password at all.
        #expect(authenticator.authenticate(authorization: "Basic U2Nhcjo=", method: .describe) == .failed)
        #expect(authenticator.authenticate(authorization: "Basic U2Nhcg==", method: .describe) == .failed)
    }

    @Test func pathPatternsCoverPrefixesAndExactPaths() {
        #expect(RTSPPathPattern("*").matches("anything/at/all"))
        #expect(RTSPPathPattern("hq/*").matches("hq/gate-1"))
        #expect(!RTSPPathPattern("hq/*").matches("hqx/gate-1"))
        #expect(!RTSPPathPattern("hq/*").matches("hq"))
        #expect(RTSPPathPattern("units/u1").matches("units/u1"))
        #expect(!RTSPPathPattern("units/u1").matches("units/u10"))
    }
}
