import Foundation
import Testing

/// Bearer tokens and roles: the admin token, tokens made through the API, and what each role may do.
@Suite struct APIAuthTests {
    static let adminToken = "test-admin-token-8c1f2e9a77d4"

    @Test func needsATokenOnceAnAdminTokenIsSet() async throws {
        try await GatewayHarness.with(adminToken: Self.adminToken) { harness in
            let anonymous = try await harness.api().get("/api/v1/channels")
            #expect(anonymous.status == 401)
            #expect(anonymous.headers.first(name: "WWW-Authenticate")?.hasPrefix("Bearer") == true)
            #expect(anonymous.headers.first(name: "Content-Type") == "application/problem+json")
            #expect(try await harness.api(token: "wrong-token").get("/api/v1/channels").status == 401)
            let malformed = try await harness.api().send("GET", "/api/v1/channels", headers: [("Authorization", "Basic YTpi")])
            #expect(malformed.status == 401)
            #expect(try await harness.api().get("/api/v1/health").status == 200, "health needs no token")
            #expect(try await harness.api().get("/metrics").status == 401)
            #expect(try await harness.api(token: Self.adminToken).get("/api/v1/channels").status == 200)
        }
    }

    @Test func rolesLimitWhatATokenMayDo() async throws {
        try await GatewayHarness.with(adminToken: Self.adminToken) { harness in
            let admin = harness.api(token: Self.adminToken)
            func makeToken(_ name: String, _ role: String) async throws -> (id: String, secret: String) {
                let response = try await admin.post("/api/v1/tokens", json: ["name": name, "role": role])
                #expect(response.status == 201, "\(response.text)")
                let token = try response.json()
                return (try #require(token["id"] as? String), try #require(token["secret"] as? String))
            }
            let viewerToken = try await makeToken("wall-display", "viewer")
            let operatorToken = try await makeToken("duty-officer", "operator")
            let viewer = harness.api(token: viewerToken.secret)
            let `operator` = harness.api(token: operatorToken.secret)
            let channel: [String: Any] = ["path": "hq/gate-1", "kind": "camera", "source": "push"]

            #expect(try await viewer.get("/api/v1/channels").status == 200)
            #expect(try await viewer.get("/metrics").status == 200)
            let refused = try await viewer.post("/api/v1/channels", json: channel)
            #expect(refused.status == 403)
            #expect((try refused.json()["detail"] as? String)?.contains("wall-display") == true)
            #expect(try await `operator`.post("/api/v1/channels", json: channel).status == 201)
            #expect(try await `operator`.get("/api/v1/tokens").status == 403)
            #expect(try await `operator`.post("/api/v1/tokens", json: ["name": "x", "role": "admin"]).status == 403)

            let list = try await admin.get("/api/v1/tokens")
            #expect(list.status == 200)
            #expect(!list.text.contains(viewerToken.secret) && !list.text.contains(operatorToken.secret), "secrets are shown once only")
            #expect(list.text.contains("wall-display"))

            let audit = try await admin.get("/api/v1/audit")
            let entries = try audit.json()["entries"] as? [[String: Any]] ?? []
            #expect(entries.first?["actor"] as? String == "duty-officer")
            #expect(entries.first?["action"] as? String == "channel.create")
            #expect(entries.contains { $0["action"] as? String == "token.create" && $0["actor"] as? String == "admin-token" })

            #expect(try await admin.delete("/api/v1/tokens/\(viewerToken.id)").status == 204)
            #expect(try await viewer.get("/api/v1/channels").status == 401, "a revoked token stops working at once")
            #expect(try await admin.post("/api/v1/tokens", json: ["name": "x", "role": "root"]).status == 400)

            for secret in [Self.adminToken, viewerToken.secret, operatorToken.secret] {
                #expect(!harness.log.text.contains(secret), "a token secret reached the log")
            }
        }
    }

    @Test func tokensSurviveARestartAsDigestsOnly() async throws {
        let first = try await GatewayHarness.start(adminToken: Self.adminToken)
        let created = try await first.api(token: Self.adminToken).post("/api/v1/tokens", json: ["name": "nvr", "role": "viewer"])
        let secret = try #require(try created.json()["secret"] as? String)
        await first.stopKeepingData()
        for file in ["directory.sqlite", "directory.sqlite-wal"] {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: first.dataDirectory + "/" + file))) ?? Data()
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file) holds the secret itself")
        }

        let second = try await GatewayHarness.start(adminToken: Self.adminToken, dataDirectory: first.dataDirectory)
        let status: Result<Int, any Error>
        do {
            status = .success(try await second.api(token: secret).get("/api/v1/channels").status)
        } catch {
            status = .failure(error)
        }
        await second.stop()
        #expect(try status.get() == 200)
    }
}
