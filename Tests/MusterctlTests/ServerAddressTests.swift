import Testing

@testable import musterctl

@Suite struct ServerAddressTests {
    @Test func fullURL() throws {
        let address = try ServerAddress(parsing: "http://10.0.0.5:9780")
        #expect(address.host == "10.0.0.5")
        #expect(address.port == 9780)
        #expect(address.basePath == "")
        #expect(address.hostHeader == "10.0.0.5:9780")
        #expect(address.description == "http://10.0.0.5:9780")
    }

    @Test func urlWithoutPortMeansPort80() throws {
        let address = try ServerAddress(parsing: "HTTP://gateway.example/")
        #expect(address.port == 80)
        #expect(address.hostHeader == "gateway.example")
    }

    @Test func shorthandWithoutPortMeansTheGatewayPort() throws {
        #expect(try ServerAddress(parsing: "gw1").port == 9780)
        #expect(try ServerAddress(parsing: "gw1:8080").port == 8080)
    }

    @Test func basePathBehindAProxy() throws {
        let address = try ServerAddress(parsing: "http://proxy:8080/muster//")
        #expect(address.basePath == "/muster")
        #expect(address.description == "http://proxy:8080/muster")
    }

    @Test func ipv6() throws {
        let address = try ServerAddress(parsing: "http://[::1]:9780")
        #expect(address.host == "::1")
        #expect(address.hostHeader == "[::1]:9780")
    }

    @Test(arguments: ["https://gw:9780", "ftp://gw", "http://user:pw@gw", "http://gw:0", "http://gw:99999", "http://gw:x", "http://", "http://gw/?a=1", "http://[::1"])
    func refusedAddresses(_ text: String) {
        #expect(throws: MusterctlError.self) { try ServerAddress(parsing: text) }
        #expect((try? ServerAddress(parsing: text)) == nil)
    }

    @Test func httpsIsExplained() {
        do {
            _ = try ServerAddress(parsing: "https://gw")
            Issue.record("https was accepted")
        } catch {
            #expect(error.code == .usage)
            #expect(error.message.contains("https is not supported yet"))
        }
    }
}
