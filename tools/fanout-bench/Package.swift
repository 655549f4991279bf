// swift-tools-version:6.0
import PackageDescription

/// The fan-out benchmark: many lightweight RTSP/TCP readers in one process, and the report that
/// puts Muster's figures beside a peer's. Its own package so that Muster's build never waits for it.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "FanoutBench",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fanout-bench", targets: ["fanout-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
    ],
    targets: [
        .target(
            name: "FanoutBenchCore",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "fanout-bench",
            dependencies: [
                "FanoutBenchCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "FanoutBenchCoreTests", dependencies: ["FanoutBenchCore"], swiftSettings: swiftSettings),
    ]
)
