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
        let authenticator = RTSPAuthenticator(users: [Self.mufasa], realm: "testrealm@host.com", nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093")
        let header = """
            Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", \
            uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", \
            response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"
            """
        #expect(authenticator.authenticate(authorization: header, method: RTSPMethod(rawValue: "GET"))?.name == "Mufasa")
        #expect(authenticator.authenticate(authorization: header, method: .describe) == nil, "the method is part of the hash")
    }

    @Test func refusesAnotherConnectionsNonceAndWrongPasswords() {
        let authenticator = RTSPAuthenticator(users: [Self.mufasa], realm: "testrealm@host.com", nonce: "fresh")
        let replayed = """
            Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", \
            uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1"
            """
        #expect(authenticator.authenticate(authorization: replayed, method: RTSPMethod(rawValue: "GET")) == nil)
        // Basic: "Mufasa:Circle Of Life" and a wrong password.
        #expect(authenticator.authenticate(authorization: "Basic TXVmYXNhOkNpcmNsZSBPZiBMaWZl", method: .describe)?.name == "Mufasa")
        #expect(authenticator.authenticate(authorization: "Basic TXVmYXNhOkNpcmNsZQ==", method: .describe) == nil)
        for garbage in ["", "Digest", "Basic !!!", "Bearer abc", "Digest username=", "Basic TXVmYXNh", "Digest username=\"Mufasa\""] {
            #expect(authenticator.authenticate(authorization: garbage, method: .describe) == nil, "\(garbage)")
        }
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
