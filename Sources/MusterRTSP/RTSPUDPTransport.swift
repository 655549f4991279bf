import NIOCore
import NIOPosix
import Synchronization

/// Receives what arrives on the server's RTP or RTCP port from one negotiated peer address.
protocol RTSPUDPReceiver: AnyObject, Sendable {
    func receiveRTP(_ packet: ByteBuffer, trackID: Int)
    func receiveRTCP(_ packet: ByteBuffer, trackID: Int)
}

/// The one UDP port pair every session shares (RTP on an even port, RTCP on the next), so that a
/// firewall between two networks needs only two rules. Datagrams are accepted only from a peer
/// address and port that a SETUP negotiated; everything else is dropped and counted.
final class RTSPUDPTransport: Sendable {
    private struct Route: Sendable {
        var receiver: any RTSPUDPReceiver
        var trackID: Int
    }

    let rtpChannel: any Channel
    let rtcpChannel: any Channel
    private let rtpRoutes = Mutex<[SocketAddress: Route]>([:])
    private let rtcpRoutes = Mutex<[SocketAddress: Route]>([:])
    private let unroutedDatagrams = Atomic<Int>(0)

    var rtpPort: Int { rtpChannel.localAddress?.port ?? 0 }
    var rtcpPort: Int { rtcpChannel.localAddress?.port ?? 0 }
    var droppedUnroutedDatagrams: Int { unroutedDatagrams.load(ordering: .relaxed) }

    private init(rtpChannel: any Channel, rtcpChannel: any Channel) {
        self.rtpChannel = rtpChannel
        self.rtcpChannel = rtcpChannel
    }

    /// Binds `host:rtpPort` and `host:rtpPort+1`. Port 0 picks a free even pair (for tests).
    static func bind(host: String, rtpPort: Int, group: any EventLoopGroup) async throws -> RTSPUDPTransport {
        let holder = RoutingHolder()
        func bootstrap(isRTCP: Bool) -> DatagramBootstrap {
            DatagramBootstrap(group: group)
                .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(RTSPUDPInboundHandler(holder: holder, isRTCP: isRTCP))
                    }
                }
        }
        var attempts = 0
        while true {
            attempts += 1
            let port = rtpPort != 0 ? rtpPort : Int.random(in: 20_000...59_998) & ~1
            do {
                let rtp = try await bootstrap(isRTCP: false).bind(host: host, port: port).get()
                do {
                    let rtcp = try await bootstrap(isRTCP: true).bind(host: host, port: port + 1).get()
                    let transport = RTSPUDPTransport(rtpChannel: rtp, rtcpChannel: rtcp)
                    holder.transport.withLock { $0 = transport }
                    return transport
                } catch {
                    try? await rtp.close()
                    throw error
                }
            } catch where rtpPort == 0 && attempts < 50 {
                continue
            }
        }
    }

    /// Lets the pair send to multicast groups: out of the interface with address `interface`
    /// (the RTSP listener's, so a loopback server stays on loopback; nil leaves the choice to
    /// the routing table), for at most `ttl` hops, and looped back to receivers on this host.
    func enableMulticast(interface: String?, ttl: Int) async throws {
        for channel in [rtpChannel, rtcpChannel] {
            guard let options = channel as? any SocketOptionProvider else { continue }
            if let interface, let address = IPv4AddressBlock.address(interface) {
                try await options.setIPMulticastIF(in_addr(s_addr: address.bigEndian)).get()
            }
            try await options.setIPMulticastTTL(CUnsignedChar(clamping: ttl)).get()
            try await options.setIPMulticastLoop(1).get()
        }
    }

    func addRoute(rtp: SocketAddress, rtcp: SocketAddress, trackID: Int, receiver: any RTSPUDPReceiver) {
        rtpRoutes.withLock { $0[rtp] = Route(receiver: receiver, trackID: trackID) }
        rtcpRoutes.withLock { $0[rtcp] = Route(receiver: receiver, trackID: trackID) }
    }

    func removeRoutes(rtp: SocketAddress, rtcp: SocketAddress) {
        _ = rtpRoutes.withLock { $0.removeValue(forKey: rtp) }
        _ = rtcpRoutes.withLock { $0.removeValue(forKey: rtcp) }
    }

    fileprivate func route(_ envelope: AddressedEnvelope<ByteBuffer>, isRTCP: Bool) {
        let route = isRTCP
            ? rtcpRoutes.withLock { $0[envelope.remoteAddress] }
            : rtpRoutes.withLock { $0[envelope.remoteAddress] }
        guard let route else {
            unroutedDatagrams.add(1, ordering: .relaxed)
            return
        }
        if isRTCP {
            route.receiver.receiveRTCP(envelope.data, trackID: route.trackID)
        } else {
            route.receiver.receiveRTP(envelope.data, trackID: route.trackID)
        }
    }

    /// Sends packets to one peer; call from any thread.
    func send(_ packets: [ByteBuffer], to address: SocketAddress, isRTCP: Bool = false) {
        let channel = isRTCP ? rtcpChannel : rtpChannel
        channel.eventLoop.execute {
            for packet in packets {
                channel.write(AddressedEnvelope(remoteAddress: address, data: packet), promise: nil)
            }
            channel.flush()
        }
    }

    func close() async {
        try? await rtpChannel.close()
        try? await rtcpChannel.close()
    }
}

/// Lets the inbound handlers, created before the transport exists, find it.
private final class RoutingHolder: Sendable {
    let transport = Mutex<RTSPUDPTransport?>(nil)
}

private final class RTSPUDPInboundHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let holder: RoutingHolder
    private let isRTCP: Bool

    init(holder: RoutingHolder, isRTCP: Bool) {
        self.holder = holder
        self.isRTCP = isRTCP
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        holder.transport.withLock { $0 }?.route(envelope, isRTCP: isRTCP)
    }
}
