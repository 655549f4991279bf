import Foundation
import Logging
import MusterPositionFormats
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// NMEA 0183 over TCP and UDP on the same address and port. A sentence's unit is named by the
/// connection's or datagram's first line `ID <unit-id>`, or else by the sender's address in the
/// configured map (`ip:port` first, then `ip`). RMC and GGA become positions; other sentences
/// are ignored; bad sentences are counted and dropped.
public final class NMEAListener: Sendable {
    public let localAddress: SocketAddress?
    private let channels: [any Channel]

    private init(channels: [any Channel]) {
        self.channels = channels
        localAddress = channels.first?.localAddress
    }

    /// A line longer than this cannot be a sentence (82 characters) plus slack for a bad CR LF;
    /// the rest of it is skipped.
    static let maximumLineLength = 128

    public static func start(
        host: String, port: Int, unitsByAddress: [String: String], tracker: PositionTracker, group: any EventLoopGroup, logger: Logger
    ) async throws -> NMEAListener {
        let identities = NMEAIdentities(unitsByAddress: unitsByAddress)
        var attempts = 0
        while true {
            attempts += 1
            do {
                let channels = try await bind(host: host, port: port, identities: identities, tracker: tracker, group: group)
                let receiveBuffer = await enlargeReceiveBuffer(channels.udp)
                logger.info("NMEA position listener ready", metadata: [
                    "address": "\(host):\(channels.tcp.localAddress?.port ?? port)", "transports": "tcp, udp",
                    "udp_receive_buffer": "\(receiveBuffer)",
                ])
                if receiveBuffer < receiveBufferSize {
                    logger.warning("the NMEA UDP receive buffer is smaller than wanted; datagrams arriving during a pause are lost", metadata: [
                        "bytes": "\(receiveBuffer)", "wanted": "\(receiveBufferSize)",
                        "fix": "sysctl -w net.core.rmem_max=\(receiveBufferSize), or run with CAP_NET_ADMIN",
                    ])
                }
                return NMEAListener(channels: [channels.tcp, channels.udp])
            } catch where port == 0 && attempts < 20 {
                // The UDP port of the TCP port the system chose was taken: let it choose again.
                continue
            }
        }
    }

    /// The UDP receive buffer wanted: about a second of datagrams at 25 000 a second (the kernel
    /// charges each small datagram about 1 KiB), so that a pause of the process (a commit, a busy
    /// core) loses nothing.
    static let receiveBufferSize = 32 * 1024 * 1024

    /// SO_RCVBUF is capped at net.core.rmem_max (often 208 KiB–4 MiB); SO_RCVBUFFORCE is not, when
    /// the process may use it (CAP_NET_ADMIN). Returns the size the kernel granted.
    private static func enlargeReceiveBuffer(_ udp: any Channel) async -> Int {
        let granted: (any Channel) async -> Int = { udp in (try? await udp.getOption(.socketOption(.so_rcvbuf)).get()).map { Int($0) } ?? 0 }
        #if canImport(Glibc)
        _ = try? await udp.setOption(.socketOption(.init(rawValue: SO_RCVBUFFORCE)), value: SocketOptionValue(receiveBufferSize)).get()
        // Linux reports twice the size asked for (its bookkeeping overhead).
        return await granted(udp) / 2
        #else
        return await granted(udp)
        #endif
    }

    /// TCP, then UDP on the port TCP got, so that port 0 (tests) gives one port for both.
    private static func bind(
        host: String, port: Int, identities: NMEAIdentities, tracker: PositionTracker, group: any EventLoopGroup
    ) async throws -> (tcp: any Channel, udp: any Channel) {
        let tcp = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let unit = channel.remoteAddress.flatMap(identities.unit(for:))
                    try channel.pipeline.syncOperations.addHandler(NMEAStreamHandler(tracker: tracker, unit: unit))
                }
            }
            .bind(host: host, port: port)
            .get()
        do {
            let udp = try await DatagramBootstrap(group: group)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBufferSize))
                // recvmmsg: many datagrams per system call under load.
                .channelOption(.datagramVectorReadMessageCount, value: 64)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 64 * 2048))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(NMEADatagramHandler(tracker: tracker, identities: identities))
                    }
                }
                .bind(host: host, port: tcp.localAddress?.port ?? port)
                .get()
            return (tcp, udp)
        } catch {
            try? await tcp.close()
            throw error
        }
    }

    public func close() async {
        for channel in channels { try? await channel.close() }
    }
}

/// Which unit a sender is, by its address.
struct NMEAIdentities: Sendable {
    let unitsByAddress: [String: String]

    func unit(for address: SocketAddress) -> String? {
        guard let ip = address.ipAddress else { return nil }
        if let port = address.port, let unit = unitsByAddress["\(ip):\(port)"] { return unit }
        return unitsByAddress[ip]
    }
}

/// What one line of NMEA input means.
enum NMEALine {
    case identity(String)
    case sentence(ArraySlice<UInt8>)
    case blank

    static let identityPrefix = Array("ID ".utf8)

    init(_ line: ArraySlice<UInt8>) {
        var line = line
        while let last = line.last, last == UInt8(ascii: "\r") || last == UInt8(ascii: " ") { line.removeLast() }
        if line.isEmpty {
            self = .blank
        } else if line.starts(with: Self.identityPrefix) {
            // Bytes, not Foundation's trimming: this runs for every datagram.
            var id = line.dropFirst(Self.identityPrefix.count)
            while let first = id.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { id.removeFirst() }
            while let last = id.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { id.removeLast() }
            self = .identity(String(decoding: id, as: UTF8.self))
        } else {
            self = .sentence(line)
        }
    }

    /// Calls `body` with each line of `bytes` (without its LF), skipping empty ones.
    static func forEach(in bytes: ArraySlice<UInt8>, _ body: (ArraySlice<UInt8>) -> Void) {
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
            if start < end { body(bytes[start..<end]) }
            start = end < bytes.endIndex ? end + 1 : end
        }
    }
}

/// Parses sentences and hands positions to the tracker.
struct NMEAProcessor {
    let tracker: PositionTracker

    /// Appends the position a sentence holds, if any, to `reports`; a rejected sentence is counted.
    func append(_ sentence: ArraySlice<UInt8>, unit: String?, receivedAt: Date, to reports: inout [PositionReport]) {
        do {
            guard case .position(var report, _) = try NMEASentence.parse(sentence, receivedAt: receivedAt) else { return }
            report.unitID = unit
            reports.append(report)
        } catch {
            tracker.countRejection(error, source: .nmea)
        }
    }

    func countUnidentified(_ count: Int) {
        for _ in 0..<count {
            tracker.countRejection(PositionRejection(.unknownUnit, "sender has no unit id"), source: .nmea)
        }
    }

    func submit(_ reports: [PositionReport], unit: String?, receivedAt: Date) {
        guard !reports.isEmpty else { return }
        guard unit != nil else { return countUnidentified(reports.count) }
        // NMEA has no answer to give; the outcome is counted by the tracker.
        tracker.submit(reports, source: .nmea, receivedAt: receivedAt) { _ in }
    }
}

/// A TCP connection: lines until it closes; `ID <unit>` may name the unit at any time.
private final class NMEAStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let processor: NMEAProcessor
    private var unit: String?
    private var pending: [UInt8] = []
    private var skippingLongLine = false

    init(tracker: PositionTracker, unit: String?) {
        processor = NMEAProcessor(tracker: tracker)
        self.unit = unit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        var reports: [PositionReport] = []
        let receivedAt = Date()
        for byte in buffer.readableBytesView {
            if byte == UInt8(ascii: "\n") {
                if skippingLongLine {
                    skippingLongLine = false
                } else {
                    switch NMEALine(pending[...]) {
                    case .identity(let id):
                        flush(&reports, receivedAt: receivedAt)
                        unit = id
                    case .sentence(let sentence): processor.append(sentence, unit: unit, receivedAt: receivedAt, to: &reports)
                    case .blank: break
                    }
                }
                pending.removeAll(keepingCapacity: true)
            } else if !skippingLongLine {
                pending.append(byte)
                if pending.count > NMEAListener.maximumLineLength {
                    processor.tracker.countRejection(PositionRejection(.tooLong, "line longer than \(NMEAListener.maximumLineLength) bytes"), source: .nmea)
                    pending.removeAll(keepingCapacity: true)
                    skippingLongLine = true
                }
            }
        }
        flush(&reports, receivedAt: receivedAt)
    }

    private func flush(_ reports: inout [PositionReport], receivedAt: Date) {
        guard !reports.isEmpty else { return }
        processor.submit(reports, unit: unit, receivedAt: receivedAt)
        reports = []
    }
}

/// UDP: each datagram holds one or more lines; its first line may be `ID <unit>`. The positions
/// of all datagrams one read brought go to the tracker together.
private final class NMEADatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let processor: NMEAProcessor
    private let identities: NMEAIdentities
    private var pending: [PositionReport] = []
    private var bytes: [UInt8] = []

    init(tracker: PositionTracker, identities: NMEAIdentities) {
        processor = NMEAProcessor(tracker: tracker)
        self.identities = identities
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard !pending.isEmpty else { return }
        let reports = pending
        pending.removeAll(keepingCapacity: true)
        // Every report names its unit already.
        processor.tracker.submit(reports, source: .nmea, receivedAt: Date()) { _ in }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        // One scratch array for every datagram instead of an array each.
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: envelope.data.readableBytesView)
        let receivedAt = Date()
        var unit: String?
        var identified = false
        var isFirstLine = true
        let before = pending.count
        NMEALine.forEach(in: bytes[...]) { line in
            defer { isFirstLine = false }
            switch NMEALine(line) {
            case .identity(let id) where isFirstLine:
                unit = id
                identified = true
            case .identity: processor.tracker.countRejection(PositionRejection(.malformed, "ID line after sentences"), source: .nmea)
            case .sentence(let sentence):
                if !identified {
                    // Only datagrams without an ID line need the sender's address looked up.
                    identified = true
                    unit = identities.unit(for: envelope.remoteAddress)
                }
                processor.append(sentence, unit: unit, receivedAt: receivedAt, to: &pending)
            case .blank: break
            }
        }
        if unit == nil && pending.count > before {
            processor.countUnidentified(pending.count - before)
            pending.removeSubrange(before...)
        }
    }
}
