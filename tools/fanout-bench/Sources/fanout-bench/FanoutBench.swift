import ArgumentParser

@main
struct FanoutBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fanout-bench",
        abstract: "RTSP fan-out benchmark: many readers in one process, figures side by side with a peer.",
        subcommands: [Measure.self, Report.self]
    )
}
