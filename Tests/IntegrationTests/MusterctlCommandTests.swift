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

    @Test func tracksUnitsAndFindsNearbyChannels() async throws {
        try await GatewayHarness.with { harness in
            let api = harness.api()
            #expect(try await api.post("/api/v1/units", json: ["id": "p1", "name": "巡逻一组", "kind": "person"]).status == 201)
            // A fixed camera about 800 m north of the incident, one about 12 km away, and p1's body camera.
            #expect(try await api.post("/api/v1/channels", json: [
                "path": "cams/gate", "kind": "camera", "source": "push", "latitude": 30.6000, "longitude": 114.3055,
            ]).status == 201)
            #expect(try await api.post("/api/v1/channels", json: [
                "path": "cams/far", "kind": "camera", "source": "push", "latitude": 30.7000, "longitude": 114.3055,
            ]).status == 201)
            #expect(try await api.post("/api/v1/channels", json: ["path": "body/p1", "kind": "body-worn", "source": "push", "unit_id": "p1"]).status == 201)

            let now = Int(Date().timeIntervalSince1970)
            let first = try await Self.run(["units", "report", "p1", "--lat", "30.5950", "--lon", "114.3100", "--time", String(now - 60)], on: harness)
            #expect(first.status == 0, "\(first.error)")
            #expect(first.output.contains("p1"), "\(first.output)")
            let second = try await Self.run([
                "units", "report", "p1", "--lat", "30.5930", "--lon", "114.3060", "--altitude", "25", "--speed", "1.5", "--heading", "90",
                "--time", String(now - 10),
            ], on: harness)
            #expect(second.status == 0, "\(second.error)")
            let unknown = try await Self.run(["units", "report", "nobody", "--lat", "30.5", "--lon", "114.3"], on: harness)
            #expect(unknown.status == 1 && unknown.error.contains("404"), "\(unknown.error)")
            let usage = try await Self.run(["units", "near", "--lat", "91", "--lon", "114.3", "--radius", "100"], on: harness)
            #expect(usage.status == 2, "\(usage.error)")

            let incident = ["--lat", "30.5928", "--lon", "114.3055", "--radius", "5000"]
            let near = try await Self.run(["units", "near"] + incident, on: harness)
            #expect(near.status == 0, "\(near.error)")
            let nearRow = try #require(near.output.split(separator: "\n").first { $0.hasPrefix("p1 ") }, "\(near.output)")
            #expect(nearRow.contains("巡逻一组") && nearRow.contains("online") && nearRow.contains("body/p1"), "\(nearRow)")
            #expect(nearRow.contains(" 52 m") || nearRow.contains(" 53 m") || nearRow.contains(" 51 m"), "about 52 m from the incident: \(nearRow)")
            #expect(nearRow.contains("s ago"), "\(nearRow)")
            let nowhere = try await Self.run(["units", "near", "--lat", "-30.5928", "--lon", "-114.3055", "--radius", "5000"], on: harness)
            #expect(nowhere.status == 0 && !nowhere.output.contains("p1"), "\(nowhere.output)")

            let within = try await Self.run(["units", "within", "--bbox", "114.3,30.59,114.32,30.6"], on: harness)
            #expect(within.status == 0 && within.output.contains("30.59300, 114.30600"), "\(within.output) \(within.error)")

            let track = try await Self.run(["units", "track", "p1", "--geojson"], on: harness)
            #expect(track.status == 0, "\(track.error)")
            let feature = try #require(try JSONSerialization.jsonObject(with: Data(track.output.utf8)) as? [String: Any], "\(track.output)")
            #expect(feature["type"] as? String == "Feature")
            let geometry = try #require(feature["geometry"] as? [String: Any])
            #expect(geometry["type"] as? String == "LineString")
            #expect(geometry["coordinates"] as? [[Double]] == [[114.3100, 30.5950], [114.3060, 30.5930, 25]], "\(geometry)")
            let trackTable = try await Self.run(["units", "track", "p1", "--since", "2m"], on: harness)
            #expect(trackTable.output.contains("5.4 km/h") && trackTable.output.contains("90°"), "\(trackTable.output)")

            // Newest last; --limit 1 keeps the newest only.
            let positions = try await Self.run(["units", "positions", "p1", "--limit", "5"], on: harness)
            #expect(positions.status == 0, "\(positions.error)")
            let rows = positions.output.split(separator: "\n").dropFirst()
            #expect(rows.count == 2 && rows.first?.contains("30.59500") == true && rows.last?.contains("30.59300") == true, "\(positions.output)")
            let newest = try await Self.run(["units", "positions", "p1", "--limit", "1", "--output", "json"], on: harness)
            let newestDocument = try JSONSerialization.jsonObject(with: Data(newest.output.utf8)) as? [String: Any]
            let newestPositions = try #require(newestDocument?["positions"] as? [[String: Any]], "\(newest.output)")
            #expect(newestPositions.count == 1 && newestPositions.first?["latitude"] as? Double == 30.5930, "\(newest.output)")

            // Nearest first: the body camera where p1 is now, then the fixed camera; the far one is out of reach.
            let nearby = try await Self.run(["nearby"] + incident, on: harness)
            #expect(nearby.status == 0, "\(nearby.error)")
            let lines = nearby.output.split(separator: "\n").map(String.init)
            #expect(lines.count == 3, "\(nearby.output)")
            #expect(lines.first?.hasPrefix("DISTANCE") == true)
            #expect(lines.dropFirst().map { $0.contains("body/p1") ? "body/p1" : $0.contains("cams/gate") ? "cams/gate" : $0 } == ["body/p1", "cams/gate"])
            #expect(lines.dropFirst().allSatisfy { $0.contains("rtsp://") }, "\(nearby.output)")
            #expect(lines.count > 2 && lines[1].contains(" p1") && lines[2].contains("fixed"), "\(nearby.output)")
            let nearbyJSON = try await Self.run(["nearby", "--output", "json"] + incident, on: harness)
            let channels = try #require(
                (try JSONSerialization.jsonObject(with: Data(nearbyJSON.output.utf8)) as? [String: Any])?["channels"] as? [[String: Any]]
            )
            let distances = channels.compactMap { $0["distance_m"] as? Double }
            #expect(distances.count == 2 && distances == distances.sorted(), "\(distances)")
            #expect(channels.allSatisfy { ($0["rtsp_url"] as? String)?.hasPrefix("rtsp://") == true && ($0["rtsp_url"] as? String)?.contains($0["path"] as? String ?? "?") == true })

            let list = try await Self.run(["units", "list"], on: harness)
            #expect(list.output.split(separator: "\n").first { $0.hasPrefix("p1 ") }?.contains("online") == true, "\(list.output)")
            let get = try await Self.run(["units", "get", "p1"], on: harness)
            #expect(get.output.split(separator: "\n").contains { $0.hasPrefix("state:") && $0.hasSuffix("online") }, "\(get.output)")
            #expect(get.output.split(separator: "\n").contains { $0.hasPrefix("speed:") && $0.hasSuffix("5.4 km/h") }, "\(get.output)")
        }
    }

    @Test func createsIncidentMosaicsAndChangesTheirInputs() async throws {
        try await GatewayHarness.with(configure: { $0.profilesDirectory = TranscodingTests.shippedProfiles }) { harness in
            func field(_ name: String, in output: String) -> String? {
                output.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                    .map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) }
            }
            let created = try await Self.run([
                "mosaic", "create", "walls/x", "--layout", "2x2", "--channels", "a/b,c/d", "--profile", "mobile-360p",
            ], on: harness)
            #expect(created.status == 0, "\(created.error)")
            #expect(field("kind", in: created.output) == "mosaic", "\(created.output)")
            #expect(field("source", in: created.output) == "mosaic:2x2?profile=mobile-360p&channels=a/b,c/d", "\(created.output)")
            let stored = try await harness.api().get("/api/v1/channels/walls/x").json()
            #expect(stored["kind"] as? String == "mosaic")
            #expect(stored["source"] as? String == "mosaic:2x2?profile=mobile-360p&channels=a/b,c/d")

            // New inputs; the layout and the profile stay.
            let set = try await Self.run(["mosaic", "set", "walls/x", "--channels", "c/d", "--output", "json"], on: harness)
            #expect(set.status == 0, "\(set.error)")
            let updated = try JSONSerialization.jsonObject(with: Data(set.output.utf8)) as? [String: Any]
            #expect(updated?["source"] as? String == "mosaic:2x2?profile=mobile-360p&channels=c/d", "\(set.output)")
            #expect(updated?["kind"] as? String == "mosaic")
            #expect(try await harness.api().get("/api/v1/channels/walls/x").json()["source"] as? String
                == "mosaic:2x2?profile=mobile-360p&channels=c/d")

            // The smallest grid for --max 4 is 2x2; the radius defaults to 2000 m.
            let incident = try await Self.run([
                "mosaic", "incident", "walls/y", "--lat", "30", "--lon", "120", "--max", "4", "--profile", "mobile-360p",
            ], on: harness)
            #expect(incident.status == 0, "\(incident.error)")
            #expect(field("source", in: incident.output) == "mosaic:2x2?profile=mobile-360p&near=30.0,120.0&radius=2000&max=4", "\(incident.output)")
            #expect(try await harness.api().get("/api/v1/channels/walls/y").json()["kind"] as? String == "mosaic")
            // Southern and western coordinates are values, not flags.
            let south = try await Self.run([
                "mosaic", "incident", "walls/s", "--lat", "-33.5", "--lon", "-70.25", "--radius", "500", "--max", "1", "--profile", "mobile-360p",
            ], on: harness)
            #expect(south.status == 0, "\(south.error)")
            #expect(field("source", in: south.output) == "mosaic:1x1?profile=mobile-360p&near=-33.5,-70.25&radius=500&max=1", "\(south.output)")

            // Wrong command lines exit 2 and create nothing.
            let badLayout = try await Self.run([
                "mosaic", "create", "walls/z", "--layout", "5x5", "--channels", "a/b", "--profile", "mobile-360p",
            ], on: harness)
            #expect(badLayout.status == 2, "\(badLayout.output) \(badLayout.error)")
            #expect(badLayout.error.contains("--layout"), "\(badLayout.error)")
            let tooMany = try await Self.run([
                "mosaic", "create", "walls/z", "--layout", "1x1", "--channels", "a/b,c/d", "--profile", "mobile-360p",
            ], on: harness)
            #expect(tooMany.status == 2, "\(tooMany.error)")
            let badIncident = try await Self.run([
                "mosaic", "incident", "walls/z", "--lat", "30", "--lon", "120", "--layout", "3x2", "--profile", "mobile-360p",
            ], on: harness)
            #expect(badIncident.status == 2, "\(badIncident.error)")
            #expect(try await harness.api().get("/api/v1/channels/walls/z").status == 404)

            // Only a mosaic takes new inputs.
            #expect(try await harness.api().post("/api/v1/channels", json: ["path": "cams/gate", "kind": "camera", "source": "push"]).status == 201)
            let notMosaic = try await Self.run(["mosaic", "set", "cams/gate", "--channels", "a/b"], on: harness)
            #expect(notMosaic.status == 2 && notMosaic.error.contains("not a mosaic"), "\(notMosaic.status) \(notMosaic.error)")
            #expect(try await harness.api().get("/api/v1/channels/cams/gate").json()["source"] as? String == "push")
        }
    }

    @Test func listsProfilesAndTranscoders() async throws {
        try await GatewayHarness.with(configure: { $0.profilesDirectory = TranscodingTests.shippedProfiles }) { harness in
            let shipped: Set = ["hd-1080p", "hd-720p", "sd-480p", "mobile-360p", "mesh-1m", "satellite-256k"]
            let table = try await Self.run(["profiles", "list"], on: harness)
            #expect(table.status == 0, "\(table.error)")
            let lines = table.output.split(separator: "\n").map(String.init)
            let header = try #require(lines.first)
            #expect(header.hasPrefix("NAME") && header.contains("VIDEO") && header.contains("AUDIO") && header.contains("DESCRIPTION"), "\(header)")
            #expect(Set(lines.dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) }) == shipped, "\(table.output)")
            let mobile = try #require(lines.first { $0.hasPrefix("mobile-360p ") }, "\(table.output)")
            #expect(mobile.contains("h264 640x360 20fps 500kbit/s") && mobile.contains("aac 48kbit/s mono"), "\(mobile)")
            #expect(mobile.contains("360p, 20 fps, 500 kbit/s, mono"), "\(mobile)")
            let satellite = try #require(lines.first { $0.hasPrefix("satellite-256k ") }, "\(table.output)")
            #expect(satellite.contains("h264 426x240 10fps 200kbit/s") && satellite.contains("aac 24kbit/s mono"), "\(satellite)")

            let json = try await Self.run(["profiles", "list", "--output", "json"], on: harness)
            #expect(json.status == 0, "\(json.error)")
            let document = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
            let profiles = try #require(document?["profiles"] as? [[String: Any]], "\(json.output)")
            #expect(Set(profiles.compactMap { $0["name"] as? String }) == shipped)
            #expect(profiles.count == shipped.count)
            let hd = try #require(profiles.first { $0["name"] as? String == "hd-720p" })
            #expect(hd["video"] as? String == "h264 1280x720 25fps 2000kbit/s" && hd["audio"] as? String == "aac 96kbit/s", "\(hd)")

            let reloaded = try await Self.run(["profiles", "reload", "--output", "json"], on: harness)
            #expect(reloaded.status == 0, "\(reloaded.error)")
            let reloadedProfiles = (try JSONSerialization.jsonObject(with: Data(reloaded.output.utf8)) as? [String: Any])?["profiles"] as? [[String: Any]]
            #expect(Set(reloadedProfiles?.compactMap { $0["name"] as? String } ?? []) == shipped, "\(reloaded.output)")

            let none = try await Self.run(["transcoders"], on: harness)
            #expect(none.status == 0, "\(none.error)")
            #expect(none.error.contains("no transcoders"), "\(none.error)")
            #expect(none.output.isEmpty, "\(none.output)")
            let noneJSON = try await Self.run(["transcoders", "--output", "json"], on: harness)
            #expect(noneJSON.status == 0, "\(noneJSON.error)")
            let transcoders = (try JSONSerialization.jsonObject(with: Data(noneJSON.output.utf8)) as? [String: Any])?["transcoders"] as? [Any]
            #expect(transcoders?.isEmpty == true, "\(noneJSON.output)")
        }
    }
}
