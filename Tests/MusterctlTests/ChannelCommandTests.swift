import ArgumentParser
import Foundation
import Testing

@testable import musterctl

/// The command line as parsed: request bodies built from options, and usage errors that exit 2.
@Suite struct ChannelCommandTests {
    private func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test func updateSendsOnlyWhatChangesAndNullForWhatIsCleared() throws {
        let command = try ChannelsUpdateCommand.parse([
            "hq/gate-1", "--name", "Tor 1", "--clear-zone", "--clear-position", "--no-on-demand", "--clear-tags",
        ])
        #expect(try json(command.update) == #"{"latitude":null,"longitude":null,"name":"Tor 1","on_demand":false,"tags":[],"zone":null}"#)
    }

    @Test func negativeCoordinatesAreValues() throws {
        let command = try ChannelsUpdateCommand.parse(["x", "--lat", "-33.9", "--lon", "-70.6", "--tag", "a", "--tag", "b", "--unit", "drone:1"])
        #expect(try json(command.update) == #"{"latitude":-33.9,"longitude":-70.6,"tags":["a","b"],"unit_id":"drone:1"}"#)
    }

    @Test func emptyUpdateEncodesAsEmptyObject() throws {
        #expect(APIChannelUpdate().isEmpty)
        #expect(try json(APIChannelUpdate()) == "{}")
    }

    @Test func addLeavesDefaultsToTheGateway() throws {
        let input = APIChannelInput(path: "hq/a", kind: "camera", source: "push")
        #expect(try json(input) == #"{"kind":"camera","path":"hq/a","source":"push"}"#)
    }

    @Test func sortTakesALeadingDash() throws {
        let command = try ChannelsListCommand.parse(["--sort", "-name"])
        #expect(command.sort == "-name")
    }

    @Test(arguments: [
        ["channels", "update", "hq/a"],
        ["channels", "update", "hq/a", "--zone", "z", "--clear-zone"],
        ["channels", "add", "hq/a", "--kind", "camera", "--source", "push", "--lat", "1"],
        ["channels", "list", "--limit", "0"],
        ["channels", "list", "--state", "busy"],
        ["channels", "import", "file.txt"],
        ["channels", "bogus"],
        ["units", "add", "u1"],
        ["--output", "yaml", "status"],
    ])
    func usageErrorsExit2(arguments: [String]) {
        do {
            _ = try Musterctl.parseAsRoot(arguments)
            Issue.record("\(arguments) parsed")
        } catch {
            #expect(Musterctl.exitStatus(for: Musterctl.exitCode(for: error)) == 2)
        }
    }

    @Test func runnerMapsOutcomesToExitStatuses() async throws {
        #expect(await Musterctl.run(["channels", "list", "--help"]) == 0)
        #expect(await Musterctl.run(["channels", "bogus"]) == 2)
        #expect(await Musterctl.run(["status", "--server", "https://gw"]) == 2)
        try await ClosedLoopbackPort.with { closedPort in
            #expect(await Musterctl.run(["status", "--server", "127.0.0.1:\(closedPort)"]) == 3)
        }
    }

    @Test func globalOptionsGoBeforeOrAfterTheSubcommand() throws {
        for arguments in [["--server", "gw:1", "--output", "json", "status"], ["status", "--server", "gw:1", "--output", "json"]] {
            let command = try #require(try Musterctl.parseAsRoot(arguments) as? StatusCommand)
            #expect(command.global.server == "gw:1")
            #expect(command.global.output == .json)
        }
    }
}
