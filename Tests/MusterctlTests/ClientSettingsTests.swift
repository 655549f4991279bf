import Foundation
import Testing

@testable import musterctl

@Suite struct ClientSettingsTests {
    private let file = ClientSettings.ConfigFile(server: "http://file:1", token: "file-token")

    @Test func flagsWinOverEnvironmentAndFile() throws {
        let settings = try ClientSettings.resolve(
            serverFlag: "http://flag:1", tokenFlag: "flag-token",
            environment: ["MUSTER_SERVER": "http://env:1", "MUSTER_TOKEN": "env-token"]
        ) { () throws(MusterctlError) in
            Issue.record("the config file was read although flags gave everything")
            return file
        }
        #expect(settings.server.host == "flag")
        #expect(settings.serverOrigin == .flag)
        #expect(settings.token == "flag-token")
    }

    @Test func environmentWinsOverFile() throws {
        let settings = try ClientSettings.resolve(
            serverFlag: nil, tokenFlag: nil, environment: ["MUSTER_SERVER": "http://env:1"]
        ) { () throws(MusterctlError) in file }
        #expect(settings.server.host == "env")
        #expect(settings.serverOrigin == .environment)
        #expect(settings.token == "file-token")
    }

    @Test func emptyValuesCountAsUnset() throws {
        let settings = try ClientSettings.resolve(
            serverFlag: "", tokenFlag: " ", environment: ["MUSTER_SERVER": "", "MUSTER_TOKEN": ""]
        ) { () throws(MusterctlError) in nil }
        #expect(settings.server.description == "http://127.0.0.1:9780")
        #expect(settings.serverOrigin == .builtInDefault)
        #expect(settings.token == nil)
    }

    @Test func configFilePathPrefersXDG() {
        #expect(ClientSettings.configFilePath(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"]) == "/x/muster/musterctl.json")
        #expect(ClientSettings.configFilePath(environment: ["XDG_CONFIG_HOME": "", "HOME": "/h"]) == "/h/.config/muster/musterctl.json")
        #expect(ClientSettings.configFilePath(environment: [:]) == nil)
    }

    @Test func configFileReading() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("musterctl-tests-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("musterctl.json").path

        #expect(try ClientSettings.readConfigFile(at: path) == nil)
        try Data(#"{"server": "http://cfg:9", "token": "t"}"#.utf8).write(to: URL(fileURLWithPath: path))
        let file = try #require(try ClientSettings.readConfigFile(at: path))
        #expect(file.server == "http://cfg:9")
        #expect(file.token == "t")
        try Data("not json".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: MusterctlError.self) { try ClientSettings.readConfigFile(at: path) }
    }
}
