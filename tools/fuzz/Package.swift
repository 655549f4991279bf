// swift-tools-version:6.0
import PackageDescription

// libFuzzer drivers for Muster's parsers. Build and run them with `tools/fuzz/run`.
//
// The main package exports no library products, and SwiftPM lets a package depend only on
// another package's products, so a path dependency on `../..` cannot reach MusterRTSP & co.
// Instead Sources/MusterCore, MusterRTP, MusterSDP, MusterRTSP and CSRTP are relative symlinks
// to the main package's folders, built here as this package's own targets. Keep their
// dependencies and settings in step with ../../Package.swift.

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "MusterFuzz",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "RTSPMessageFuzzer", targets: ["RTSPMessageFuzzer"]),
        .executable(name: "SDPFuzzer", targets: ["SDPFuzzer"]),
        .executable(name: "RTPFuzzer", targets: ["RTPFuzzer"]),
        .executable(name: "AuthorizationFuzzer", targets: ["AuthorizationFuzzer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // Symlinked from ../../Sources.
        .systemLibrary(name: "CSRTP", pkgConfig: "libsrtp2", providers: [.apt(["libsrtp2-dev"])]),
        .target(
            name: "MusterCore",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MusterRTP",
            dependencies: ["MusterCore", "CSRTP", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MusterSDP",
            dependencies: ["MusterCore", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MusterRTSP",
            dependencies: [
                "MusterCore", "MusterRTP", "MusterSDP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // The drivers.
        .target(name: "FuzzSupport", swiftSettings: swiftSettings),
        .executableTarget(
            name: "RTSPMessageFuzzer",
            dependencies: ["FuzzSupport", "MusterRTSP", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "SDPFuzzer",
            dependencies: ["FuzzSupport", "MusterSDP", "MusterCore", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "RTPFuzzer",
            dependencies: ["FuzzSupport", "MusterRTP", "MusterCore", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "AuthorizationFuzzer",
            dependencies: ["FuzzSupport", "MusterRTSP"],
            swiftSettings: swiftSettings
        ),
    ]
)
