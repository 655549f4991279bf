import Foundation
import ArgumentParser

/// `musterctl profiles list|reload` and `musterctl transcoders`.
struct ProfilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "The transcoding profiles; a channel is served in one at rtsp://HOST:8554/PATH~PROFILE.",
        subcommands: [ProfilesListCommand.self, ProfilesReloadCommand.self]
    )
}

struct APIProfile: Decodable, Sendable {
    var name: String
    var description: String?
    var video: String
    var audio: String
}

struct APIProfileList: Decodable, Sendable {
    var profiles: [APIProfile]

    func print(in context: CommandContext) {
        var table = TextTable([.init(title: "NAME"), .init(title: "VIDEO"), .init(title: "AUDIO"), .init(title: "DESCRIPTION")])
        for profile in profiles {
            table.append([profile.name, profile.video, profile.audio, profile.description ?? ""])
        }
        context.printTable(table)
    }
}

struct ProfilesListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the profiles.")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let context = try global.makeContext()
        let body = try await context.api.get(.profiles)
        if context.wantsJSON { return context.printJSON(body) }
        try context.api.decode(APIProfileList.self, from: body).print(in: context)
    }
}

struct ProfilesReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Read the gateway's profiles directory again (admin); a broken file keeps the old profiles."
    )
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let context = try global.makeContext()
        let body = try await context.api.send(.POST, .reloadProfiles, json: [String: String]())
        if context.wantsJSON { return context.printJSON(body) }
        try context.api.decode(APIProfileList.self, from: body).print(in: context)
    }
}

/// `musterctl transcoders`: what is being transcoded now.
struct TranscodersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcoders",
        abstract: "List the running transcoders (one per channel and profile, shared by its consumers)."
    )
    @OptionGroup var global: GlobalOptions

    struct Transcoder: Decodable {
        var path: String
        var profile: String
        var consumers: Int
        var width: Int?
        var height: Int?
        var framesEncoded: Int
        var decodeErrors: Int
        var cpuSeconds: Double

        enum CodingKeys: String, CodingKey {
            case path, profile, consumers, width, height, framesEncoded = "frames_encoded", decodeErrors = "decode_errors", cpuSeconds = "cpu_seconds"
        }
    }

    struct List: Decodable { var transcoders: [Transcoder] }

    func run() async throws {
        let context = try global.makeContext()
        let body = try await context.api.get(.transcoders)
        if context.wantsJSON { return context.printJSON(body) }
        let transcoders = try context.api.decode(List.self, from: body).transcoders
        guard !transcoders.isEmpty else { return ConsoleOutput.printError("no transcoders running\n") }
        var table = TextTable([
            .init(title: "PATH"), .init(title: "PROFILE"), .init(title: "CONSUMERS", alignment: .right), .init(title: "SIZE"),
            .init(title: "FRAMES", alignment: .right), .init(title: "ERRORS", alignment: .right), .init(title: "CPU", alignment: .right),
        ])
        for transcoder in transcoders {
            let size = transcoder.width.map { "\($0)x\(transcoder.height ?? 0)" } ?? ""
            table.append([
                transcoder.path, transcoder.profile, String(transcoder.consumers), size, String(transcoder.framesEncoded),
                String(transcoder.decodeErrors), String(format: "%.1fs", transcoder.cpuSeconds),
            ])
        }
        context.printTable(table)
    }
}
