// swift-tools-version:6.0
import PackageDescription

// The directory benchmark: SQLiteDirectoryStore at millions of channels. Run it with
// `tools/directory-bench/run`.
//
// The main package exports no library products and SwiftPM lets a package depend only on another
// package's products, so Sources/MusterCore and Sources/MusterDirectory are relative symlinks to
// the main package's folders, built here as this package's own targets (as tools/fuzz does). Keep
// their dependencies and settings in step with ../../Package.swift.

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "DirectoryBench",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "directory-bench", targets: ["directory-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        // Symlinked from ../../Sources.
        .target(name: "MusterCore", dependencies: [.product(name: "NIOCore", package: "swift-nio")], swiftSettings: swiftSettings),
        .target(
            name: "MusterDirectory",
            dependencies: [
                "MusterCore", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),

        .executableTarget(name: "directory-bench", dependencies: ["MusterDirectory", "MusterCore"], swiftSettings: swiftSettings),
    ]
)
