import Foundation
import MusterGateway
import MusterRTSP
import Testing

@Suite struct GatewayConfigurationTests {
    static func write(_ yaml: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("muster-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func readsTheExampleConfiguration() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../profiles/gateway.example.yaml").path
        let configuration = try GatewayConfiguration.load(fromFile: example)
        #expect(configuration.rtsp.port == 8554)
        #expect(configuration.rtsp.rtpPort == 8000)
        #expect(configuration.sources.map(\.path.rawValue) == ["demo"])
        #expect(configuration.tracking.osmand?.port == 5055)
        #expect(configuration.tracking.nmea?.port == 10110)
        #expect(configuration.tracking.tracker.autoCreateUnits == false)
        #expect(configuration.rtsp.multicast == RTSPMulticastConfiguration(groups: IPv4AddressBlock("239.255.42.0/24")!, port: 8002, ttl: 1))
        try configuration.validate()
    }

    @Test func turnsMulticastOffOrMovesIt() throws {
        let off = try GatewayConfiguration.load(fromFile: try Self.write("rtsp:\n  multicast:\n    enabled: false\n"))
        #expect(off.rtsp.multicast == nil)
        let moved = try GatewayConfiguration.load(fromFile: try Self.write("rtsp:\n  multicast:\n    groups: 239.7.0.0/16\n    port: 9002\n    ttl: 8\n"))
        #expect(moved.rtsp.multicast == RTSPMulticastConfiguration(groups: IPv4AddressBlock("239.7.0.0/16")!, port: 9002, ttl: 8))
    }

    @Test func readsTheTrackingSection() throws {
        let path = try Self.write("""
            tracking:
              osmand_listen: "off"
              nmea_listen: 127.0.0.1:4001
              nmea_units: {"10.20.0.31": truck-7, "10.20.0.32:4001": boat-2}
              auto_create_units: true
              online_timeout_seconds: 120
              retention_days: 2
            """)
        let configuration = try GatewayConfiguration.load(fromFile: path)
        #expect(configuration.tracking.osmand == nil)
        #expect(configuration.tracking.nmea?.port == 4001)
        #expect(configuration.tracking.nmeaUnits == ["10.20.0.31": "truck-7", "10.20.0.32:4001": "boat-2"])
        #expect(configuration.tracking.tracker.autoCreateUnits)
        #expect(configuration.tracking.tracker.onlineTimeout == 120)
        #expect(configuration.tracking.tracker.retention == 2 * 86_400)
        try configuration.validate()

        var badUnit = configuration
        badUnit.tracking.nmeaUnits = ["10.0.0.1": "no spaces allowed"]
        #expect(throws: GatewayConfigurationError.self) { try badUnit.validate() }
        var publicListener = configuration
        publicListener.tracking.nmea?.host = "0.0.0.0"
        #expect(!publicListener.allListenersOnLoopback)
    }

    @Test func readsUsersAndAllowsNonLoopbackListenersOnlyWithThem() throws {
        let path = try Self.write("""
            rtsp:
              listen: 0.0.0.0:9554
              users:
                - name: wall-3
                  password: pw
                  read: ["hq/*"]
            """)
        let configuration = try GatewayConfiguration.load(fromFile: path)
        #expect(configuration.rtsp.users.map(\.name) == ["wall-3"])
        #expect(configuration.rtsp.users.first?.read.map(\.pattern) == ["hq/*"])
        try configuration.validate()

        var anonymous = configuration
        anonymous.rtsp.users = []
        #expect(throws: GatewayConfigurationError.self) { try anonymous.validate() }
    }

    @Test(arguments: [
        ("rtsp:\n  listen: nowhere\n", "must look like HOST:PORT"),
        ("rtsp:\n  rtp_port: many\n", "rtsp.rtp_port"),
        ("sources:\n  - path: Bad/Path\n    url: x.mp4\n", "may only hold lowercase letters"),
        ("sources:\n  - url: x.mp4\n", "missing field 'sources[0].path'"),
        ("rtsp: [unclosed\n", "not valid YAML"),
        ("tracking:\n  nmea_listen: everywhere\n", "tracking"),
        ("rtsp:\n  multicast:\n    groups: 10.1.0.0/16\n", "rtsp.multicast.groups"),
        ("rtsp:\n  multicast:\n    port: 8003\n", "rtsp.multicast.port"),
        ("rtsp:\n  multicast:\n    ttl: 0\n", "rtsp.multicast.ttl"),
    ])
    func explainsBadFiles(yaml: String, message: String) throws {
        let path = try Self.write(yaml)
        #expect {
            try GatewayConfiguration.load(fromFile: path)
        } throws: { error in
            "\(error)".contains(message) && "\(error)".contains(path)
        }
    }
}
