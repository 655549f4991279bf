import ArgumentParser
import Foundation

/// `musterctl events`: follows the gateway's event stream until Ctrl-C.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Follow the gateway's events (channels added, removed, online, offline; sessions started, stopped; unit positions, units online and offline).",
        discussion: "One line per event: local time, type, channel and the event's facts. With --output json, each event's JSON data on its own line. Ctrl-C ends it."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let context = try global.makeContext()
        // No idle timeout: the stream is quiet for as long as nothing happens.
        try await context.api.stream(.events, accept: "text/event-stream", idleTimeout: nil) { body in
            var parser = ServerSentEventParser()
            for try await chunk in body {
                parser.append(chunk.readableBytesView)
                do {
                    while let event = try parser.next() {
                        let line = context.wantsJSON
                            ? EventLineFormatter.jsonLine(for: event)
                            : EventLineFormatter.line(for: event, receivedAt: Date())
                        ConsoleOutput.print(line + "\n")
                    }
                } catch {
                    throw MusterctlError.failed("the event stream has a line longer than \(ServerSentEventParser.maximumLineLength >> 20) MiB; is it a Muster gateway?")
                }
            }
        }
        ConsoleOutput.printError("the gateway ended the event stream\n")
    }
}
