import NIOCore
import NIOHTTP1
import NIOPosix
import TrackerBenchCore

struct APIResponse: Sendable {
    var status: Int
    var body: ByteBuffer
}

struct APIConnectionClosed: Error {}

/// One keep-alive connection to the admin API, one request at a time. Lives on its event loop.
final class APIConnection {
    let channel: any Channel
    private let handler: APIResponseHandler
    private let host: String

    private init(channel: any Channel, handler: APIResponseHandler, host: String) {
        self.channel = channel
        self.handler = handler
        self.host = host
    }

    static func connect(to address: SocketAddress, on loop: any EventLoop) -> EventLoopFuture<APIConnection> {
        ClientBootstrap(group: loop)
            .connectTimeout(.seconds(10))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(APIResponseHandler())
                }
            }
            .connect(to: address)
            .flatMapThrowing { channel in
                let handler = try channel.pipeline.syncOperations.handler(type: APIResponseHandler.self)
                return APIConnection(channel: channel, handler: handler, host: "\(address.ipAddress ?? "127.0.0.1"):\(address.port ?? 0)")
            }
    }

    /// GET `uri`; must be called on the connection's loop.
    func get(_ uri: String) -> EventLoopFuture<APIResponse> {
        let promise = channel.eventLoop.makePromise(of: APIResponse.self)
        guard channel.isActive, handler.promise == nil else {
            promise.fail(APIConnectionClosed())
            return promise.futureResult
        }
        handler.promise = promise
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: uri, headers: headers)), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        return promise.futureResult
    }

    func close() -> EventLoopFuture<Void> { channel.close() }
}

final class APIResponseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    var promise: EventLoopPromise<APIResponse>?
    private var status = 0
    private var body: ByteBuffer?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            body = nil
        case .body(var chunk):
            if body == nil { body = chunk } else { body!.writeBuffer(&chunk) }
        case .end:
            let promise = self.promise
            self.promise = nil
            promise?.succeed(APIResponse(status: status, body: body ?? ByteBuffer()))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let promise = self.promise
        self.promise = nil
        promise?.fail(APIConnectionClosed())
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let promise = self.promise
        self.promise = nil
        promise?.fail(error)
        context.close(promise: nil)
    }
}

/// Queries at fixed rates on a pool of API connections, open loop: each query is due at its
/// time whatever the previous ones do, and its latency counts from then, so a slow gateway
/// cannot hide its stalls by delaying the next query.
final class QueryLoad {
    struct Kind {
        var name: String
        var perSecond: Double
        var makeURI: (Double, Double) -> String
        var samples: [Double] = []
        var results: [Int] = []
        var issued = 0
        var failed = 0
        var lastProblem: String?
    }

    let loop: any EventLoop
    private var kinds: [Kind]
    private var free: [APIConnection]
    private var all: [APIConnection]
    private var waiting: [(kind: Int, uri: String, due: NIODeadline)] = []
    private var random: SplitMix64
    private let cityShare: Double
    private var tasks: [RepeatedTask] = []
    private var stopped = false
    private var outstanding = 0

    init(loop: any EventLoop, kinds: [Kind], cityShare: Double, seed: UInt64) {
        self.loop = loop
        self.kinds = kinds
        free = []
        all = []
        self.cityShare = cityShare
        random = SplitMix64(seed: seed)
    }

    /// Opens the pool's connections.
    func connect(to address: SocketAddress, count: Int) -> EventLoopFuture<Void> {
        let opening = (0..<count).map { _ in
            APIConnection.connect(to: address, on: loop).assumeIsolated().map { connection in
                self.free.append(connection)
                self.all.append(connection)
            }.nonisolated()
        }
        return EventLoopFuture.andAllSucceed(opening, on: loop)
    }

    func start() {
        let bound = NIOLoopBound(self, eventLoop: loop)
        for (index, kind) in kinds.enumerated() where kind.perSecond > 0 {
            let interval = TimeAmount.nanoseconds(Int64(1e9 / kind.perSecond))
            // Offsets keep the kinds from firing at the same instant.
            let offset = TimeAmount.nanoseconds(Int64(1e9 / kind.perSecond / Double(kinds.count) * Double(index)))
            tasks.append(loop.scheduleRepeatedTask(initialDelay: interval + offset, delay: interval) { _ in bound.value.issue(index) })
        }
    }

    func stop() {
        stopped = true
        for task in tasks { task.cancel() }
        tasks = []
    }

    private func issue(_ kind: Int) {
        guard !stopped else { return }
        let point = randomPoint(cityShare: cityShare, using: &random)
        let uri = kinds[kind].makeURI(point.latitude, point.longitude)
        kinds[kind].issued += 1
        let due = NIODeadline.now()
        if let connection = free.popLast() {
            run(connection, kind: kind, uri: uri, due: due)
        } else {
            waiting.append((kind, uri, due))
        }
    }

    private func run(_ connection: APIConnection, kind: Int, uri: String, due: NIODeadline) {
        outstanding += 1
        connection.get(uri).assumeIsolated().whenComplete { result in
            self.outstanding -= 1
            let elapsed = Double((NIODeadline.now() - due).nanoseconds) / 1e6
            switch result {
            case .success(let response) where response.status == 200:
                self.kinds[kind].samples.append(elapsed)
                self.kinds[kind].results.append(Self.count(of: "\"distance_m\"", in: response.body))
            case .success(let response):
                self.kinds[kind].failed += 1
                self.kinds[kind].lastProblem = "HTTP \(response.status): \(String(buffer: response.body).prefix(200))"
            case .failure(let error):
                self.kinds[kind].failed += 1
                self.kinds[kind].lastProblem = "\(error)"
            }
            guard connection.channel.isActive else { return }
            if !self.waiting.isEmpty {
                let next = self.waiting.removeFirst()
                self.run(connection, kind: next.kind, uri: next.uri, due: next.due)
            } else {
                self.free.append(connection)
            }
        }
    }

    static func count(of needle: String, in buffer: ByteBuffer) -> Int {
        let pattern = Array(needle.utf8)
        return buffer.withUnsafeReadableBytes { bytes in
            guard bytes.count >= pattern.count else { return 0 }
            var found = 0
            var index = 0
            while index <= bytes.count - pattern.count {
                if bytes[index] == pattern[0] {
                    var match = true
                    for offset in 1..<pattern.count where bytes[index + offset] != pattern[offset] {
                        match = false
                        break
                    }
                    if match {
                        found += 1
                        index += pattern.count
                        continue
                    }
                }
                index += 1
            }
            return found
        }
    }

    func figures() -> [QueryFigures] {
        kinds.map { kind in
            QueryFigures(
                path: kind.name, perSecond: kind.perSecond, issued: kind.issued, failed: kind.failed,
                latency: LatencySummary(samples: kind.samples),
                meanResults: kind.results.isEmpty ? nil : Double(kind.results.reduce(0, +)) / Double(kind.results.count)
            )
        }
    }

    var problems: [String] { kinds.compactMap { kind in kind.lastProblem.map { "\(kind.name): \($0)" } } }

    func close() -> EventLoopFuture<Void> {
        EventLoopFuture.whenAllComplete(all.map { $0.close() }, on: loop).map { _ in }
    }
}
