import Logging
import MusterCore
import NIOCore
import NIOPosix

/// The RTSP listener: accepts connections, serves the streams of a hub registry, and owns the
/// shared UDP port pair.
public final class RTSPServer: Sendable {
    public let configuration: RTSPServerConfiguration
    private let context: RTSPServerContext
    private let serverChannel: any Channel
    private let group: any EventLoopGroup

    /// The TCP address RTSP is listening on (its port is the real one when 0 was asked for).
    public var localAddress: SocketAddress? { serverChannel.localAddress }
    /// Every playing and recording session.
    public var sessions: RTSPSessionRegistry { context.sessions }
    /// The shared RTP port (RTCP is the next one), or nil when UDP is off.
    public var rtpPort: Int? { context.udp?.rtpPort }
    /// The RTP port of the multicast groups (RTCP is the next one), or nil when multicast is off.
    public var multicastPort: Int? { context.multicast?.port }

    private init(configuration: RTSPServerConfiguration, context: RTSPServerContext, serverChannel: any Channel, group: any EventLoopGroup) {
        self.configuration = configuration
        self.context = context
        self.serverChannel = serverChannel
        self.group = group
    }

    /// Binds the listener and the UDP pair, then serves until `close()`.
    public static func start(
        configuration: RTSPServerConfiguration,
        hubs: StreamHubRegistry,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger,
        sessions: RTSPSessionRegistry? = nil,
        publishPolicy: @escaping RTSPPublishPolicy = { _ in .allow },
        streamDemand: @escaping RTSPStreamDemand = { _ in false },
        streamInterest: @escaping RTSPStreamInterest = { _ in }
    ) async throws -> RTSPServer {
        let udp = try await RTSPUDPTransport.bind(host: configuration.host, rtpPort: configuration.rtpPort, group: group)
        let fanouts = RTPFanoutRegistry()
        var multicast: RTSPMulticastRegistry?
        if let settings = configuration.multicast, IPv4AddressBlock.address(configuration.host) != nil {
            do {
                try await udp.enableMulticast(interface: configuration.host == "0.0.0.0" ? nil : configuration.host, ttl: settings.ttl)
            } catch {
                await udp.close()
                throw error
            }
            multicast = RTSPMulticastRegistry(configuration: settings, udp: udp, fanouts: fanouts)
        }
        let context = RTSPServerContext(
            configuration: configuration, hubs: hubs, fanouts: fanouts, udp: udp, multicast: multicast, connections: RTSPConnectionSet(),
            sessions: sessions ?? RTSPSessionRegistry(events: hubs.events),
            authenticationThrottle: RTSPAuthenticationThrottle(policy: configuration.authentication), logger: logger, publishPolicy: publishPolicy,
            streamDemand: streamDemand,
            streamInterest: streamInterest
        )
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.writeBufferWaterMark, value: .init(low: 256 * 1024, high: 1024 * 1024))
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(RTSPConnectionHandler(context: context))
                    }
                }
                .bind(host: configuration.host, port: configuration.port)
                .get()
        } catch {
            await udp.close()
            throw error
        }
        let server = RTSPServer(configuration: configuration, context: context, serverChannel: channel, group: group)
        logger.info("RTSP listening", metadata: [
            "address": "rtsp://\(configuration.host):\(channel.localAddress?.port ?? configuration.port)",
            "rtp_udp_ports": "\(udp.rtpPort)-\(udp.rtcpPort)",
            "multicast": "\(multicast.map { "\($0.configuration.groups) port \($0.port)-\($0.port + 1) ttl \($0.configuration.ttl)" } ?? "off")",
        ])
        return server
    }

    /// Stops accepting, closes every connection (ending their sessions) and the UDP pair.
    public func close() async {
        if let dropped = context.udp?.droppedUnroutedDatagrams, dropped > 0 {
            // Datagrams from addresses no SETUP negotiated: stray traffic or spoofing attempts.
            context.logger.notice("dropped UDP datagrams from unknown peers", metadata: ["count": "\(dropped)"])
        }
        try? await serverChannel.close()
        await context.connections.closeAll()
        await context.udp?.close()
    }
}
