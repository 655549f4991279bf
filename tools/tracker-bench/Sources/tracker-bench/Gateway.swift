import Foundation
import ArgumentParser
import NIOCore
import TrackerBenchCore

/// Where the gateway listens.
struct GatewayOptions: ParsableArguments {
    @Option(help: "The OsmAnd listener, HOST:PORT.") var osmand: String
    @Option(help: "The NMEA listener (TCP and UDP), HOST:PORT.") var nmea: String
    @Option(help: "The admin API, HOST:PORT.") var api: String
    @Option(help: "Unix time the units' tracks start from (share it between warmup and load).") var epoch: Double?

    static func address(_ text: String, _ name: String) throws -> SocketAddress {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else {
            throw ValidationError("--\(name) wants HOST:PORT (got \(text))")
        }
        let host = String(text[..<colon])
        guard host.hasPrefix("127.") || host == "::1" || host == "[::1]" else { throw ValidationError("--\(name): loopback only (got \(host))") }
        return try SocketAddress(ipAddress: host.trimmingPrefix("[").replacingOccurrences(of: "]", with: ""), port: port)
    }

    func addresses() throws -> (osmand: SocketAddress, nmea: SocketAddress, api: SocketAddress) {
        (try Self.address(osmand, "osmand"), try Self.address(nmea, "nmea"), try Self.address(api, "api"))
    }
}

/// Reads the tracker's counters from /metrics over one keep-alive connection.
final class MetricsScraper: Sendable {
    private let loop: any EventLoop
    private let address: SocketAddress
    private let connection: NIOLoopBoundBox<APIConnection?>

    init(loop: any EventLoop, address: SocketAddress) {
        self.loop = loop
        self.address = address
        connection = NIOLoopBoundBox.makeEmptyBox(valueType: APIConnection.self, eventLoop: loop)
    }

    func scrape() async throws -> TrackerCounters {
        let address = self.address, box = connection, loop = self.loop
        let response = try await loop.flatSubmit { () -> EventLoopFuture<APIResponse> in
            if let open = box.value, open.channel.isActive { return open.get("/metrics") }
            return APIConnection.connect(to: address, on: loop).assumeIsolated().flatMap { connection in
                box.value = connection
                return connection.get("/metrics")
            }.nonisolated()
        }.get()
        guard response.status == 200 else { throw ScrapeFailed(status: response.status) }
        return TrackerCounters(metrics: String(buffer: response.body))
    }

    /// Scrapes until the position counters stop moving (the gateway has worked through what it
    /// received), at most `timeout` seconds.
    func settle(timeout: Double) async throws -> TrackerCounters {
        let start = ContinuousClock.now
        var last = try await scrape()
        var unchanged = 0
        while seconds(since: start) < timeout {
            try await Task.sleep(for: .milliseconds(250))
            let now = try await scrape()
            if now.accepted == last.accepted && now.rejected == last.rejected && now.notStored == last.notStored {
                unchanged += 1
                if unchanged >= 2 { return now }
            } else {
                unchanged = 0
            }
            last = now
        }
        return last
    }

    func close() async {
        let box = connection, loop = self.loop
        _ = try? await loop.flatSubmit { box.value?.close() ?? loop.makeSucceededVoidFuture() }.get()
    }
}

struct ScrapeFailed: Error, CustomStringConvertible {
    var status: Int
    var description: String { "GET /metrics answered \(status)" }
}
