import Foundation
import Testing

/// `musterctl` against a running gateway: tables for people, JSON for scripts, exit codes.
@Suite struct MusterctlCommandTests {
    static var binary: String {
        get throws {
            let path = URL(fileURLWithPath: try MusterCommandTests.binary).deletingLastPathComponent().appendingPathComponent("musterctl").path
            guard FileManager.default.isExecutableFile(atPath: path) else { throw TestFailure("no musterctl at \(path)") }
            return path
        }
    }

    /// Runs musterctl against `harness` and returns its exit status, standard output and error.
    static func run(_ arguments: [String], on harness: GatewayHarness, token: String? = nil, stdin: String? = nil) async throws -> (status: Int32, output: String, error: String) {
        var global = ["--server", "http://127.0.0.1:\(harness.apiPort)"]
        if let token { global += ["--token", token] }
        let process = try ExternalProcess(try binary, arguments + global)
        try process.start()
        let status = try await process.wait(timeout: .seconds(60))
        return (status, process.standardOutput, process.standardError)
    }

    @Test func managesChannelsWithTablesAndJSON() async throws {
        try await GatewayHarness.with { harness in
            let added = try await Self.run([
                "channels", "add", "dams/d7", "--kind", "camera", "--source", "push", "--name", "尾矿库7号坝", "--zone", "command", "--tag", "dam",
            ], on: harness)
            #expect(added.status == 0, "\(added.error)")

            let table = try await Self.run(["channels", "list"], on: harness)
            #expect(table.status == 0, "\(table.error)")
            let lines = table.output.split(separator: "\n")
            #expect(lines.first?.contains("PATH") == true || lines.first?.lowercased().contains("path") == true, "\(table.output)")
            #expect(table.output.contains("dams/d7") && table.output.contains("尾矿库7号坝"))

            let json = try await Self.run(["channels", "get", "dams/d7", "--output", "json"], on: harness)
            #expect(json.status == 0)
            let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
            #expect(object?["zone"] as? String == "command")

            let updated = try await Self.run(["channels", "update", "dams/d7", "--clear-zone"], on: harness)
            #expect(updated.status == 0, "\(updated.error)")
            #expect(try await harness.api().get("/api/v1/channels/dams/d7").json()["zone"] is NSNull)

            let duplicate = try await Self.run(["channels", "add", "dams/d7", "--kind", "camera", "--source", "push"], on: harness)
            #expect(duplicate.status == 1)
            #expect(duplicate.error.contains("already exists"), "\(duplicate.error)")

            let removed = try await Self.run(["channels", "rm", "dams/d7"], on: harness)
            #expect(removed.status == 0)
            #expect(try await harness.api().get("/api/v1/channels/dams/d7").status == 404)
        }
    }

    @Test func importsExportsAndReportsStatus() async throws {
        try await GatewayHarness.with { harness in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("muster-import-\(UUID().uuidString).csv")
            defer { try? FileManager.default.removeItem(at: file) }
            let rows = (0..<300).map { "roads/cam-\($0),Road \($0),camera,push,public,,,,," }
            try ("path,name,kind,source,zone,unit_id,latitude,longitude,tags,on_demand\n" + rows.joined(separator: "\n") + "\nbad path,x,camera,push,,,,,,\n")
                .write(to: file, atomically: true, encoding: .utf8)
            let imported = try await Self.run(["channels", "import", file.path], on: harness)
            #expect(imported.status == 1, "one row was refused: \(imported.output) \(imported.error)")
            #expect(imported.output.contains("300"), "\(imported.output)")
            #expect((imported.output + imported.error).contains("301"), "the bad row's number is reported")

            let exported = try await Self.run(["channels", "export", "--format", "jsonl", "--prefix", "roads"], on: harness)
            #expect(exported.status == 0)
            #expect(exported.output.split(separator: "\n").count == 300)

            let all = try await Self.run(["channels", "list", "--all", "--output", "json"], on: harness)
            let page = try JSONSerialization.jsonObject(with: Data(all.output.utf8)) as? [String: Any]
            #expect((page?["channels"] as? [Any])?.count == 300)

            let status = try await Self.run(["status"], on: harness)
            #expect(status.status == 0)
            #expect(status.output.contains("0.1.0"), "\(status.output)")
        }
    }

    @Test func exitCodesTellRefusalUsageAndUnreachable() async throws {
        try await GatewayHarness.with(adminToken: APIAuthTests.adminToken) { harness in
            let refused = try await Self.run(["channels", "list"], on: harness)
            #expect(refused.status == 1)
            #expect(refused.error.contains("401") || refused.error.lowercased().contains("token"), "\(refused.error)")
            let allowed = try await Self.run(["channels", "list"], on: harness, token: APIAuthTests.adminToken)
            #expect(allowed.status == 0, "\(allowed.error)")
            #expect(!allowed.output.contains(APIAuthTests.adminToken) && !allowed.error.contains(APIAuthTests.adminToken))

            let usage = try await Self.run(["channels", "add", "x"], on: harness)
            #expect(usage.status == 2, "\(usage.error)")
        }
        let unreachable = try ExternalProcess(try Self.binary, ["status", "--server", "http://127.0.0.1:1"])
        try unreachable.start()
        #expect(try await unreachable.wait(timeout: .seconds(30)) == 3)
    }

    @Test func followsEvents() async throws {
        try await GatewayHarness.with { harness in
            let events = try ExternalProcess(try Self.binary, ["events", "--server", "http://127.0.0.1:\(harness.apiPort)", "--output", "json"])
            try events.start()
            defer { events.stop() }
            // Wait for musterctl's subscription (the gateway's own telemetry reader holds one).
            let subscribed = ContinuousClock.now + .seconds(20)
            while harness.gateway.hubs.events.subscriberCount < 2, ContinuousClock.now < subscribed {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await harness.api().post("/api/v1/channels", json: ["path": "ev/cam", "kind": "camera", "source": "push"]).status == 201)
            let deadline = ContinuousClock.now + .seconds(10)
            while !events.standardOutput.contains("channel.added"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            let line = try #require(events.standardOutput.split(separator: "\n").first { $0.contains("channel.added") })
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["channel"] as? String == "ev/cam")
        }
    }
}
