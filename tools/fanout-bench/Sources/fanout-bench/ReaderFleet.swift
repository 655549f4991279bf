import FanoutBenchCore
import NIOCore
import NIOPosix

/// N readers of one URL on one event loop group, joined a few at a time.
final class ReaderFleet: Sendable {
    struct Reader: Sendable {
        var channel: (any Channel)?
        var counters: ReaderCounters
        var eventLoop: any EventLoop
    }

    let group: MultiThreadedEventLoopGroup
    let host: String
    let port: Int
    let url: String
    let progress = FleetProgress()
    /// Readers per loopback source address (127.0.0.1, 127.0.0.2, ...): servers may limit the
    /// sessions of one client address, as command centers each have their own. 0: all from the
    /// kernel's choice.
    let readersPerAddress: Int

    init(group: MultiThreadedEventLoopGroup, url: String, readersPerAddress: Int) throws {
        guard url.hasPrefix("rtsp://") else { throw ValidationFailure("only rtsp:// URLs: \(url)") }
        let rest = url.dropFirst("rtsp://".count)
        let authority = rest.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        let parts = authority.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { throw ValidationFailure("rtsp://HOST:PORT/PATH expected: \(url)") }
        self.group = group
        self.host = String(parts[0])
        self.port = port
        self.url = url
        self.readersPerAddress = readersPerAddress
    }

    /// The local address reader `index` connects from, if readers are spread over addresses.
    func sourceAddress(forReader index: Int) throws -> SocketAddress? {
        guard readersPerAddress > 0, host.hasPrefix("127.") else { return nil }
        let last = 1 + index / readersPerAddress
        guard last <= 254 else { throw ValidationFailure("too many readers for 127.0.0.1-254 at \(readersPerAddress) each") }
        return try SocketAddress(ipAddress: "127.0.0.\(last)", port: 0)
    }

    /// Connects one reader and returns once its PLAY is answered or it failed.
    func join(index: Int) async -> Reader {
        let loop = group.next()
        let counters = ReaderCounters()
        let played = loop.makePromise(of: Void.self)
        let url = self.url
        let progress = self.progress
        let host = self.host
        let port = self.port
        let source = try? sourceAddress(forReader: index)
        let connected = loop.submit {
            counters.connectStartNanos = NIODeadline.now().uptimeNanoseconds
        }.flatMap { _ in
            var bootstrap = ClientBootstrap(group: loop)
            if let source { bootstrap = bootstrap.bind(to: source) }
            return bootstrap
                .connectTimeout(.seconds(5))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            RTSPReaderHandler(url: url, counters: counters, progress: progress, played: played)
                        )
                    }
                }
                .connect(host: host, port: port)
        }
        connected.whenFailure { error in
            counters.failure = "connect: \(Self.describe(error))"
            progress.failed.add(1, ordering: .relaxed)
            played.fail(error)
        }
        let channel = try? await connected.get()
        _ = try? await played.futureResult.get()
        return Reader(channel: channel, counters: counters, eventLoop: loop)
    }

    /// Joins `count` readers with at most `concurrency` of them in their RTSP exchange at once.
    func join(count: Int, concurrency: Int) async -> [Reader] {
        await withTaskGroup(of: Reader.self) { tasks in
            var readers: [Reader] = []
            readers.reserveCapacity(count)
            var started = 0
            while started < min(concurrency, count) {
                let index = started
                tasks.addTask { await self.join(index: index) }
                started += 1
            }
            while let reader = await tasks.next() {
                readers.append(reader)
                if started < count {
                    let index = started
                    tasks.addTask { await self.join(index: index) }
                    started += 1
                }
            }
            return readers
        }
    }

    static func snapshot(_ readers: [Reader]) async -> [ReaderSnapshot] {
        let futures = readers.map { reader in
            let counters = reader.counters
            return reader.eventLoop.submit { counters.snapshot() }
        }
        var snapshots: [ReaderSnapshot] = []
        snapshots.reserveCapacity(futures.count)
        for future in futures {
            if let snapshot = try? await future.get() { snapshots.append(snapshot) }
        }
        return snapshots
    }

    /// Sends TEARDOWN on every playing reader and closes all, waiting at most `timeout`.
    static func tearDown(_ readers: [Reader], timeout: TimeAmount) async {
        let closes: [EventLoopFuture<Void>] = readers.compactMap { reader in
            guard let channel = reader.channel else { return nil }
            channel.pipeline.fireUserInboundEventTriggered(ReaderTeardown())
            return channel.closeFuture
        }
        guard let first = closes.first else { return }
        let loop = first.eventLoop
        let all = EventLoopFuture.andAllComplete(closes, on: loop)
        let deadline = loop.makePromise(of: Void.self)
        let timer = loop.scheduleTask(in: timeout) { deadline.succeed(()) }
        all.cascade(to: deadline)
        try? await deadline.futureResult.get()
        timer.cancel()
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? IOError { return "errno \(error.errnoCode)" }
        if error is ChannelError { return "\(error)" }
        return "\(type(of: error))"
    }
}

struct ValidationFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
