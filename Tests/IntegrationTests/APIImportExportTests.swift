import Foundation
import Testing

/// Bulk import and export, units, and durability: what the API acknowledged is there after a
/// restart, and after a kill -9.
@Suite struct APIImportExportTests {
    @Test func importsJSONLinesWithPerRowErrors() async throws {
        try await GatewayHarness.with { harness in
            let lines = [
                #"{"path": "county/cam-1", "name": "桥头 1", "kind": "camera", "source": "push", "tags": ["bridge"]}"#,
                #"{"path": "county/cam-2", "kind": "drone", "source": "push"}"#,
                #"{"path": "Bad Path", "kind": "camera", "source": "push"}"#,
                "",
                #"{"path": "county/cam-3", "kind": "camera""#,
                #"{"path": "county/cam-1", "kind": "camera", "source": "push"}"#,
                #"{"path": "county/cam-4", "kind": "phone", "source": "rtsp://u:p@127.0.0.1:9/x", "on_demand": true}"#,
                #"{"path": "county/cam-5", "kind": "camera", "source": "push", "name": "\#(String(repeating: "长", count: 30_000))"}"#,
                #"{"path": "county/cam-6", "kind": "camera", "source": "push", "latitude": 95, "longitude": 1}"#,
                "{\"path\": \"county/cam-7\", \"kind\": \"camera\", \"source\": \"push\"}\r",
            ]
            let response = try await harness.api().send(
                "POST", "/api/v1/import/channels", body: Data(lines.joined(separator: "\n").utf8), contentType: "application/x-ndjson"
            )
            #expect(response.status == 200, "\(response.text)")
            let result = try response.json()
            #expect(result["imported"] as? Int == 4)
            #expect(result["failed"] as? Int == 5)
            let errors = result["errors"] as? [[String: Any]] ?? []
            #expect(errors.compactMap { $0["row"] as? Int } == [3, 5, 6, 8, 9])
            let messages = errors.compactMap { $0["message"] as? String }
            #expect(messages.count == 5 && messages[2].contains("already exists"), "\(messages)")
            #expect(messages.count == 5 && messages[3].contains("longer than 64 KiB"), "\(messages)")
            #expect(messages.count == 5 && messages[4].hasPrefix("latitude "), "\(messages)")

            let again = try await harness.api().send(
                "POST", "/api/v1/import/channels?mode=upsert", body: Data(lines[5].utf8), contentType: "application/x-ndjson"
            )
            #expect(try again.json()["imported"] as? Int == 1)
            let upserted = try await harness.api().get("/api/v1/channels/county/cam-1").json()
            #expect(upserted["name"] as? String == "county/cam-1", "upsert replaces the row")
        }
    }

    @Test func importsCSVAndExportsBothFormats() async throws {
        try await GatewayHarness.with { harness in
            let csv = #"""
            path,name,kind,source,zone,unit_id,latitude,longitude,tags,on_demand
            dams/d1,"Dam 1, east side",camera,push,command,,25.5,102.25,dam;night,false
            dams/d2,"Says ""hi""",camera,push,,,,,,
            dams/d3,Missing,camera,push,,,95,10,,
            dams/d4,Short row,camera
            dams/d5,"Multi
            line",camera,push,,,,,,true
            """#
            let response = try await harness.api().send("POST", "/api/v1/import/channels", body: Data(csv.utf8), contentType: "text/csv")
            #expect(response.status == 200, "\(response.text)")
            let result = try response.json()
            #expect(result["imported"] as? Int == 2, "\(response.text)")
            let errors = result["errors"] as? [[String: Any]] ?? []
            #expect(errors.compactMap { $0["row"] as? Int } == [3, 4, 5])
            // The quoted line break is read as one field (not as a short row), then refused as a name.
            #expect((errors.last?["message"] as? String)?.hasPrefix("name") == true, "\(response.text)")

            let d1 = try await harness.api().get("/api/v1/channels/dams/d1").json()
            #expect(d1["name"] as? String == "Dam 1, east side")
            #expect(d1["tags"] as? [String] == ["dam", "night"])
            #expect(d1["latitude"] as? Double == 25.5)

            let exportedCSV = try await harness.api().get("/api/v1/export/channels?format=csv&prefix=dams")
            #expect(exportedCSV.headers.first(name: "Content-Type")?.hasPrefix("text/csv") == true)
            let csvLines = exportedCSV.text.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(csvLines.first == "path,name,kind,source,zone,unit_id,latitude,longitude,tags,on_demand")
            #expect(exportedCSV.text.contains("dams/d2,\"Says \"\"hi\"\"\",camera,push"))

            let exportedLines = try await harness.api().get("/api/v1/export/channels").text.split(separator: "\n")
            #expect(exportedLines.count == 2)
            // An export is a valid import: round-trip it into a fresh gateway.
            try await GatewayHarness.with { other in
                let reimport = try await other.api().send("POST", "/api/v1/import/channels", body: exportedCSV.body, contentType: "text/csv")
                #expect(try reimport.json()["imported"] as? Int == 2, "\(reimport.text)")
            }
            let unsupported = try await harness.api().send("POST", "/api/v1/import/channels", body: Data("x".utf8), contentType: "application/xml")
            #expect(unsupported.status == 415)
            let badHeader = try await harness.api().send("POST", "/api/v1/import/channels", body: Data("path,colour\n".utf8), contentType: "text/csv")
            #expect(badHeader.status == 400)
        }
    }

    @Test func managesUnitsAndTheirChannels() async throws {
        try await GatewayHarness.with { harness in
            let api = harness.api()
            let unit = try await api.post("/api/v1/units", json: ["id": "rescuer-12", "name": "救援队 12", "kind": "body-worn"])
            #expect(unit.status == 201, "\(unit.text)")
            #expect(try await api.post("/api/v1/units", json: ["id": "rescuer-12", "kind": "phone"]).status == 409)
            #expect(try await api.post("/api/v1/units", json: ["id": "bad id!", "kind": "phone"]).status == 400)
            #expect(try await api.post("/api/v1/units", json: ["id": "x", "kind": "bicycle"]).status == 400)
            #expect(try await api.post("/api/v1/channels", json: [
                "path": "units/rescuer-12/helmet", "kind": "body-worn", "source": "push", "unit_id": "rescuer-12",
            ]).status == 201)

            let fetched = try await api.get("/api/v1/units/rescuer-12").json()
            #expect(fetched["channels"] as? [String] == ["units/rescuer-12/helmet"])
            #expect(fetched["last_position"] is NSNull)
            #expect(try await api.patch("/api/v1/units/rescuer-12", json: ["name": "Team 12"]).json()["name"] as? String == "Team 12")
            let list = try await api.get("/api/v1/units").json()
            #expect((list["units"] as? [[String: Any]])?.count == 1)
            #expect(try await api.delete("/api/v1/units/rescuer-12").status == 204)
            #expect(try await api.get("/api/v1/units/rescuer-12").status == 404)
        }
    }

    @Test func keepsEverythingAcrossARestart() async throws {
        let clip = try await MediaFixtures.h264AAC()
        let first = try await GatewayHarness.start()
        let api = first.api()
        #expect(try await api.post("/api/v1/channels", json: ["path": "drill/cam-9", "name": "演练 9", "kind": "camera", "source": clip]).status == 201)
        #expect(try await api.post("/api/v1/units", json: ["id": "drone-1", "kind": "drone"]).status == 201)
        await first.stopKeepingData()

        let second = try await GatewayHarness.start(dataDirectory: first.dataDirectory)
        do {
            let channel = try await second.api().get("/api/v1/channels/drill/cam-9").json()
            #expect(channel["name"] as? String == "演练 9")
            #expect(try await second.api().get("/api/v1/units/drone-1").status == 200)
            // A stored pull channel starts again by itself.
            try await second.waitForStream("drill/cam-9")
        } catch {
            await second.stop()
            throw error
        }
        await second.stop()
    }
}
