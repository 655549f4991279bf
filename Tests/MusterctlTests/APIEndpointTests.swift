import Testing

@testable import musterctl

@Suite struct APIEndpointTests {
    @Test func channelPathKeepsItsSlashes() {
        #expect(APIEndpoint.channel("hq/gate-1").target == "/api/v1/channels/hq/gate-1")
        #expect(APIEndpoint.channel("a/b/c.d_e").target == "/api/v1/channels/a/b/c.d_e")
    }

    @Test func channelPathSegmentsAreEncoded() {
        // '?', '#', '%', space and non-ASCII would change or break the request target.
        #expect(APIEndpoint.channel("hq/no such?#%").target == "/api/v1/channels/hq/no%20such%3F%23%25")
        #expect(APIEndpoint.channel("北区/cam").target == "/api/v1/channels/%E5%8C%97%E5%8C%BA/cam")
    }

    @Test func unitIDKeepsPathCharacters() {
        // The gateway matches path parameters without decoding them: ':' and '@' must stay literal.
        #expect(APIEndpoint.unit("drone:7").target == "/api/v1/units/drone:7")
        #expect(APIEndpoint.unit("a/b").target == "/api/v1/units/a%2Fb")
        #expect(APIEndpoint.session("s 1").target == "/api/v1/sessions/s%201")
    }

    @Test func queryValuesAreEncodedAndNilValuesLeftOut() {
        let endpoint = APIEndpoint.channels
            .adding("kind", "camera").adding("zone", nil).adding("tag", "a b&c=d+e/中").adding("sort", "-name")
        #expect(endpoint.target == "/api/v1/channels?kind=camera&tag=a%20b%26c%3Dd%2Be%2F%E4%B8%AD&sort=-name")
    }

    @Test func endpointWithoutQueryHasNoQuestionMark() {
        #expect(APIEndpoint.channels.adding("cursor", nil).target == "/api/v1/channels")
    }

    @Test func percentEncodingIsUppercaseHex() {
        #expect(URLPercentEncoding.queryComponent("\n~é") == "%0A~%C3%A9")
    }
}
