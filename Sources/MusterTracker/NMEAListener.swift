import Foundation
import Logging
import MusterPositionFormats
import NIOCore
import NIOPosix

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
                logger.info("NMEA position listener ready", metadata: [
                    "address": "\(host):\(channels.tcp.localAddress?.port ?? port)", "transports": "tcp, udp",
                ])
                return NMEAListener(channels: [channels.tcp, channels.udp])
            } catch where port == 0 && attempts < 20 {
                // The UDP port of the TCP port the system chose was taken: let it choose again.
                continue
            }
        }
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
                .channelOption(.socketOption(.so_rcvbuf), value: 8 * 1024 * 1024)
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
            self = .identity(String(decoding: line.dropFirst(Self.identityPrefix.count), as: UTF8.self).trimmingCharacters(in: .whitespaces))
        } else {
            self = .sentence(line)
        }
    }
}

/// Parses sentences and hands positions to the tracker.
struct NMEAProcessor {
    let tracker: PositionTracker

    /// Reports for the sentences; rejected sentences are counted here.
    func reports(from sentences: [ArraySlice<UInt8>], unit: String?, receivedAt: Date) -> [PositionReport] {
        var reports: [PositionReport] = []
        for sentence in sentences {
            do {
                guard case .position(var report, _) = try NMEASentence.parse(sentence, receivedAt: receivedAt) else { continue }
                report.unitID = unit
                reports.append(report)
            } catch {
                tracker.countRejection(error, source: .nmea)
            }
        }
        return reports
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
        var sentences: [ArraySlice<UInt8>] = []
        let receivedAt = Date()
        for byte in buffer.readableBytesView {
            if byte == UInt8(ascii: "\n") {
                if skippingLongLine {
                    skippingLongLine = false
                } else {
                    switch NMEALine(pending[...]) {
                    case .identity(let id):
                        flush(&sentences, receivedAt: receivedAt)
                        unit = id
                    case .sentence(let sentence): sentences.append(sentence)
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
        flush(&sentences, receivedAt: receivedAt)
    }

    private func flush(_ sentences: inout [ArraySlice<UInt8>], receivedAt: Date) {
        guard !sentences.isEmpty else { return }
        processor.submit(processor.reports(from: sentences, unit: unit, receivedAt: receivedAt), unit: unit, receivedAt: receivedAt)
        sentences = []
    }
}

/// UDP: each datagram holds one or more lines; its first line may be `ID <unit>`. The positions
/// of all datagrams one read brought go to the tracker together.
private final class NMEADatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let processor: NMEAProcessor
    private let identities: NMEAIdentities
    private var pending: [PositionReport] = []

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
        let bytes = Array(envelope.data.readableBytesView)
        var unit = identities.unit(for: envelope.remoteAddress)
        var sentences: [ArraySlice<UInt8>] = []
        for (index, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).enumerated() {
            switch NMEALine(line) {
            case .identity(let id) where index == 0: unit = id
            case .identity: processor.tracker.countRejection(PositionRejection(.malformed, "ID line after sentences"), source: .nmea)
            case .sentence(let sentence): sentences.append(sentence)
            case .blank: break
            }
        }
        let reports = processor.reports(from: sentences, unit: unit, receivedAt: Date())
        guard !reports.isEmpty else { return }
        guard unit != nil else {
            processor.countUnidentified(reports.count)
            return
        }
        pending += reports
    }
}
