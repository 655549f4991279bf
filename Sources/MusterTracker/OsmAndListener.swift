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

    /// The largest request body read; OsmAnd requests are a few hundred bytes.
    static let maximumBodySize = 8 * 1024

    public static func start(host: String, port: Int, tracker: PositionTracker, group: any EventLoopGroup, logger: Logger) async throws -> OsmAndListener {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
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

/// One connection: requests are answered in order (HTTP/1.1 without pipelining overlap: the next
/// request is read only after the previous answer is written).
private final class OsmAndRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let tracker: PositionTracker
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var bodyTooLarge = false

    init(tracker: PositionTracker) {
        self.tracker = tracker
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = nil
            bodyTooLarge = false
        case .body(var chunk):
            guard !bodyTooLarge else { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > OsmAndListener.maximumBodySize {
                bodyTooLarge = true
                body = nil
            } else if body == nil {
                body = chunk
            } else {
                body?.writeBuffer(&chunk)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            handle(head, context: context)
        }
    }

    private func handle(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard head.method == .GET || head.method == .POST else {
            return respond(.methodNotAllowed, "OsmAnd positions are sent with GET or POST\n", head: head, context: context)
        }
        guard !bodyTooLarge else {
            tracker.countRejection(PositionRejection(.malformed, "body too large"), source: .osmand)
            return respond(.payloadTooLarge, "an OsmAnd request body holds at most \(OsmAndListener.maximumBodySize) bytes\n", head: head, context: context)
        }
        var parameters = Array(head.uri.utf8.drop { $0 != UInt8(ascii: "?") }.dropFirst())
        if let body, body.readableBytes > 0 {
            if !parameters.isEmpty { parameters.append(UInt8(ascii: "&")) }
            parameters += body.readableBytesView
        }
        let receivedAt = Date()
        let report: PositionReport
        do {
            report = try OsmAndReport.parse(parameters: parameters, receivedAt: receivedAt)
        } catch {
            tracker.countRejection(error, source: .osmand)
            return respond(.badRequest, error.detail + "\n", head: head, context: context)
        }
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        // Answered on this connection's event loop, together with the other answers of the same commit.
        tracker.submit([report], source: .osmand, receivedAt: receivedAt, on: context.eventLoop) { outcomes in
            let (handler, context) = bound.value
            switch outcomes.first ?? .accepted {
            case .accepted: handler.respond(.ok, "", head: head, context: context)
            case .rejected(let rejection): handler.respond(.badRequest, rejection.detail + "\n", head: head, context: context)
            case .notStored: handler.respond(.serviceUnavailable, "the position could not be stored; send it again later\n", head: head, context: context)
            }
        }
    }

    /// The answer to nearly every request, built once.
    private static let acceptedHeaders: HTTPHeaders = ["Content-Length": "0"]

    private func respond(_ status: HTTPResponseStatus, _ text: String, head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        let keepAlive = head.isKeepAlive
        var headers: HTTPHeaders
        if text.isEmpty && keepAlive {
            headers = Self.acceptedHeaders
        } else {
            headers = ["Content-Type": "text/plain; charset=utf-8", "Content-Length": "\(text.utf8.count)"]
            if !keepAlive { headers.add(name: "Connection", value: "close") }
        }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if !text.isEmpty { context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: text)))), promise: nil) }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            written.whenComplete { _ in boundContext.value.close(promise: nil) }
        }
    }
}
