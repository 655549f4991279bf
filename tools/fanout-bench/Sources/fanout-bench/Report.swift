import ArgumentParser
import FanoutBenchCore
import Foundation

/// Reads the JSON lines of `measure` and prints the tables, the ratios and the targets.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print per-server tables, Muster/peer ratios and the targets from measure's JSON lines."
    )

    @Argument(help: "Files of JSON lines written by `fanout-bench measure`.") var files: [String]
    @Option(help: "plain, markdown or both.") var format: String = "both"
    @Option(help: "The server the targets are about.") var subject: String = "muster"
    @Option(help: "The server it is compared with.") var peer: String = "peer"
    @Option(help: "First line of the markdown (date, machine, command).") var heading: String = ""

    func run() throws {
        var results: [BenchResult] = []
        let decoder = JSONDecoder()
        for file in files {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("{") {
                results.append(try decoder.decode(BenchResult.self, from: Data(line.utf8)))
            }
        }
        let report = BenchReport(results: results, subject: subject, peer: peer)
        if format == "plain" || format == "both" { print(report.plain()) }
        if format == "both" { print("") }
        if format == "markdown" || format == "both" { print(report.markdown(heading: heading)) }
    }
}
