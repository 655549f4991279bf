import Foundation
import MusterCore
import MusterDirectory

/// A deterministic source of channels shaped like a provincial emergency network: seven in ten
/// names Chinese ("尾矿库3号坝 东侧"), two in ten ASCII ("Harbor 120 North"), the rest mixed;
/// mostly cameras; 40 zones interleaved in import order; zero to three of 20 tags.
struct BenchChannelGenerator {
    static let places = ["青石镇", "白沙河", "尾矿库", "东湖", "西山", "南港", "北岭", "金沙江", "黄河大桥", "长江隧道", "滨海新区", "高新区",
                         "老城区", "龙泉驿", "凤凰山", "天府广场", "人民路", "解放路", "中山路", "建设路", "和平街", "光明村", "红星水库",
                         "清水河", "石门坎", "马家沟", "杨柳湾", "桃花岛", "梅花镇", "松林坡"]
    static let facilities = ["派出所", "消防站", "水库", "大坝", "坝", "变电站", "加油站", "学校", "医院", "收费站", "服务区", "隧道口", "桥头",
                             "路口", "广场", "码头", "仓库", "矿区", "渡口", "泵站"]
    static let spots = ["坝", "杆", "点", "机"]
    static let directions = ["东侧", "西侧", "南侧", "北侧", "门口", "出口", "入口", "全景", "球机", "枪机", "上游", "下游"]
    static let asciiPlaces = ["Gate", "Harbor", "Depot", "Bridge", "Tunnel", "Plaza", "Station", "Reservoir", "Warehouse", "Airport", "Dock",
                              "Highway", "Checkpoint", "Substation", "Pier"]
    static let asciiDirections = ["North", "South", "East", "West", "Entrance", "Exit", "Overview", "PTZ", "Roof", "Lobby"]
    // Not mosaic or derived: those need a mosaic source or a CHANNEL~PROFILE path, which these rows do not have.
    static let kinds: [ChannelKind] = Array(repeating: .camera, count: 12) + [.drone, .bodyWorn, .phone, .vehicle]
    static let zones = (0..<40).map { String(format: "z%02d", $0) }
    static let tags = ["ptz", "flood", "fire", "traffic", "night-vision", "4k", "thermal", "audio", "mine", "school", "hospital",
                       "highway", "river", "bridge", "tunnel", "port", "rail", "power", "water", "forest"]

    private var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func channel(_ index: Int) -> Channel {
        let zone = pick(Self.zones)
        // Sites of 50 cameras, numbered in import order within the whole run: each zone's paths
        // grow at their own end, as an export sorted by site would.
        let path = try! ChannelPath(validating: "\(zone)/site-\(Self.padded(index / 50, 5))/cam-\(Self.padded(index % 50, 2))")
        let kind = pick(Self.kinds)
        var tags: [String] = []
        for _ in 0..<[0, 1, 1, 2, 2, 3][Int(random.next() % 6)] {
            let tag = pick(Self.tags)
            if !tags.contains(tag) { tags.append(tag) }
        }
        return Channel(
            path: path, name: name(), kind: kind,
            source: .pull("rtsp://10.\(index % 256).\((index >> 8) % 256).\((index >> 16) % 256)/stream1"),
            zone: zone, unitID: kind == .bodyWorn ? "bw-\(index % 5000)" : nil,
            latitude: 30 + Double(random.next() % 100_000) / 100_000, longitude: 104 + Double(random.next() % 100_000) / 100_000,
            tags: tags, onDemand: random.next() % 10 < 3
        )
    }

    mutating func name() -> String {
        let draw = random.next() % 10
        if draw < 7 {
            return "\(pick(Self.places))\(pick(Self.facilities))\(1 + random.next() % 99)号\(pick(Self.spots)) \(pick(Self.directions))"
        } else if draw < 9 {
            return "\(pick(Self.asciiPlaces)) \(1 + random.next() % 500) \(pick(Self.asciiDirections))"
        }
        return "\(pick(Self.places)) \(pick(Self.asciiPlaces))-\(1 + random.next() % 99) \(pick(Self.directions))"
    }

    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    mutating func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }

    mutating func below(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
}

/// Sebastiano Vigna's SplitMix64: tiny, fast, and the same sequence on every platform.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
