import Foundation
import Synchronization
import Testing

/// What the gateway acknowledged survives `kill -9`: the real binary, killed mid-import.
@Suite(.serialized) struct DirectoryDurabilityTests {
    static func rows(_ range: Range<Int>) -> Data {
        var text = ""
        for index in range {
            text += #"{"path": "bulk/cam-\#(index)", "name": "监控点 \#(index)", "kind": "camera", "source": "push", "zone": "z\#(index % 7)"}"# + "\n"
        }
        return Data(text.utf8)
    }

    static func startMuster(dataDirectory: String) async throws -> (ExternalProcess, HTTPTestClient) {
        let muster = try ExternalProcess(try MusterCommandTests.binary, [
            "serve", "--data-dir", dataDirectory, "--rtsp-listen", "127.0.0.1:0", "--rtp-port", "0", "--api-listen", "127.0.0.1:0",
            "--osmand-listen", "127.0.0.1:0", "--nmea-listen", "127.0.0.1:0",
        ])
        try muster.start()
        let port = try await MusterCommandTests.apiPort(loggedBy: muster)
        return (muster, HTTPTestClient(port: port))
    }

    @Test func anAcknowledgedImportSurvivesKillNine() async throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("muster-kill-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }

        let (first, api) = try await Self.startMuster(dataDirectory: dataDirectory)
        let acknowledged = try await api.send("POST", "/api/v1/import/channels", body: Self.rows(0..<12_000), contentType: "application/x-ndjson")
        #expect(try acknowledged.json()["imported"] as? Int == 12_000, "\(acknowledged.text.prefix(500))")
        // A second, larger import is cut short by the kill.
        let interrupted = Task { try? await api.send("POST", "/api/v1/import/channels", body: Self.rows(12_000..<200_000), contentType: "application/x-ndjson") }
        try await Task.sleep(for: .milliseconds(700))
        first.signal(SIGKILL)
        _ = try await first.wait(timeout: .seconds(10))
        _ = await interrupted.value

        let (second, restarted) = try await Self.startMuster(dataDirectory: dataDirectory)
        defer { second.stop() }
        let stats = try await restarted.get("/api/v1/stats").json()
        let count = try #require(stats["channels"] as? Int)
        #expect(count >= 12_000, "acknowledged rows were lost: \(count) remain")
        // Batches are transactions: a kill never leaves half of one.
        #expect((count - 12_000) % 5000 == 0 || count == 200_000, "\(count) rows: a batch was half stored")
        #expect(try await restarted.get("/api/v1/channels/bulk/cam-11999").status == 200)
        #expect(try await restarted.post("/api/v1/channels", json: ["path": "after/kill", "kind": "camera", "source": "push"]).status == 201)
    }

    @Test func acknowledgedPositionsSurviveKillNine() async throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("muster-kill-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }

        let (first, api) = try await Self.startMuster(dataDirectory: dataDirectory)
        #expect(try await api.post("/api/v1/units", json: ["id": "rescuer-1", "name": "救援队员 1", "kind": "body-worn"]).status == 201)
        // Several writers at once, so acknowledgements come from shared group commits.
        let acknowledged = Acknowledged()
        let writers = (0..<4).map { writer in
            Task {
                for batch in 0..<10_000 {
                    let positions = (0..<20).map { index in
                        ["latitude": 30 + Double(writer) / 10 + Double(index) / 10_000, "longitude": 114 + Double(batch) / 100_000]
                    }
                    guard let answer = try? await api.post("/api/v1/units/rescuer-1/positions", json: positions), answer.status == 200 else { return }
                    acknowledged.add(20)
                }
            }
        }
        try await Task.sleep(for: .milliseconds(1500))
        first.signal(SIGKILL)
        _ = try await first.wait(timeout: .seconds(10))
        for writer in writers { await writer.value }
        let count = acknowledged.count
        #expect(count > 0)

        let (second, restarted) = try await Self.startMuster(dataDirectory: dataDirectory)
        defer { second.stop() }
        let track = try await restarted.get("/api/v1/units/rescuer-1/positions?since=1h&limit=100000").json()
        let stored = try #require(track["positions"] as? [Any]).count
        #expect(stored >= count, "\(count) positions were acknowledged but only \(stored) survived")
        #expect(try await restarted.get("/api/v1/units/rescuer-1").json()["last_position"] is [String: Any])
    }
}

/// A count shared by concurrent writers.
final class Acknowledged: Sendable {
    private let value = Mutex(0)
    func add(_ amount: Int) { value.withLock { $0 += amount } }
    var count: Int { value.withLock { $0 } }
}
