// swift-tools-version:6.0
import PackageDescription

/// The tracking load benchmark: one lean NIO process plays tens of thousands of field units
/// reporting over OsmAnd HTTP and NMEA UDP, queries the gateway meanwhile and reports what it
/// accepted. Its own package so that Muster's build never waits for it.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "TrackerBench",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tracker-bench", targets: ["tracker-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
    ],
    targets: [
        .target(
            name: "TrackerBenchCore",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "tracker-bench",
            dependencies: [
                "TrackerBenchCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "TrackerBenchCoreTests", dependencies: ["TrackerBenchCore"], swiftSettings: swiftSettings),
    ]
)
