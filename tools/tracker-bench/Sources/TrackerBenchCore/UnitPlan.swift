import Foundation

/// A latitude/longitude rectangle in degrees.
public struct GeoBox: Sendable, Hashable {
    public var south: Double
    public var north: Double
    public var west: Double
    public var east: Double

    public init(south: Double, north: Double, west: Double, east: Double) {
        self.south = south
        self.north = north
        self.west = west
        self.east = east
    }

    public func contains(latitude: Double, longitude: Double) -> Bool {
        (south...north).contains(latitude) && (west...east).contains(longitude)
    }

    /// A province-sized area around Wuhan (about 450 km by 740 km), where most units are spread.
    public static let province = GeoBox(south: 29.1, north: 33.2, west: 108.4, east: 116.1)
    /// A city core around 30.6N 114.3E (about 33 km by 38 km), where incidents crowd units and cameras.
    public static let city = GeoBox(south: 30.45, north: 30.75, west: 114.1, east: 114.5)
}

/// SplitMix64: small, fast and deterministic, so every run places the same units in the same spots.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform Double in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}

/// A point picked in the city core with probability `cityShare`, else anywhere in the province.
public func randomPoint(cityShare: Double, using random: inout SplitMix64) -> (latitude: Double, longitude: Double) {
    let box = random.unit() < cityShare ? GeoBox.city : GeoBox.province
    return (box.south + random.unit() * (box.north - box.south), box.west + random.unit() * (box.east - box.west))
}

/// The simulated fleet: unit i has id `u` + zero-padded i, starts at a random point and moves in
/// a straight line at walking-to-driving speed. Units `0..<httpCount` report over OsmAnd HTTP,
/// the rest over NMEA. Everything follows from the seed.
public struct UnitPlan: Sendable {
    public let count: Int
    public let httpCount: Int
    public var nmeaCount: Int { count - httpCount }
    public var httpUnits: Range<Int> { 0..<httpCount }
    public var nmeaUnits: Range<Int> { httpCount..<count }

    /// Degrees per second north and east, speed in knots and course in degrees, per unit.
    private let startLatitudes: [Double]
    private let startLongitudes: [Double]
    private let northDegreesPerSecond: [Double]
    private let eastDegreesPerSecond: [Double]
    public let speedKnots: [Double]
    public let courses: [Double]
    /// The unit ids as bytes, for writing without String work.
    private let idBytes: [[UInt8]]

    public static let metresPerDegreeLatitude = 111_320.0
    public static let maximumSpeed = 15.0  // m/s

    public init(count: Int, httpShare: Double, cityShare: Double = 0.5, seed: UInt64 = 1) {
        precondition(count >= 0)
        self.count = count
        httpCount = min(count, max(0, Int((Double(count) * httpShare).rounded())))
        var random = SplitMix64(seed: seed)
        var latitudes = [Double](), longitudes = [Double](), north = [Double](), east = [Double](), knots = [Double](), courses = [Double]()
        latitudes.reserveCapacity(count); longitudes.reserveCapacity(count)
        north.reserveCapacity(count); east.reserveCapacity(count)
        knots.reserveCapacity(count); courses.reserveCapacity(count)
        for _ in 0..<count {
            let point = randomPoint(cityShare: cityShare, using: &random)
            let speed = random.unit() * Self.maximumSpeed
            let course = random.unit() * 360
            let radians = course * .pi / 180
            latitudes.append(point.latitude)
            longitudes.append(point.longitude)
            north.append(speed * cos(radians) / Self.metresPerDegreeLatitude)
            east.append(speed * sin(radians) / (Self.metresPerDegreeLatitude * cos(point.latitude * .pi / 180)))
            knots.append(speed * 3600 / 1852)
            courses.append(course)
        }
        startLatitudes = latitudes
        startLongitudes = longitudes
        northDegreesPerSecond = north
        eastDegreesPerSecond = east
        speedKnots = knots
        self.courses = courses
        let width = max(6, String(max(count - 1, 0)).count)
        idBytes = (0..<count).map { Array(Self.id(of: $0, width: width).utf8) }
    }

    static func id(of index: Int, width: Int) -> String {
        let digits = String(index)
        return "u" + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    public func id(_ unit: Int) -> String { String(decoding: idBytes[unit], as: UTF8.self) }

    public func idBytes(_ unit: Int) -> [UInt8] { idBytes[unit] }

    /// Where the unit is `seconds` after the plan's start.
    @inline(__always)
    public func position(_ unit: Int, at seconds: Double) -> (latitude: Double, longitude: Double) {
        (startLatitudes[unit] + northDegreesPerSecond[unit] * seconds, startLongitudes[unit] + eastDegreesPerSecond[unit] * seconds)
    }
}
