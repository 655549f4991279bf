import Foundation
import NIOCore
import NIOPosix
import Synchronization
import TrackerBenchCore

/// Counters the once-a-second sampler reads from another thread.
final class LiveCounters: Sendable {
    let httpSent = Atomic<Int>(0)
    let httpAnswered = Atomic<Int>(0)
    let nmeaSent = Atomic<Int>(0)
}

/// One keep-alive connection to the OsmAnd listener, carrying several units' reports in turn,
/// one request at a time, as a Traccar Client does for its one unit.
final class OsmAndConnection {
    let index: Int32
    let units: Range<Int>
    /// When its first report is due, from the run's start; its units follow 1/count s apart.
    let phase: UInt64
    var channel: (any Channel)?
    var sequence = 0
    var sentAt: UInt64 = 0
    var inFlight = false
    var dead = false
    var received: ByteBuffer?

    init(index: Int32, units: Range<Int>, phase: UInt64) {
        self.index = index
        self.units = units
        self.phase = phase
    }

    func due(_ sequence: Int) -> UInt64 { phase + UInt64(sequence) * 1_000_000_000 / UInt64(units.count) }

    /// How many reports fall due before `end`.
    func dueCount(before end: UInt64) -> Int {
        guard end > phase else { return 0 }
        var count = Int(Double(end - phase) * Double(units.count) / 1e9)
        while due(count) < end { count += 1 }
        while count > 0 && due(count - 1) >= end { count -= 1 }
        return count
    }
}

/// What the load loop measured, handed to the command at the end.
struct DriverResults: Sendable {
    var latency: LatencyHistogram
    var worstPerSecond: [UInt64]
    var sendLag: LatencyHistogram
    var status: [Int: Int]
    var httpSent: Int
    var httpDue: Int
    var nmeaSent: Int
    var nmeaDue: Int
    var connectionsLost: Int
    var unanswered: Int
    var protocolErrors: [String]
    var connectFailures: Int
}

/// The whole input load on one event loop: the OsmAnd connections, paced by a timing wheel, and
/// the NMEA datagrams, written in batches each tick so NIO sends them with one sendmmsg.
/// Everything here runs on `loop`.
final class LoadDriver {
    enum Mode {
        /// Each unit once per second, until the end.
        case paced
        /// Each OsmAnd unit once, as fast as answers come (the warm-up that registers units).
        case once
    }

    static let tick: UInt64 = 2_000_000

    let loop: any EventLoop
    let plan: UnitPlan
    let mode: Mode
    let counters: LiveCounters
    let osmand: SocketAddress
    let nmea: SocketAddress
    /// Positions are where each unit is this many seconds after the epoch (shared by warm-up and load).
    let epoch: Double
    private let hostHeader: [UInt8]
    private(set) var connections: [OsmAndConnection] = []
    private var wheel = TimingWheel(tickNanoseconds: LoadDriver.tick, horizonNanoseconds: 1_100_000_000)
    private var origin: UInt64 = 0
    private var wallOrigin = 0.0
    private var stopAt: UInt64 = .max
    private(set) var running = false
    private var udp: (any Channel)?
    private var nmeaSequence = 0
    private var clock: (second: Int, value: NMEAClock)?
    private var tickTask: RepeatedTask?
    private var scratch: [UInt8] = []
    private var offsets: [Int] = []
    private var expired: [Int32] = []
    private var closing = false

    private var latency = LatencyHistogram()
    /// The slowest answer in each second of the run, in nanoseconds.
    private var worstPerSecond: [UInt64] = []
    private var sendLag = LatencyHistogram()
    private var status: [Int: Int] = [:]
    private var httpSent = 0
    private var nmeaSent = 0
    private var connectionsLost = 0
    private var lostInFlight = 0
    private var protocolErrors: [String] = []
    private var connectFailures = 0
    private var idleWaiters: [EventLoopPromise<Void>] = []

    init(loop: any EventLoop, plan: UnitPlan, mode: Mode, counters: LiveCounters, osmand: SocketAddress, nmea: SocketAddress,
         epoch: Double, unitsPerConnection: Int) {
        self.loop = loop
        self.plan = plan
        self.mode = mode
        self.counters = counters
        self.osmand = osmand
        self.nmea = nmea
        self.epoch = epoch
        hostHeader = Array("\(osmand.ipAddress ?? "127.0.0.1"):\(osmand.port ?? 0)".utf8)
        let perConnection = max(1, unitsPerConnection)
        var first = plan.httpUnits.lowerBound
        var index: Int32 = 0
        let connectionCount = (plan.httpCount + perConnection - 1) / perConnection
        while first < plan.httpUnits.upperBound {
            let units = first..<min(first + perConnection, plan.httpUnits.upperBound)
            // Connections start spread over one unit interval so the load is even from the first second.
            let phase = connectionCount > 0 ? UInt64(index) * (1_000_000_000 / UInt64(perConnection)) / UInt64(connectionCount) : 0
            connections.append(OsmAndConnection(index: index, units: units, phase: phase))
            first = units.upperBound
            index += 1
        }
        scratch.reserveCapacity(64 * 1024)
    }

    private var nowNanoseconds: UInt64 { NIODeadline.now().uptimeNanoseconds &- origin }

    // MARK: Setup

    /// Opens every OsmAnd connection, `concurrency` at a time, and the NMEA UDP socket.
    func connect(concurrency: Int) -> EventLoopFuture<Void> {
        let done = loop.makePromise(of: Void.self)
        var next = 0
        var outstanding = 0
        let bound = NIOLoopBound(self, eventLoop: loop)
        func startMore() {
            while outstanding < concurrency && next < connections.count {
                let connection = connections[next]
                next += 1
                outstanding += 1
                let boundConnection = NIOLoopBound(connection, eventLoop: loop)
                ClientBootstrap(group: loop)
                    .connectTimeout(.seconds(10))
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(
                                OsmAndResponseHandler(driver: bound.value, connection: boundConnection.value)
                            )
                        }
                    }
                    .connect(to: osmand)
                    .assumeIsolated()
                    .whenComplete { result in
                        outstanding -= 1
                        switch result {
                        case .success(let channel): connection.channel = channel
                        case .failure:
                            connection.dead = true
                            self.connectFailures += 1
                        }
                        if next == self.connections.count && outstanding == 0 {
                            done.succeed(())
                        } else {
                            startMore()
                        }
                    }
            }
            if connections.isEmpty { done.succeed(()) }
        }
        startMore()
        let udpReady = DatagramBootstrap(group: loop)
            .channelOption(.socketOption(.so_sndbuf), value: 4 * 1024 * 1024)
            .bind(host: "127.0.0.1", port: 0)
            .assumeIsolated()
            .map { channel in self.udp = channel }
            .nonisolated()
        return done.futureResult.and(udpReady).map { _ in }
    }

    // MARK: Running

    /// Starts the load now; paced mode stops sending after `duration` seconds.
    func start(duration: Double) {
        origin = NIODeadline.now().uptimeNanoseconds
        wallOrigin = Date().timeIntervalSince1970
        stopAt = mode == .paced ? UInt64(duration * 1e9) : .max
        running = true
        switch mode {
        case .paced:
            for connection in connections where !connection.dead { wheel.insert(connection.index, dueNanoseconds: connection.due(0)) }
        case .once:
            for connection in connections where !connection.dead { send(connection, now: 0) }
        }
        let bound = NIOLoopBound(self, eventLoop: loop)
        tickTask = loop.scheduleRepeatedTask(initialDelay: .nanoseconds(Int64(Self.tick)), delay: .nanoseconds(Int64(Self.tick))) { _ in
            bound.value.onTick()
        }
        checkIdle()
    }

    private func onTick() {
        let now = nowNanoseconds
        if running && now >= stopAt {
            running = false
            tickTask?.cancel()
            tickTask = nil
        }
        if mode == .paced {
            expired.removeAll(keepingCapacity: true)
            wheel.expire(upToNanoseconds: min(now, stopAt &- 1), into: &expired)
            for index in expired {
                let connection = connections[Int(index)]
                let due = connection.due(connection.sequence)
                if due > now {
                    wheel.insert(index, dueNanoseconds: due)  // parked beyond the horizon
                } else if due < stopAt {
                    send(connection, now: now)
                }
            }
            sendDatagrams(upTo: min(now, stopAt &- 1))
        }
        checkIdle()
    }

    private func wallSeconds(at relative: UInt64) -> Double { wallOrigin + Double(relative) / 1e9 }

    private func send(_ connection: OsmAndConnection, now: UInt64) {
        guard let channel = connection.channel, !connection.dead else { return }
        let sequence = connection.sequence
        let unit = connection.units.lowerBound + sequence % connection.units.count
        let wall = wallSeconds(at: now)
        let position = plan.position(unit, at: wall - epoch)
        scratch.removeAll(keepingCapacity: true)
        OsmAndFormat.appendRequest(
            unitID: plan.idBytes(unit), unixSeconds: Int(wall), latitude: position.latitude, longitude: position.longitude,
            speedKnots: plan.speedKnots[unit], course: plan.courses[unit], battery: 100 - unit % 61, hostHeader: hostHeader, to: &scratch
        )
        var buffer = channel.allocator.buffer(capacity: scratch.count)
        buffer.writeBytes(scratch)
        if mode == .paced {
            let due = connection.due(sequence)
            sendLag.record(nanoseconds: now > due ? now - due : 0)
        }
        connection.sequence += 1
        connection.sentAt = NIODeadline.now().uptimeNanoseconds &- origin
        connection.inFlight = true
        httpSent += 1
        counters.httpSent.add(1, ordering: .relaxed)
        channel.writeAndFlush(buffer, promise: nil)
    }

    /// The NMEA units report 1/nmeaCount s apart, round and round.
    private func nmeaDue(_ sequence: Int) -> UInt64 { UInt64(sequence) * 1_000_000_000 / UInt64(max(1, plan.nmeaCount)) }

    private func sendDatagrams(upTo now: UInt64) {
        guard let udp, plan.nmeaCount > 0 else { return }
        scratch.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        while nmeaDue(nmeaSequence) <= now {
            let unit = plan.nmeaUnits.lowerBound + nmeaSequence % plan.nmeaCount
            let wall = wallSeconds(at: now)
            let second = Int(wall)
            if clock?.second != second { clock = (second, NMEAClock(unixSeconds: second)) }
            let position = plan.position(unit, at: wall - epoch)
            NMEAFormat.appendDatagram(
                unitID: plan.idBytes(unit), latitude: position.latitude, longitude: position.longitude,
                speedKnots: plan.speedKnots[unit], course: plan.courses[unit], clock: clock!.value, to: &scratch
            )
            offsets.append(scratch.count)
            nmeaSequence += 1
        }
        guard !offsets.isEmpty else { return }
        var all = udp.allocator.buffer(capacity: scratch.count)
        all.writeBytes(scratch)
        var start = 0
        for end in offsets {
            let datagram = all.getSlice(at: start, length: end - start)!
            udp.write(AddressedEnvelope(remoteAddress: nmea, data: datagram), promise: nil)
            start = end
        }
        udp.flush()
        nmeaSent += offsets.count
        counters.nmeaSent.add(offsets.count, ordering: .relaxed)
    }

    // MARK: Answers

    func answered(_ connection: OsmAndConnection, status code: Int) {
        let now = nowNanoseconds
        let elapsed = now > connection.sentAt ? now - connection.sentAt : 0
        latency.record(nanoseconds: elapsed)
        let second = Int(now / 1_000_000_000)
        if second < 100_000 {
            while worstPerSecond.count <= second { worstPerSecond.append(0) }
            worstPerSecond[second] = max(worstPerSecond[second], elapsed)
        }
        status[code, default: 0] += 1
        connection.inFlight = false
        counters.httpAnswered.add(1, ordering: .relaxed)
        switch mode {
        case .once:
            if connection.sequence < connection.units.count { send(connection, now: now) }
        case .paced:
            guard running else { break }
            let due = connection.due(connection.sequence)
            if due <= now {
                send(connection, now: now)
            } else if due < stopAt {
                wheel.insert(connection.index, dueNanoseconds: due)
            }
        }
        checkIdle()
    }

    func protocolError(_ connection: OsmAndConnection, _ problem: String) {
        if protocolErrors.count < 10 { protocolErrors.append(problem) }
    }

    func closed(_ connection: OsmAndConnection) {
        guard !connection.dead else { return }
        connection.dead = true
        if !closing {
            connectionsLost += 1
            if connection.inFlight { lostInFlight += 1 }
        }
        connection.inFlight = false
        checkIdle()
    }

    /// Succeeds once nothing is in flight and nothing more will be sent.
    func idle() -> EventLoopFuture<Void> {
        let promise = loop.makePromise(of: Void.self)
        idleWaiters.append(promise)
        checkIdle()
        return promise.futureResult
    }

    private var isIdle: Bool {
        let sending: Bool
        switch mode {
        case .paced: sending = running
        case .once: sending = connections.contains { !$0.dead && ($0.sequence < $0.units.count || $0.inFlight) }
        }
        return !sending && !connections.contains { $0.inFlight && !$0.dead }
    }

    private func checkIdle() {
        guard !idleWaiters.isEmpty, isIdle else { return }
        let waiters = idleWaiters
        idleWaiters = []
        for waiter in waiters { waiter.succeed(()) }
    }

    func results() -> DriverResults {
        let end = stopAt == .max ? nowNanoseconds : stopAt
        return DriverResults(
            latency: latency, worstPerSecond: worstPerSecond, sendLag: sendLag, status: status, httpSent: httpSent,
            httpDue: mode == .paced ? connections.reduce(0) { $0 + $1.dueCount(before: end) } : plan.httpCount,
            nmeaSent: nmeaSent,
            nmeaDue: mode == .paced && plan.nmeaCount > 0 ? Int((Double(end) * Double(plan.nmeaCount) / 1e9).rounded(.up)) : 0,
            connectionsLost: connectionsLost,
            unanswered: connections.filter(\.inFlight).count + lostInFlight,
            protocolErrors: protocolErrors, connectFailures: connectFailures
        )
    }

    func close() -> EventLoopFuture<Void> {
        closing = true
        running = false
        tickTask?.cancel()
        let closes = connections.compactMap(\.channel).map { $0.close() } + (udp.map { [$0.close()] } ?? [])
        return EventLoopFuture.whenAllComplete(closes, on: loop).map { _ in }
    }

    // MARK: NMEA over TCP (warm-up)

    /// Every NMEA unit's position on one TCP connection, `ID` line before each sentence; the
    /// stream is reliable, so the warm-up needs no retries.
    func sendNMEAOverTCP() -> EventLoopFuture<Void> {
        guard plan.nmeaCount > 0 else { return loop.makeSucceededVoidFuture() }
        let plan = self.plan, epoch = self.epoch
        return ClientBootstrap(group: loop).connectTimeout(.seconds(10)).connect(to: nmea).flatMap { channel in
            let wall = Date().timeIntervalSince1970
            let clock = NMEAClock(unixSeconds: Int(wall))
            var bytes: [UInt8] = []
            bytes.reserveCapacity(plan.nmeaCount * 90)
            for unit in plan.nmeaUnits {
                let position = plan.position(unit, at: wall - epoch)
                NMEAFormat.appendDatagram(
                    unitID: plan.idBytes(unit), latitude: position.latitude, longitude: position.longitude,
                    speedKnots: plan.speedKnots[unit], course: plan.courses[unit], clock: clock, to: &bytes
                )
            }
            var buffer = channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            return channel.writeAndFlush(buffer).flatMap { channel.close() }
        }
    }
}

/// Finds the answers in what the OsmAnd listener sends back.
final class OsmAndResponseHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let driver: LoadDriver
    private let connection: OsmAndConnection

    init(driver: LoadDriver, connection: OsmAndConnection) {
        self.driver = driver
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if var earlier = connection.received {
            connection.received = nil
            earlier.writeBuffer(&incoming)
            incoming = earlier
        }
        while incoming.readableBytes > 0 {
            switch HTTPResponseScanner.scan(incoming) {
            case .response(let status, let length):
                incoming.moveReaderIndex(forwardBy: length)
                driver.answered(connection, status: status)
            case .needMore:
                connection.received = incoming
                return
            case .invalid(let problem):
                driver.protocolError(connection, problem)
                context.close(promise: nil)
                return
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        driver.closed(connection)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
