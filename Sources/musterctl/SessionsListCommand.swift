import ArgumentParser

/// `musterctl sessions list [--channel PATH]`.
struct SessionsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List consumer and publisher sessions.")

    @Option(help: "Only sessions of this channel path.")
    var channel: String?
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let context = try global.makeContext()
        let body = try await context.api.get(APIEndpoint.sessions.adding("channel", channel))
        if context.wantsJSON {
            context.printJSON(body)
            return
        }
        let sessions = try context.api.decode(APISessionList.self, from: body).sessions
        guard !sessions.isEmpty else {
            ConsoleOutput.printError(channel.map { "no sessions on \($0)\n" } ?? "no sessions\n")
            return
        }
        var table = TextTable([
            .init(title: "ID"), .init(title: "CHANNEL"), .init(title: "ROLE"), .init(title: "PROTOCOL"), .init(title: "TRANSPORT"),
            .init(title: "REMOTE"), .init(title: "BYTES", alignment: .right), .init(title: "STARTED"), .init(title: "USER"),
        ])
        for session in sessions {
            table.append([
                session.id, session.channel, session.role, session.protocol, session.transport, session.remoteAddress,
                DisplayFormatting.byteCount(session.bytes), DisplayFormatting.timestamp(session.startedAt), session.user ?? "",
            ])
        }
        context.printTable(table)
    }
}
