import Foundation
import Testing

/// The `muster` executable as an operator runs it.
@Suite(.serialized) struct MusterCommandTests {
    static var binary: String {
        get throws {
            let directory = Bundle.main.bundleURL.deletingLastPathComponent()
            let candidates = [Bundle.main.bundleURL.appendingPathComponent("muster"), directory.appendingPathComponent("muster")]
            guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
                throw TestFailure("no muster binary next to the tests in \(directory.path); build with `swift build --build-tests`")
            }
            return found.path
        }
    }

    @Test func printsVersionAndHelp() async throws {
        let version = try await ExternalProcess.run(try Self.binary, ["--version"])
        #expect(version.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
        let help = try await ExternalProcess.run(try Self.binary, ["serve", "--help"])
        for option in ["--config", "--data-dir", "--rtsp-listen", "--api-listen", "--admin-token", "--source"] {
            #expect(help.contains(option), "serve --help lacks \(option)")
        }
    }

    @Test func servesUntilSIGTERMThenExitsCleanly() async throws {
        let clip = try await MediaFixtures.h264AAC()
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("muster-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let muster = try ExternalProcess(try Self.binary, [
            "serve", "--data-dir", dataDirectory, "--rtsp-listen", "127.0.0.1:0", "--rtp-port", "0", "--api-listen", "127.0.0.1:0",
            "--osmand-listen", "127.0.0.1:0", "--nmea-listen", "127.0.0.1:0",
            "--source", "demo=\(clip)",
        ])
        try muster.start()
        defer { muster.stop() }
        let port = try await Self.rtspPort(loggedBy: muster)

        let streams = try await Players.probe("rtsp://127.0.0.1:\(port)/demo", transport: "tcp")
        #expect(streams.map(\.codec_name) == ["h264", "aac"])

        muster.signal(SIGTERM)
        let status = try await muster.wait(timeout: .seconds(15))
        #expect(status == 0, "muster exited with \(status): \(muster.standardError.suffix(2000))")
        #expect(muster.standardError.contains("gateway stopped"))
    }

    @Test func refusesAnonymousAccessBeyondLoopback() async throws {
        let muster = try ExternalProcess(try Self.binary, ["serve", "--rtsp-listen", "0.0.0.0:0", "--rtp-port", "0", "--api-listen", "127.0.0.1:0"])
        try muster.start()
        let status = try await muster.wait(timeout: .seconds(15))
        #expect(status != 0)
        #expect(muster.standardError.contains("anonymous access is allowed only on loopback"), "\(muster.standardError)")
    }

    @Test(arguments: [
        (["--source", "Bad Path=x.mp4"], "may only hold lowercase letters"),
        (["--source", "nourl"], "must look like PATH=URL"),
        (["--rtsp-listen", "localhost"], "must look like HOST:PORT"),
        (["--config", "/nonexistent/muster.yaml"], "cannot read config file"),
    ])
    func explainsBadArguments(arguments: [String], message: String) async throws {
        let muster = try ExternalProcess(try Self.binary, ["serve"] + arguments)
        try muster.start()
        let status = try await muster.wait(timeout: .seconds(15))
        #expect(status != 0)
        #expect(muster.standardError.contains(message), "\(muster.standardError)")
    }

    @Test func refusesAnAPIBeyondLoopbackWithoutAdminToken() async throws {
        let muster = try ExternalProcess(try Self.binary, ["serve", "--rtsp-listen", "127.0.0.1:0", "--rtp-port", "0", "--api-listen", "0.0.0.0:0"])
        try muster.start()
        let status = try await muster.wait(timeout: .seconds(15))
        #expect(status != 0)
        #expect(muster.standardError.contains("without an admin token"), "\(muster.standardError)")
    }

    /// Reads the RTSP port from the start-up log line of a gateway started on port 0.
    static func rtspPort(loggedBy muster: ExternalProcess) async throws -> Int {
        try await loggedPort(#"rtsp://127\.0\.0\.1:(\d+)"#, by: muster)
    }

    /// Reads the API port from the start-up log line of a gateway started on port 0.
    static func apiPort(loggedBy muster: ExternalProcess) async throws -> Int {
        try await loggedPort(#"http://127\.0\.0\.1:(\d+)/api"#, by: muster)
    }

    private static func loggedPort(_ pattern: String, by muster: ExternalProcess) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let log = muster.standardError
            if let range = log.range(of: pattern, options: .regularExpression) {
                let digits = log[range].split(separator: ":").last?.prefix { $0.isNumber } ?? ""
                if let port = Int(digits) { return port }
            }
            guard muster.isRunning else { throw TestFailure("muster exited: \(log)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("muster logged no listener matching \(pattern): \(muster.standardError)")
    }
}
