import Foundation
import Testing

/// The channel routes of the admin API against a real gateway: CRUD, filters, pagination and
/// every kind of bad input.
@Suite struct APIChannelTests {
    @Test func createsReadsUpdatesAndDeletesAChannel() async throws {
        try await GatewayHarness.with { harness in
            let api = harness.api()
            let created = try await api.post("/api/v1/channels", json: [
                "path": "dams/tailings-3/east", "name": "尾矿库3号坝 东侧", "kind": "camera", "source": "push",
                "zone": "command", "tags": ["dam", "critical"], "latitude": 25.1, "longitude": 102.7,
            ])
            #expect(created.status == 201, "\(created.text)")
            let channel = try created.json()
            #expect(channel["path"] as? String == "dams/tailings-3/east")
            #expect(channel["name"] as? String == "尾矿库3号坝 东侧")
            #expect(channel["tags"] as? [String] == ["dam", "critical"])
            #expect((channel["state"] as? [String: Any])?["online"] as? Bool == false)

            let fetched = try await api.get("/api/v1/channels/dams/tailings-3/east")
            #expect(fetched.status == 200)
            #expect(try fetched.json()["zone"] as? String == "command")

            let updated = try await api.patch("/api/v1/channels/dams/tailings-3/east", json: ["zone": NSNull(), "name": "East dam"])
            #expect(updated.status == 200, "\(updated.text)")
            let updatedChannel = try updated.json()
            #expect(updatedChannel["zone"] is NSNull)
            #expect(updatedChannel["name"] as? String == "East dam")
            #expect(updatedChannel["tags"] as? [String] == ["dam", "critical"], "an absent field must keep its value")

            let deleted = try await api.delete("/api/v1/channels/dams/tailings-3/east")
            #expect(deleted.status == 204)
            let gone = try await api.get("/api/v1/channels/dams/tailings-3/east")
            #expect(gone.status == 404)
            #expect(gone.headers.first(name: "Content-Type") == "application/problem+json")
            #expect(try gone.json()["detail"] as? String == "no channel has path 'dams/tailings-3/east'")
        }
    }

    @Test func filtersSortsAndPagesTheList() async throws {
        try await GatewayHarness.with { harness in
            let api = harness.api()
            for index in 0..<25 {
                let response = try await api.post("/api/v1/channels", json: [
                    "path": "county-\(index % 2)/cam-\(String(format: "%02d", index))", "name": index % 5 == 0 ? "Bridge \(index)" : "Road \(index)",
                    "kind": index % 3 == 0 ? "drone" : "camera", "source": "push", "zone": "z\(index % 2)",
                    "tags": index % 4 == 0 ? ["night"] : [],
                ])
                #expect(response.status == 201, "\(response.text)")
            }
            func paths(_ query: String) async throws -> [String] {
                let response = try await api.get("/api/v1/channels?\(query)")
                #expect(response.status == 200, "\(query): \(response.text)")
                return (try response.json()["channels"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
            }
            #expect(try await paths("kind=drone&limit=100").count == 9)
            #expect(try await paths("zone=z1&limit=100").allSatisfy { $0.hasPrefix("county-1/") })
            #expect(try await paths("tag=night&limit=100").count == 7)
            #expect(try await paths("prefix=county-0&limit=100").count == 13)
            #expect(try await paths("q=bridge&limit=100").count == 5)
            #expect(try await paths("state=online&limit=100").isEmpty)
            #expect(try await paths("state=offline&limit=100").count == 25)
            let descending = try await paths("sort=-path&limit=3")
            #expect(descending == ["county-1/cam-23", "county-1/cam-21", "county-1/cam-19"])

            var seen: [String] = []
            var cursor: String?
            repeat {
                let response = try await api.get("/api/v1/channels?limit=10&sort=name" + (cursor.map { "&cursor=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" } ?? ""))
                let page = try response.json()
                seen += (page["channels"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
                cursor = page["next_cursor"] as? String
            } while cursor != nil
            #expect(seen.count == 25)
            #expect(Set(seen).count == 25)
        }
    }

    @Test(arguments: [
        ("{\"path\": \"a\", \"kind\": \"camera\"", 400, nil as String?),
        ("{\"kind\": \"camera\", \"source\": \"push\"}", 400, "path"),
        ("{\"path\": \"a\", \"kind\": \"satellite\", \"source\": \"push\"}", 400, "kind"),
        ("{\"path\": \"../etc\", \"kind\": \"camera\", \"source\": \"push\"}", 400, "path"),
        ("{\"path\": \"Upper/Case\", \"kind\": \"camera\", \"source\": \"push\"}", 400, "path"),
        ("{\"path\": \"a\", \"kind\": \"camera\", \"source\": \"not a url\"}", 400, "source"),
        ("{\"path\": \"a\", \"kind\": \"camera\", \"source\": \"rstp://camera/1\"}", 400, "source"),
        ("{\"path\": \"a\", \"kind\": \"camera\", \"source\": \"push\", \"latitude\": 91, \"longitude\": 0}", 400, "latitude"),
        ("{\"path\": \"a\", \"kind\": \"camera\", \"source\": \"push\", \"tags\": \"x\"}", 400, "tags"),
        ("[1, 2]", 400, nil),
        ("", 400, nil),
    ])
    func refusesBadChannelInput(body: String, status: Int, field: String?) async throws {
        try await GatewayHarness.with { harness in
            let response = try await harness.api().send("POST", "/api/v1/channels", body: Data(body.utf8), contentType: "application/json")
            #expect(response.status == status, "\(body) → \(response.text)")
            #expect(response.headers.first(name: "Content-Type") == "application/problem+json")
            let problem = try response.json()
            #expect(problem["field"] as? String == field, "\(body) → \(response.text)")
            #expect((problem["detail"] as? String)?.isEmpty == false)
        }
    }

    @Test func answersConflictsLimitsAndUnknownRoutesWithProblems() async throws {
        try await GatewayHarness.with { harness in
            let api = harness.api()
            let channel: [String: Any] = ["path": "hq/gate-1", "kind": "camera", "source": "push"]
            #expect(try await api.post("/api/v1/channels", json: channel).status == 201)
            let duplicate = try await api.post("/api/v1/channels", json: channel)
            #expect(duplicate.status == 409)
            #expect(try duplicate.json()["detail"] as? String == "a channel with path 'hq/gate-1' already exists")

            let huge = Data(("{\"path\": \"big\", \"kind\": \"camera\", \"source\": \"push\", \"name\": \"" + String(repeating: "x", count: 2 << 20) + "\"}").utf8)
            let tooLarge = try await api.send("POST", "/api/v1/channels", body: huge, contentType: "application/json")
            #expect(tooLarge.status == 413, "\(tooLarge.text.prefix(300))")

            let unknown = try await api.get("/api/v1/nothing-here")
            #expect(unknown.status == 404)
            #expect(unknown.headers.first(name: "Content-Type") == "application/problem+json")

            for query in ["limit=0", "limit=abc", "sort=size", "state=maybe", "kind=boat", "cursor=garbage"] {
                let response = try await api.get("/api/v1/channels?\(query)")
                #expect(response.status == 400, "\(query) → \(response.text)")
            }
            let readOnly = try await api.patch("/api/v1/channels/hq/gate-1", json: ["path": "other"])
            #expect(readOnly.status == 400)
            #expect(try readOnly.json()["field"] as? String == "path")
            #expect(try await api.patch("/api/v1/channels/hq/none", json: ["name": "x"]).status == 404)
            #expect(try await api.delete("/api/v1/channels/hq/none").status == 404)
            #expect(try await api.get("/api/v1/channels/Bad..Path").status == 400)
        }
    }

    @Test func redactsSourceCredentialsEverywhere() async throws {
        try await GatewayHarness.with { harness in
            let api = harness.api()
            let response = try await api.post("/api/v1/channels", json: [
                "path": "roads/g60-k12", "kind": "camera", "source": "rtsp://admin:Secr3tPass@127.0.0.1:1/stream", "on_demand": true,
            ])
            #expect(response.status == 201, "\(response.text)")
            #expect(try response.json()["source"] as? String == "rtsp://***@127.0.0.1:1/stream")
            for path in ["/api/v1/channels/roads/g60-k12", "/api/v1/channels", "/api/v1/export/channels", "/api/v1/export/channels?format=csv", "/api/v1/audit"] {
                let text = try await api.get(path).text
                #expect(!text.contains("Secr3tPass"), "\(path) shows the password")
            }
            #expect(!harness.log.text.contains("Secr3tPass"))
        }
    }
}
