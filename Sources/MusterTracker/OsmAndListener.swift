import Foundation
import Logging
import MusterPositionFormats
import NIOCore
import NIOHTTP1
import NIOPosix

/// The OsmAnd protocol listener that Traccar Client and many trackers speak: one position per
/// HTTP request, its fields in the query string (GET, or POST with an empty body) or in a form
/// body (POST). 200 once the position is durable; 400 with the reason when it is rejected (the
/// device should not retry); 503 when it could not be stored (the device retries later).
public final class OsmAndListener: Sendable {
    public let localAddress: SocketAddress?
    private let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
        localAddress = channel.localAddress
    }

    public static func start(host: String, port: Int, tracker: PositionTracker, group: any EventLoopGroup, logger: Logger) async throws -> OsmAndListener {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(OsmAndRequestHandler(tracker: tracker))
                }
            }
            .bind(host: host, port: port)
            .get()
        logger.info("OsmAnd position listener ready", metadata: ["address": "http://\(host):\(channel.localAddress?.port ?? port)/"])
        return OsmAndListener(channel: channel)
    }

    public func close() async {
        try? await channel.close()
    }
}

/// One connection: requests are parsed as they arrive and answered in order. A client may send
/// its next request before the answer to the previous one (pipelining); past
/// `maximumOutstanding` unanswered requests the connection is not read until answers go out.
private final class OsmAndRequestHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let maximumOutstanding = 16

    private let tracker: PositionTracker
    private var parser = OsmAndHTTPRequestParser()
    /// Bytes of a request not complete yet.
    private var received: ByteBuffer?
    /// Answers not written yet, in request order: nil until the request's outcome is known.
    private var answers: [(bytes: ByteBuffer, close: Bool)?] = []
    /// Requests answered since the connection opened, so a completion finds its slot in `answers`.
    private var written = 0
    private var closing = false
    /// After a framing error nothing more on the connection is read as a request.
    private var failed = false
    private var readDeferred = false

    init(tracker: PositionTracker) {
        self.tracker = tracker
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        guard !closing && !failed else { return }
        if var earlier = received {
            received = nil
            earlier.writeBuffer(&incoming)
            incoming = earlier
        }
        while !closing && !failed {
            let event: OsmAndHTTPRequestParser.Event?
            do {
                event = try parser.next(&incoming)
            } catch {
                if error.status == .payloadTooLarge {
                    tracker.countRejection(PositionRejection(.malformed, "body too large"), source: .osmand)
                }
                failed = true
                answer(slot: reserveSlot(), error.status, error.detail + "\n", keepAlive: false, isHTTP10: false, context: context)
                return
            }
            switch event {
            case nil:
                if incoming.readableBytes > 0 { received = incoming }
                return
            case .continueExpected:
                context.writeAndFlush(wrapOutboundOut(Self.continueAnswer), promise: nil)
            case .request(let request):
                handle(request, context: context)
            }
        }
    }

    func read(context: ChannelHandlerContext) {
        // Reading stops while too many answers are owed; see `maximumOutstanding`.
        guard answers.count < Self.maximumOutstanding else {
            readDeferred = true
            return
        }
        context.read()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset by the device: nothing to answer.
        context.close(promise: nil)
    }

    private func reserveSlot() -> Int {
        answers.append(nil)
        return written + answers.count - 1
    }

    private func handle(_ request: OsmAndHTTPRequest, context: ChannelHandlerContext) {
        let slot = reserveSlot()
        let keepAlive = request.keepAlive, isHTTP10 = request.isHTTP10
        guard request.method == .get || request.method == .post else {
            return answer(
                slot: slot, .methodNotAllowed, "OsmAnd positions are sent with GET or POST\n", keepAlive: keepAlive, isHTTP10: isHTTP10,
                withoutBody: request.method == .head, context: context
            )
        }
        let receivedAt = Date()
        let report: PositionReport
        do {
            report = try OsmAndReport.parse(parameters: request.parameters[...], receivedAt: receivedAt)
        } catch {
            tracker.countRejection(error, source: .osmand)
            return answer(slot: slot, .badRequest, error.detail + "\n", keepAlive: keepAlive, isHTTP10: isHTTP10, context: context)
        }
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        // Answered on this connection's event loop, together with the other answers of the same commit.
        tracker.submit([report], source: .osmand, receivedAt: receivedAt, on: context.eventLoop) { outcomes in
            let (handler, context) = bound.value
            switch outcomes.first ?? .accepted {
            case .accepted:
                handler.answer(slot: slot, .ok, "", keepAlive: keepAlive, isHTTP10: isHTTP10, context: context)
            case .rejected(let rejection):
                handler.answer(slot: slot, .badRequest, rejection.detail + "\n", keepAlive: keepAlive, isHTTP10: isHTTP10, context: context)
            case .notStored:
                handler.answer(
                    slot: slot, .serviceUnavailable, "the position could not be stored; send it again later\n", keepAlive: keepAlive,
                    isHTTP10: isHTTP10, context: context
                )
            }
        }
    }

    /// The answer to nearly every request, encoded once.
    private static let accepted = ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    private static let continueAnswer = ByteBuffer(string: "HTTP/1.1 100 Continue\r\n\r\n")

    private func answer(
        slot: Int, _ status: HTTPResponseStatus, _ text: String, keepAlive: Bool, isHTTP10: Bool, withoutBody: Bool = false,
        context: ChannelHandlerContext
    ) {
        let bytes: ByteBuffer
        if status == .ok && text.isEmpty && keepAlive && !isHTTP10 {
            bytes = Self.accepted
        } else {
            var head = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\nContent-Length: \(text.utf8.count)\r\n"
            if !text.isEmpty { head += "Content-Type: text/plain; charset=utf-8\r\n" }
            if !keepAlive { head += "Connection: close\r\n" } else if isHTTP10 { head += "Connection: keep-alive\r\n" }
            bytes = context.channel.allocator.buffer(string: head + "\r\n" + (withoutBody ? "" : text))
        }
        answers[slot - written] = (bytes, !keepAlive)
        writeReadyAnswers(context: context)
    }

    private func writeReadyAnswers(context: ChannelHandlerContext) {
        var wrote = false
        while let ready = answers.first ?? nil {
            let (bytes, close) = ready
            answers.removeFirst()
            written += 1
            guard context.channel.isActive, !closing else { continue }
            wrote = true
            if close {
                closing = true
                let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.writeAndFlush(wrapOutboundOut(bytes)).whenComplete { _ in boundContext.value.close(promise: nil) }
                wrote = false
            } else {
                context.write(wrapOutboundOut(bytes), promise: nil)
            }
        }
        if wrote { context.flush() }
        if readDeferred && answers.count < Self.maximumOutstanding {
            readDeferred = false
            context.read()
        }
    }
}
