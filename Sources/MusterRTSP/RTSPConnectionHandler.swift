import Foundation
import Logging
import MusterCore
import MusterRTP
import MusterSDP
import NIOCore

/// Serves one RTSP connection: parses its byte stream, answers requests, and routes
/// interleaved RTP/RTCP frames to its sessions. All state lives on the connection's event loop.
final class RTSPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let supportedMethods: [RTSPMethod] = [
        .options, .describe, .announce, .setup, .play, .pause, .record, .teardown, .getParameter, .setParameter,
    ]

    private let context: RTSPServerContext
    private var authenticator: RTSPAuthenticator
    private var parser = RTSPMessageParser()
    private var sessions: [String: RTSPServerSession] = [:]
    /// Stream descriptions from ANNOUNCE, by path, waiting for SETUP and RECORD.
    private var announcements: [String: RTSPAnnouncement] = [:]
    /// Incoming interleaved channels of recording sessions.
    private var interleavedRoutes: [UInt8: (session: RTSPServerSession, trackID: Int, isRTCP: Bool)] = [:]
    private var logger: Logger
    private var lastRequest = NIODeadline.now()
    private var housekeeping: RepeatedTask?
    private var channel: (any Channel)?
    /// The client's IP address, kept from the start: a closed channel no longer knows it.
    private var peerAddress = "unknown"
    /// The client's address and port, for the session list.
    private var peerDescription = "unknown"
    /// The RTSP user whose credentials the last authorized request carried.
    private var authenticatedUser: String?
    /// While a publish decision, a stream start or the pause after a failed authentication is
    /// pending, later requests wait in the parser so that answers keep the order of requests,
    /// and the socket is not read meanwhile, so that the parser's buffer cannot grow.
    private var awaitingDecision = false {
        didSet {
            guard awaitingDecision != oldValue, let options = channel?.syncOptions else { return }
            try? options.setOption(.autoRead, value: !awaitingDecision)
        }
    }

    init(context: RTSPServerContext) {
        self.context = context
        self.logger = context.logger
        self.authenticator = RTSPAuthenticator(
            users: context.configuration.users, nonceLifetime: context.configuration.authentication.nonceLifetime
        )
    }

    func channelActive(context: ChannelHandlerContext) {
        channel = context.channel
        peerAddress = context.remoteAddress?.ipAddress ?? "unknown"
        if let remote = context.remoteAddress, let ip = remote.ipAddress, let port = remote.port {
            peerDescription = remote.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
        }
        self.context.connections.insert(context.channel)
        logger[metadataKey: "peer"] = "\(context.remoteAddress?.description ?? "?")"
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let channelContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        housekeeping = context.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            loopBound.value.expireIdle(context: channelContext.value)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        housekeeping?.cancel()
        self.context.connections.remove(context.channel)
        for session in sessions.values { end(session) }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        parser.append(unwrapInboundIn(data))
        processBufferedMessages(context: context)
    }

    private func processBufferedMessages(context: ChannelHandlerContext) {
        do {
            while !awaitingDecision, context.channel.isActive, let message = try parser.next() {
                switch message {
                case .request(let request):
                    lastRequest = .now()
                    handle(request, context: context)
                case .interleaved(let frame):
                    handle(frame)
                case .response:
                    // Answers to requests we never send (clients may answer a GET_PARAMETER we did not make): ignored.
                    continue
                }
            }
        } catch {
            logger.info("closing connection after unreadable request", metadata: ["error": "\(error)"])
            send(RTSPResponse(status: error.status, headers: ["Connection": "close"]), context: context)
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    // MARK: Requests

    private func handle(_ request: RTSPRequest, context: ChannelHandlerContext) {
        do {
            if request.method == .announce {
                let announcement = try prepareAnnouncement(request)
                decidePublishing(announcement, request: request, context: context)
            } else if request.method == .describe, let path = try pathToBringUp(request) {
                bringUp(path, thenAnswer: request, context: context)
            } else {
                respond(to: request, with: try answer(request, context: context), context: context)
            }
        } catch {
            respond(to: request, refusing: error, context: context)
        }
    }

    private func respond(to request: RTSPRequest, refusing error: RTSPRequestError, context: ChannelHandlerContext) {
        if error.isLogged {
            logger.info("request refused", metadata: [
                "method": "\(request.method)", "status": "\(error.status.code)", "reason": "\(error.reason)",
            ])
        }
        var headers = error.headers
        headers.add(name: "Content-Type", value: "text/plain")
        let response = RTSPResponse(status: error.status, headers: headers, body: ByteBuffer(string: error.reason + "\r\n"))
        guard let delay = error.answerDelay else {
            respond(to: request, with: response, context: context)
            return
        }
        // Held back without blocking the event loop; the requests behind it wait their turn.
        awaitingDecision = true
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .nanoseconds(delay.nanoseconds)) {
            let (handler, context) = bound.value
            handler.awaitingDecision = false
            guard context.channel.isActive else { return }
            handler.respond(to: request, with: response, context: context)
            handler.processBufferedMessages(context: context)
        }
    }

    private func respond(to request: RTSPRequest, with response: RTSPResponse, context: ChannelHandlerContext) {
        var response = response
        if let cSeq = request.cSeq { response.headers.replaceOrAdd(name: "CSeq", value: cSeq) }
        response.headers.add(name: "Server", value: self.context.configuration.serverName)
        send(response, context: context)
    }

    private func answer(_ request: RTSPRequest, context: ChannelHandlerContext) throws(RTSPRequestError) -> RTSPResponse {
        guard request.cSeq != nil else { throw RTSPRequestError(.badRequest, "the request has no CSeq header") }
        let session = try existingSession(for: request)
        // Any request on the session's own connection shows its client is alive, as RTCP does
        // without credentials; acting on the session needs them (below).
        session?.activity.touch()
        switch request.method {
        case .options:
            // Changes nothing and tells nothing about any path: answered without credentials,
            // as clients send it first (ffmpeg does) and as other servers do.
            return RTSPResponse(status: .ok, headers: ["Public": Self.supportedMethods.map(\.rawValue).joined(separator: ", ")])
        case .describe:
            return try describe(request)
        case .setup:
            return try setup(request, session: session, context: context)
        case .play:
            return try play(request, session: try authorized(request, session: try required(session)))
        case .record:
            return try record(request, session: try authorized(request, session: try required(session)))
        case .pause:
            return try pause(try authorized(request, session: try required(session)))
        case .teardown:
            end(try authorized(request, session: try required(session)))
            return RTSPResponse(status: .ok)
        case .getParameter, .setParameter:
            if let session {
                _ = try authorized(request, session: session)
            } else if let path = RTSPURL(request.uri)?.streamPath, !path.isEmpty {
                try authorize(request, path: path, allowing: [.read, .publish])
            }
            if let body = request.body, body.readableBytes > 0 {
                throw RTSPRequestError(.parameterNotUnderstood, "Muster has no settable or readable RTSP parameters")
            }
            var response = RTSPResponse(status: .ok)
            if let session { response.headers.add(name: "Session", value: sessionHeader(session)) }
            return response
        default:
            throw RTSPRequestError(.notImplemented, "method \(request.method.rawValue.prefix(32)) is not supported")
        }
    }

    private func existingSession(for request: RTSPRequest) throws(RTSPRequestError) -> RTSPServerSession? {
        guard let header = request.headers["Session"] else { return nil }
        let id = header.split(separator: ";").first.map { $0.trimmingSpaces() } ?? ""
        guard let session = sessions[id] else {
            // Also the answer for a session id of another connection: a session belongs to its connection.
            throw RTSPRequestError(.sessionNotFound, "no session '\(id.prefix(32))' on this connection")
        }
        return session
    }

    private func required(_ session: RTSPServerSession?) throws(RTSPRequestError) -> RTSPServerSession {
        guard let session else { throw RTSPRequestError(.sessionNotFound, "this request needs a Session header from SETUP") }
        return session
    }

    private func sessionHeader(_ session: RTSPServerSession) -> String {
        "\(session.id);timeout=\(context.configuration.sessionTimeout.components.seconds)"
    }

    private func parseURL(_ request: RTSPRequest) throws(RTSPRequestError) -> RTSPURL {
        guard let url = RTSPURL(request.uri) else {
            // Not echoed: a mistyped URI may still carry `user:password@`, and reasons are logged.
            throw RTSPRequestError(.badRequest, "the request URI is not an rtsp:// URL, or its path holds '..'")
        }
        return url
    }

    /// Answers a DESCRIBE that `pathToBringUp` authorized: `handle` sends every DESCRIBE there
    /// first. Checking again here, after a stream start that may take seconds, could meet an
    /// expired nonce, and ffmpeg gives up on a stale=true answer to a DESCRIBE it already retried.
    private func describe(_ request: RTSPRequest) throws(RTSPRequestError) -> RTSPResponse {
        let url = try parseURL(request)
        guard let hub = context.hubs.hub(at: url.path), let tracks = hub.tracks else {
            throw RTSPRequestError(.notFound, "no live stream at '\(url.path)'")
        }
        let description = RTSPStreamDescription.sessionDescription(for: tracks, path: url.path, serverName: context.configuration.serverName)
        let base = request.uri.hasSuffix("/") ? request.uri : request.uri + "/"
        return RTSPResponse(
            status: .ok,
            headers: ["Content-Base": base, "Content-Type": "application/sdp"],
            body: ByteBuffer(string: description.serialized())
        )
    }

    /// Authorizes a DESCRIBE; then the path if it has no live stream yet, or nil.
    private func pathToBringUp(_ request: RTSPRequest) throws(RTSPRequestError) -> String? {
        guard request.cSeq != nil else { return nil }
        let url = try parseURL(request)
        try authorize(request, path: url.path, allowing: [.read])
        context.streamInterest(url.path)
        return context.hubs.hub(at: url.path)?.tracks == nil ? url.path : nil
    }

    /// Asks for the stream (an on-demand source starts) off the event loop, then answers the
    /// DESCRIBE — with the stream, or 404 — and goes on with requests that arrived meanwhile.
    private func bringUp(_ path: String, thenAnswer request: RTSPRequest, context: ChannelHandlerContext) {
        awaitingDecision = true
        let demand = self.context.streamDemand
        let promise = context.eventLoop.makePromise(of: Bool.self)
        promise.completeWithTask { await demand(path) }
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        promise.futureResult.whenSuccess { _ in
            let (handler, context) = bound.value
            handler.awaitingDecision = false
            guard context.channel.isActive else { return }
            do throws(RTSPRequestError) {
                handler.respond(to: request, with: try handler.answer(request, context: context), context: context)
            } catch {
                handler.respond(to: request, refusing: error, context: context)
            }
            handler.processBufferedMessages(context: context)
        }
    }

    /// Asks the publish policy (which may consult the directory) off the event loop, then
    /// answers the ANNOUNCE and goes on with any requests that arrived meanwhile.
    private func decidePublishing(_ announcement: RTSPAnnouncement, request: RTSPRequest, context: ChannelHandlerContext) {
        awaitingDecision = true
        let policy = self.context.publishPolicy
        let promise = context.eventLoop.makePromise(of: RTSPPublishDecision.self)
        promise.completeWithTask { await policy(announcement.path) }
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        promise.futureResult.whenSuccess { decision in
            let (handler, context) = bound.value
            handler.awaitingDecision = false
            guard context.channel.isActive else { return }
            switch decision {
            case .allow:
                handler.announcements[announcement.path] = announcement
                handler.logger.info("stream announced", metadata: [
                    "path": "\(announcement.path)", "codecs": "\(announcement.tracks.map(\.codec.rawValue))",
                ])
                handler.respond(to: request, with: RTSPResponse(status: .ok), context: context)
            case .refuse(let reason):
                handler.respond(to: request, refusing: RTSPRequestError(.forbidden, reason), context: context)
            }
            handler.processBufferedMessages(context: context)
        }
    }

    /// Checks everything about an ANNOUNCE that needs no outside decision.
    private func prepareAnnouncement(_ request: RTSPRequest) throws(RTSPRequestError) -> RTSPAnnouncement {
        guard request.cSeq != nil else { throw RTSPRequestError(.badRequest, "the request has no CSeq header") }
        _ = try existingSession(for: request)
        let url = try parseURL(request)
        do {
            _ = try ChannelPath(validating: url.path)
        } catch {
            throw RTSPRequestError(.badRequest, "cannot publish: \(error); e.g. rtsp://host/units/u1")
        }
        try authorize(request, path: url.path, allowing: [.publish])
        guard let contentType = request.headers["Content-Type"], contentType.lowercased().hasPrefix("application/sdp") else {
            throw RTSPRequestError(.unsupportedMediaType, "ANNOUNCE needs an application/sdp body")
        }
        guard let body = request.body else { throw RTSPRequestError(.badRequest, "ANNOUNCE has no SDP body") }
        let description: SDPSessionDescription
        do {
            description = try SDPSessionDescription(parsing: body)
        } catch {
            throw RTSPRequestError(.badRequest, "the SDP cannot be read: \(error)")
        }
        var tracks: [MediaTrack] = []
        var controls: [String] = []
        var payloadFormats: [RTPPayloadFormat] = []
        for media in description.media {
            do {
                let (track, payloadType) = try media.mediaTrack(id: tracks.count)
                tracks.append(track)
                // The track describes the media; how its RTP packets frame it (AAC as MPEG4-GENERIC
                // or MP4A-LATM) is named by the encoding of the payload type it was read from.
                payloadFormats.append(RTPPayloadFormat(encodingName: media.rtpMap(for: payloadType)?.encodingName ?? ""))
            } catch {
                throw RTSPRequestError(.unsupportedMediaType, "media '\(media.type)' cannot be relayed: \(error)")
            }
            controls.append(media.control ?? "trackID=\(tracks.count - 1)")
        }
        guard !tracks.isEmpty else { throw RTSPRequestError(.badRequest, "the SDP describes no media") }
        return RTSPAnnouncement(path: url.path, tracks: tracks, controls: controls, payloadFormats: payloadFormats)
    }

    private func setup(_ request: RTSPRequest, session existing: RTSPServerSession?, context: ChannelHandlerContext) throws(RTSPRequestError) -> RTSPResponse {
        let url = try parseURL(request)
        guard let transportHeader = request.headers["Transport"] else {
            throw RTSPRequestError(.unsupportedTransport, "SETUP needs a Transport header")
        }
        let alternatives: [RTSPTransport]
        do {
            alternatives = try RTSPTransport.parseAlternatives(transportHeader)
        } catch {
            throw RTSPRequestError(.unsupportedTransport, error.description)
        }
        let multicast = self.context.multicast
        guard var transport = alternatives.first(where: { alternative in
            alternative.isMulticast
                ? multicast != nil && alternative.lowerTransport == .udp && !alternative.isRecord
                : alternative.lowerTransport == .tcp || alternative.clientPorts != nil
        }) else {
            let offer = multicast == nil ? "" : ", or RTP/AVP;multicast to play"
            throw RTSPRequestError(.unsupportedTransport, "offer RTP/AVP/TCP with interleaved channels or RTP/AVP with client_port\(offer)")
        }
        if transport.lowerTransport == .udp, self.context.udp == nil {
            throw RTSPRequestError(.unsupportedTransport, "UDP is not enabled on this server; use RTP/AVP/TCP")
        }

        let session: RTSPServerSession
        let trackID: Int
        if transport.isRecord {
            let (path, announced) = try announcement(matching: url, session: existing)
            try authorize(request, path: path, allowing: [.publish])
            guard let index = Self.trackIndex(of: url, controls: announced.controls, trackCount: announced.tracks.count) else {
                throw RTSPRequestError(.notFound, "'\(url.path)' names none of the announced tracks")
            }
            trackID = index
            if let existing {
                session = existing
            } else {
                session = try makeSession(path: path, mode: .record, announcement: announced)
            }
        } else {
            let path = existing?.path ?? url.streamPath
            try authorize(request, path: path, allowing: [.read])
            // A player between DESCRIBE and PLAY is no consumer yet: each step keeps an
            // on-demand stream from being reaped under it on a slow machine.
            self.context.streamInterest(path)
            guard let hub = self.context.hubs.hub(at: path), let tracks = hub.tracks else {
                throw RTSPRequestError(.notFound, "no live stream at '\(path)'")
            }
            let controls = tracks.map { "trackID=\($0.id)" }
            guard let index = Self.trackIndex(of: url, controls: controls, trackCount: tracks.count) else {
                throw RTSPRequestError(.notFound, "'\(url.path)' names no track of '\(path)'")
            }
            trackID = index
            if let existing {
                session = existing
            } else {
                session = try makeSession(path: path, mode: .play)
            }
        }
        guard session.mode == (transport.isRecord ? .record : .play) else {
            throw RTSPRequestError(.methodNotValidInThisState, "a session either plays or records, not both")
        }
        guard case .ready = session.state else {
            throw RTSPRequestError(.methodNotValidInThisState, "tracks cannot be added while the session is playing or recording")
        }

        // A repeated SETUP of a track replaces its transport (RFC 2326 §10.4).
        if case .multicast = session.targets.removeValue(forKey: trackID) {
            self.context.multicast?.release(path: session.path, trackID: trackID)
        }
        switch transport.lowerTransport {
        case .udp where transport.isMulticast:
            guard let multicast, let destination = multicast.reserve(path: session.path, trackID: trackID) else {
                throw RTSPRequestError(.notEnoughBandwidth, "every multicast group is in use; play over TCP or unicast UDP")
            }
            transport = RTSPTransport()
            transport.isMulticast = true
            transport.destination = destination.group
            transport.multicastPorts = multicast.port...(multicast.port + 1)
            transport.ttl = multicast.configuration.ttl
            session.targets[trackID] = .multicast(destination)
        case .tcp:
            let channels = transport.interleaved ?? UInt8(clamping: trackID * 2)...UInt8(clamping: trackID * 2 + 1)
            transport.interleaved = channels
            session.targets[trackID] = .interleaved(channel: channels.lowerBound)
        case .udp:
            guard let clientPorts = transport.clientPorts, let peer = context.remoteAddress else {
                throw RTSPRequestError(.unsupportedTransport, "client_port is missing or the peer address is unknown")
            }
            // RTP goes back to the address the RTSP request came from: a `destination` parameter
            // would let one client aim a stream at a third party.
            var rtp = peer
            rtp.port = clientPorts.lowerBound
            var rtcp = peer
            rtcp.port = clientPorts.upperBound
            if let udp = self.context.udp { transport.serverPorts = udp.rtpPort...udp.rtcpPort }
            session.targets[trackID] = .udp(rtp: rtp, rtcp: rtcp)
        }
        if sessions[session.id] == nil { try admit(session) }
        return RTSPResponse(status: .ok, headers: ["Transport": transport.description, "Session": sessionHeader(session)])
    }

    /// Lets the request through when no users are configured (anonymous loopback service) or
    /// when its credentials name a user allowed one of `actions` on `path`; otherwise refuses it:
    /// 401 with challenges (held back after a failure), 403 without the permission or while the
    /// client's address is locked out after failed authentications.
    private func authorize(_ request: RTSPRequest, path: String, allowing actions: [RTSPAction]) throws(RTSPRequestError) {
        guard !context.configuration.users.isEmpty else { return }
        let throttle = context.authenticationThrottle
        if let remaining = throttle.lockout(of: peerAddress) {
            // Refused without looking at the credentials: a locked-out guesser learns nothing.
            if let permit = throttle.permitRefusalLog() {
                logger.notice("request refused: address locked out after failed authentications", metadata: [
                    "method": "\(request.method)", "unlogged_before": "\(permit.suppressed)",
                ])
            }
            throw RTSPRequestError(
                .forbidden, "too many failed authentications from this address; try again in \(remaining.components.seconds + 1) s",
                isLogged: false
            )
        }
        let what = actions.map(\.rawValue).joined(separator: " or ")
        let user: RTSPUser
        // Never log the Authorization value, the user name it claims, or anything derived from them.
        switch authenticator.authenticate(authorization: request.headers["Authorization"], method: request.method) {
        case .authenticated(let authenticated):
            user = authenticated
        case .missing:
            throw challenge("credentials are required to \(what) '\(path)'", stale: false)
        case .staleNonce:
            logger.debug("digest nonce expired or not this connection's; challenged again with stale=true", metadata: [
                "method": "\(request.method)",
            ])
            throw challenge("the nonce is stale; retry with the new one", stale: true)
        case .failed:
            let verdict = throttle.recordFailure(from: peerAddress)
            if let permit = verdict.log {
                logger.notice("authentication failed", metadata: [
                    "path": "\(path)", "method": "\(request.method)", "failures_from_address": "\(verdict.failures)",
                    "address_locked_out": "\(verdict.lockedOut)", "unlogged_before": "\(permit.suppressed)",
                ])
            }
            var error = challenge("credentials are required to \(what) '\(path)'", stale: false)
            error.answerDelay = throttle.policy.pauseAfterFailure
            throw error
        }
        authenticatedUser = user.name
        guard actions.contains(where: { user.may($0, path) }) else {
            logger.notice("permission denied", metadata: ["user": "\(user.name)", "path": "\(path)", "action": "\(what)"])
            throw RTSPRequestError(.forbidden, "user '\(user.name)' may not \(what) '\(path)'")
        }
    }

    /// A 401 with this connection's challenges; not logged as a refusal (failures are logged,
    /// at a bounded rate, by `authorize`).
    private func challenge(_ reason: String, stale: Bool) -> RTSPRequestError {
        var headers = RTSPHeaders()
        for value in authenticator.challenges(stale: stale) { headers.add(name: "WWW-Authenticate", value: value) }
        return RTSPRequestError(.unauthorized, reason, headers: headers, isLogged: false)
    }

    /// The session, once the request's credentials allow what the session does with its path:
    /// a session belongs to its connection, and every request acting on it must still carry
    /// credentials, which ffmpeg and GStreamer send with every request after the first 401.
    private func authorized(_ request: RTSPRequest, session: RTSPServerSession) throws(RTSPRequestError) -> RTSPServerSession {
        try authorize(request, path: session.path, allowing: [session.mode == .play ? .read : .publish])
        return session
    }

    private func makeSession(path: String, mode: RTSPServerSession.Mode, announcement: RTSPAnnouncement? = nil) throws(RTSPRequestError) -> RTSPServerSession {
        guard sessions.count < context.configuration.maximumSessionsPerConnection else {
            throw RTSPRequestError(.serviceUnavailable, "too many sessions on one connection (limit \(context.configuration.maximumSessionsPerConnection))")
        }
        return RTSPServerSession(
            path: path, hub: context.hubs.hubCreatingIfNeeded(at: path), mode: mode,
            announcedTracks: announcement?.tracks ?? [], announcedPayloadFormats: announcement?.payloadFormats ?? []
        )
    }

    /// Registers a session that a SETUP created, within the per-address limit.
    private func admit(_ session: RTSPServerSession) throws(RTSPRequestError) {
        let limit = context.configuration.maximumSessionsPerAddress
        guard context.connections.admitSession(from: peerAddress, limit: limit) else {
            throw RTSPRequestError(.serviceUnavailable, "too many sessions from \(peerAddress) (limit \(limit))")
        }
        sessions[session.id] = session
    }

    /// Stops a session and forgets it.
    private func end(_ session: RTSPServerSession) {
        close(session)
        for trackID in session.multicastDestinations.keys {
            context.multicast?.release(path: session.path, trackID: trackID)
        }
        if sessions.removeValue(forKey: session.id) != nil {
            context.connections.releaseSession(from: peerAddress)
        }
    }



    /// The announcement a record SETUP refers to: its URL is the announced path plus a control.
    private func announcement(matching url: RTSPURL, session: RTSPServerSession?) throws(RTSPRequestError) -> (String, RTSPAnnouncement) {
        let candidates = session.map { [$0.path] } ?? announcements.keys.sorted { $0.count > $1.count }
        for path in candidates where url.path == path || url.path.hasPrefix(path + "/") {
            if let announced = announcements[path] { return (path, announced) }
        }
        throw RTSPRequestError(.methodNotValidInThisState, "SETUP with mode=record needs an ANNOUNCE of '\(url.path)' first")
    }

    /// Finds the track a SETUP URL names by its control attribute (relative or absolute).
    static func trackIndex(of url: RTSPURL, controls: [String], trackCount: Int) -> Int? {
        for (index, control) in controls.enumerated() {
            let lastSegment = control.split(separator: "/").last.map(String.init) ?? control
            if url.path.hasSuffix("/" + lastSegment) || url.path == lastSegment { return index }
        }
        return trackCount == 1 ? 0 : nil
    }

    private func play(_ request: RTSPRequest, session: RTSPServerSession) throws(RTSPRequestError) -> RTSPResponse {
        guard session.mode == .play else { throw RTSPRequestError(.methodNotValidInThisState, "this session records; it cannot play") }
        guard !session.targets.isEmpty else { throw RTSPRequestError(.methodNotValidInThisState, "SETUP a track before PLAY") }
        var response = RTSPResponse(status: .ok, headers: ["Session": sessionHeader(session), "Range": "npt=0.000-"])
        if case .playing = session.state { return response }
        guard let channel else { throw RTSPRequestError(.internalServerError, "connection is closing") }
        // The stream may have ended since SETUP (an idle on-demand source stopped): a consumer
        // attached now would wait for media that never comes.
        guard session.hub.tracks != nil else {
            throw RTSPRequestError(.notFound, "the stream at '\(session.path)' ended after SETUP; DESCRIBE it again")
        }
        let logger = self.logger
        let sessionID = session.id
        let unicastTargets = session.targets.filter { !$0.value.isMulticast }
        var player: RTSPPlayer?
        var startPoints: [RTPStartPoint] = []
        if !unicastTargets.isEmpty {
            let stallLimit = context.configuration.stalledConsumerTimeout
            let path = session.path
            let unicast = RTSPPlayer(
                connection: channel, targets: unicastTargets, udp: context.udp, stallLimit: stallLimit,
                onStall: { [channel] in
                    logger.warning("consumer took nothing for too long; disconnecting it", metadata: [
                        "session": "\(sessionID)", "path": "\(path)", "limit_seconds": "\(stallLimit.components.seconds)",
                    ])
                    channel.close(promise: nil)
                },
                onEnd: { [channel] in
                    logger.info("stream ended; closing consumer", metadata: ["session": "\(sessionID)"])
                    channel.close(promise: nil)
                }
            )
            startPoints = context.fanouts.attach(unicast, to: session.hub).1
            player = unicast
        }
        let multicastDestinations = session.multicastDestinations
        if !multicastDestinations.isEmpty, let multicast = context.multicast {
            let points = multicast.play(multicastDestinations, of: session.hub, connection: channel)
            startPoints += points.filter { multicastDestinations[$0.trackID] != nil }
        }
        for case (let trackID, .udp(let rtp, let rtcp)) in session.targets {
            context.udp?.addRoute(rtp: rtp, rtcp: rtcp, trackID: trackID, receiver: RTSPActivityReceiver(activity: session.activity))
        }
        session.state = .playing(player)
        let multicast = context.multicast
        let path = session.path
        register(session, role: .consumer, counters: { [player] in
            let multicastBytes = multicastDestinations.isEmpty ? 0 : multicast?.sentByteCount(path: path) ?? 0
            return ((player?.sentByteCount ?? 0) + multicastBytes, player?.droppedUnitCount ?? 0)
        })
        let base = (request.uri.hasSuffix("/") ? String(request.uri.dropLast()) : request.uri)
        let rtpInfo = startPoints.filter { session.targets[$0.trackID] != nil }.map {
            "url=\(base)/trackID=\($0.trackID);seq=\($0.sequenceNumber);rtptime=\($0.rtpTimestamp)"
        }
        if !rtpInfo.isEmpty { response.headers.add(name: "RTP-Info", value: rtpInfo.joined(separator: ",")) }
        logger.info("consumer started", metadata: ["path": "\(session.path)", "session": "\(session.id)", "transport": "\(session.transportSummary)"])
        return response
    }

    private func record(_ request: RTSPRequest, session: RTSPServerSession) throws(RTSPRequestError) -> RTSPResponse {
        guard session.mode == .record else { throw RTSPRequestError(.methodNotValidInThisState, "this session plays; it cannot record") }
        if case .recording = session.state { return RTSPResponse(status: .ok, headers: ["Session": sessionHeader(session)]) }
        guard session.targets.count == session.announcedTracks.count else {
            throw RTSPRequestError(.methodNotValidInThisState, "SETUP every announced track before RECORD")
        }
        let publisher: StreamPublisher
        do {
            publisher = try session.hub.beginPublishing(tracks: session.announcedTracks)
        } catch {
            throw RTSPRequestError(.methodNotValidInThisState, error.description)
        }
        let receiver = RTSPRecordReceiver(
            publisher: publisher, tracks: session.announcedTracks, payloadFormats: session.announcedPayloadFormats,
            activity: session.activity
        )
        for (trackID, target) in session.targets {
            switch target {
            case .interleaved(let channel):
                interleavedRoutes[channel] = (session, trackID, false)
                interleavedRoutes[channel &+ 1] = (session, trackID, true)
            case .udp(let rtp, let rtcp):
                context.udp?.addRoute(rtp: rtp, rtcp: rtcp, trackID: trackID, receiver: receiver)
            case .multicast:
                break  // SETUP never offers multicast to a publisher.
            }
        }
        session.state = .recording(receiver)
        register(session, role: .publisher, counters: { [receiver] in (receiver.receivedByteCount, receiver.droppedPacketCount) })
        logger.info("publisher started", metadata: [
            "path": "\(session.path)", "session": "\(session.id)", "transport": "\(session.transportSummary)",
            "codecs": "\(session.announcedTracks.map(\.codec.rawValue))",
        ])
        return RTSPResponse(status: .ok, headers: ["Session": sessionHeader(session)])
    }

    private func pause(_ session: RTSPServerSession) throws(RTSPRequestError) -> RTSPResponse {
        if case .playing(let player) = session.state {
            stopPlaying(session, player: player)
            // A paused consumer receives nothing; PLAY registers it again.
            context.sessions.remove(id: session.id)
            session.state = .ready
        } else if case .recording = session.state {
            throw RTSPRequestError(.methodNotValidInThisState, "a recording session cannot pause; TEARDOWN to stop publishing")
        }
        return RTSPResponse(status: .ok, headers: ["Session": sessionHeader(session)])
    }

    // MARK: Interleaved data and teardown

    private func handle(_ frame: RTSPInterleavedFrame) {
        guard let route = interleavedRoutes[frame.channel] else {
            // RTCP receiver reports of players: proof of life for their session.
            for session in sessions.values where session.targets.values.contains(.interleaved(channel: frame.channel & ~1)) {
                session.activity.touch()
            }
            return
        }
        guard case .recording(let receiver) = route.session.state else { return }
        route.session.activity.touch()
        if route.isRTCP {
            receiver.receiveRTCP(frame.payload, trackID: route.trackID)
        } else {
            receiver.receiveRTP(frame.payload, trackID: route.trackID)
        }
    }

    private func register(_ session: RTSPServerSession, role: RTSPSessionInfo.Role, counters: @escaping @Sendable () -> (bytes: Int, dropped: Int)) {
        guard let channel else { return }
        let info = RTSPSessionInfo(
            id: session.id, path: session.path, role: role, transport: session.transportSummary,
            remoteAddress: peerDescription, bytes: 0, startedAt: Date(), user: authenticatedUser
        )
        context.sessions.insert(RTSPSessionRecord(info: info, counters: counters, connection: channel))
    }

    private func close(_ session: RTSPServerSession) {
        if case .ready = session.state {} else { context.sessions.remove(id: session.id) }
        switch session.state {
        case .playing(let player):
            stopPlaying(session, player: player)
            logger.info("consumer stopped", metadata: [
                "path": "\(session.path)", "session": "\(session.id)", "transport": "\(session.transportSummary)",
                "bytes": "\(player?.sentByteCount ?? 0)", "dropped_units": "\(player?.droppedUnitCount ?? 0)",
            ])
        case .recording(let receiver):
            receiver.end()
            interleavedRoutes = interleavedRoutes.filter { $0.value.session !== session }
            announcements[session.path] = nil
            logger.info("publisher stopped", metadata: [
                "path": "\(session.path)", "session": "\(session.id)", "bytes": "\(receiver.receivedByteCount)",
                "malformed_packets": "\(receiver.malformedPacketCount)",
            ])
        case .ready:
            break
        }
        for case .udp(let rtp, let rtcp) in session.targets.values {
            context.udp?.removeRoutes(rtp: rtp, rtcp: rtcp)
        }
        session.state = .ready
    }

    /// Takes a playing session off its stream: its unicast player and its multicast tracks.
    private func stopPlaying(_ session: RTSPServerSession, player: RTSPPlayer?) {
        if let player { context.fanouts.detach(player, from: session.hub) }
        let multicastTracks = Array(session.multicastDestinations.keys)
        if !multicastTracks.isEmpty, let channel {
            context.multicast?.stop(multicastTracks, of: session.hub, connection: channel)
        }
    }

    private func expireIdle(context: ChannelHandlerContext) {
        for session in sessions.values where session.activity.isIdle(longerThan: self.context.configuration.sessionTimeout) {
            logger.info("session timed out", metadata: ["session": "\(session.id)", "path": "\(session.path)"])
            end(session)
        }
        let idle = NIODeadline.now() - lastRequest
        if sessions.isEmpty, idle.nanoseconds > self.context.configuration.idleConnectionTimeout.nanoseconds {
            logger.debug("closing idle connection")
            context.close(promise: nil)
        }
    }

    private func send(_ response: RTSPResponse, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 256)
        RTSPMessageSerializer.write(response, to: &buffer)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }
}

/// Marks a session alive when its player's RTCP receiver reports arrive over UDP.
final class RTSPActivityReceiver: RTSPUDPReceiver {
    let activity: RTSPSessionActivity
    init(activity: RTSPSessionActivity) { self.activity = activity }
    func receiveRTP(_ packet: ByteBuffer, trackID: Int) { activity.touch() }
    func receiveRTCP(_ packet: ByteBuffer, trackID: Int) { activity.touch() }
}

/// An ANNOUNCE that passed every check but the publish policy.
struct RTSPAnnouncement {
    var path: String
    var tracks: [MediaTrack]
    var controls: [String]
    /// For each track, how its RTP payloads frame it.
    var payloadFormats: [RTPPayloadFormat]
}
