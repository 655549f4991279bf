import FanoutBenchCore
import NIOCore

/// One RTSP/TCP reader (RFC 2326): OPTIONS, DESCRIBE, SETUP of the H.264 track over interleaved
/// TCP, PLAY, then interleaved frames whose RTP headers are read in place for counting. A
/// GET_PARAMETER keeps the session alive. Responses and frames may arrive in any order.
final class RTSPReaderHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Phase: String {
        case options = "OPTIONS", describe = "DESCRIBE", setup = "SETUP", play = "PLAY"
        case playing, tearingDown, done
    }

    static let handshakeTimeout = TimeAmount.seconds(15)
    static let keepAliveInterval = TimeAmount.seconds(25)

    private let url: String
    private let counters: ReaderCounters
    private let progress: FleetProgress
    private let played: EventLoopPromise<Void>
    private var phase = Phase.options
    private var cseq = 0
    private var pending: ByteBuffer? = nil
    private var session: String? = nil
    private var rtpChannel: UInt8 = 0
    private var handshakeTimer: Scheduled<Void>? = nil
    private var keepAliveTimer: RepeatedTask? = nil

    init(url: String, counters: ReaderCounters, progress: FleetProgress, played: EventLoopPromise<Void>) {
        self.url = url
        self.counters = counters
        self.progress = progress
        self.played = played
    }

    func channelActive(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        handshakeTimer = context.eventLoop.scheduleTask(in: Self.handshakeTimeout) {
            let (handler, context) = loopBound.value
            handler.fail(context: context, "handshake timeout in \(handler.phase.rawValue)")
        }
        send(context: context, "OPTIONS", url)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if phase != .tearingDown, phase != .done {
            record(failure: phase == .playing ? "closed by server while playing" : "closed by server in \(phase.rawValue)")
        }
        phase = .done
        stopTimers()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context: context, "socket error: \(type(of: error))")
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ReaderTeardown else { return context.fireUserInboundEventTriggered(event) }
        let wasPlaying = phase == .playing
        if !wasPlaying { record(failure: "torn down in \(phase.rawValue)") }
        phase = .tearingDown
        stopTimers()
        if wasPlaying, let session {
            send(context: context, "TEARDOWN", url, headers: "Session: \(session)\r\n")
        }
        context.close(promise: nil)
    }

    // MARK: input

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if var buffer = pending, buffer.readableBytes > 0 {
            pending = nil  // keep the storage uniquely referenced while appending
            buffer.writeBuffer(&incoming)
            process(context: context, &buffer)
            keep(buffer)
        } else {
            process(context: context, &incoming)
            keep(incoming)
        }
    }

    private func keep(_ buffer: ByteBuffer) {
        guard buffer.readableBytes > 0, phase != .done else { pending = nil; return }
        var buffer = buffer
        if buffer.readerIndex > 32 * 1024 { buffer.discardReadBytes() }
        pending = buffer
    }

    private func process(context: ChannelHandlerContext, _ buffer: inout ByteBuffer) {
        while phase != .done, let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) {
            if first == 0x24 {  // '$': RFC 2326 §10.12 interleaved frame
                let start = buffer.readerIndex
                guard buffer.readableBytes >= 4,
                      let channel = buffer.getInteger(at: start + 1, as: UInt8.self),
                      let length = buffer.getInteger(at: start + 2, as: UInt16.self),
                      buffer.readableBytes >= 4 + Int(length)
                else { return }
                if channel == rtpChannel { count(buffer, at: start + 4, length: Int(length)) }
                buffer.moveReaderIndex(forwardBy: 4 + Int(length))
                continue
            }
            let parsed: (RTSPResponseHead, Int)?
            do { parsed = try RTSPResponseHead.parse(buffer) } catch {
                return fail(context: context, "unreadable response in \(phase.rawValue)")
            }
            guard let (head, headLength) = parsed else { return }
            let bodyLength = head.contentLength
            guard buffer.readableBytes >= headLength + bodyLength else { return }
            buffer.moveReaderIndex(forwardBy: headLength)
            let body = buffer.readString(length: bodyLength) ?? ""
            respond(context: context, to: head, body: body)
        }
    }

    /// The per-packet path: header fields read in place, counters bumped, nothing allocated.
    @inline(__always)
    private func count(_ buffer: ByteBuffer, at index: Int, length: Int) {
        guard let packet = RTPPacketSummary.read(from: buffer, at: index, length: length) else {
            counters.notRTP += 1
            return
        }
        counters.packets += 1
        counters.payloadBytes += length
        if counters.hasSequence {
            let delta = packet.sequenceNumber &- counters.lastSequence
            if delta == 0 || delta >= 0x8000 {
                counters.misordered += 1
            } else {
                counters.lost += Int(delta) - 1
                counters.lastSequence = packet.sequenceNumber
            }
        } else {
            counters.hasSequence = true
            counters.lastSequence = packet.sequenceNumber
        }
        if packet.marker { counters.frames += 1 }
        if counters.firstIDRNanos == nil, packet.startsIDR {
            counters.firstIDRNanos = NIODeadline.now().uptimeNanoseconds
            progress.keyframes.add(1, ordering: .relaxed)
        }
    }

    // MARK: the RTSP exchange

    private func respond(context: ChannelHandlerContext, to head: RTSPResponseHead, body: String) {
        if phase == .playing || phase == .tearingDown {
            if head.statusCode != 200 { counters.keepAliveFailures += 1 }
            counters.keepAliveAnswered += 1
            let latency = NIODeadline.now().uptimeNanoseconds &- counters.keepAliveSentNanos
            counters.keepAliveMaxNanos = max(counters.keepAliveMaxNanos, latency)
            return
        }
        guard head.statusCode == 200 else {
            return fail(context: context, "\(phase.rawValue) \(head.statusCode)")
        }
        switch phase {
        case .options:
            phase = .describe
            send(context: context, "DESCRIBE", url, headers: "Accept: application/sdp\r\n")
        case .describe:
            guard let track = SDPVideoTrack.find(in: body) else {
                return fail(context: context, "no H.264 track in SDP")
            }
            let base = head["Content-Base"] ?? head["Content-Location"] ?? url
            phase = .setup
            send(context: context, "SETUP", track.setupURL(base: base),
                 headers: "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n")
        case .setup:
            guard let id = head.sessionID else { return fail(context: context, "SETUP without Session") }
            session = id
            rtpChannel = head.interleavedChannel ?? 0
            phase = .play
            send(context: context, "PLAY", url, headers: "Session: \(id)\r\nRange: npt=0.000-\r\n")
        case .play:
            phase = .playing
            handshakeTimer?.cancel()
            handshakeTimer = nil
            counters.playNanos = NIODeadline.now().uptimeNanoseconds
            progress.playing.add(1, ordering: .relaxed)
            played.succeed(())
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            keepAliveTimer = context.eventLoop.scheduleRepeatedTask(
                initialDelay: Self.keepAliveInterval, delay: Self.keepAliveInterval
            ) { _ in
                let (handler, context) = loopBound.value
                guard handler.phase == .playing, let session = handler.session else { return }
                handler.counters.keepAliveSent += 1
                handler.counters.keepAliveSentNanos = NIODeadline.now().uptimeNanoseconds
                handler.send(context: context, "GET_PARAMETER", handler.url, headers: "Session: \(session)\r\n")
            }
        case .playing, .tearingDown, .done:
            break
        }
    }

    private func send(context: ChannelHandlerContext, _ method: String, _ target: String, headers: String = "") {
        cseq += 1
        let text = "\(method) \(target) RTSP/1.0\r\nCSeq: \(cseq)\r\nUser-Agent: fanout-bench\r\n\(headers)\r\n"
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: nil)
    }

    private func record(failure: String) {
        guard counters.failure == nil else { return }
        counters.failure = failure
        if counters.playNanos == nil {
            progress.failed.add(1, ordering: .relaxed)
            played.fail(ReaderFailure(reason: failure))
        }
    }

    private func fail(context: ChannelHandlerContext, _ reason: String) {
        guard phase != .done, phase != .tearingDown else { return }
        record(failure: reason)
        phase = .done
        stopTimers()
        pending = nil
        context.close(promise: nil)
    }

    private func stopTimers() {
        handshakeTimer?.cancel()
        handshakeTimer = nil
        keepAliveTimer?.cancel()
        keepAliveTimer = nil
    }
}

struct ReaderFailure: Error {
    var reason: String
}
