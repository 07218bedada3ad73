// swift-tools-version:6.2
import Foundation
import PackageDescription

// The fuzz targets, kept out of the root package so that `swift build`, `swift test` and CI never
// build them. `scripts/fuzz` builds this package with libFuzzer and AddressSanitizer and runs it.

/// The Mizzen package fuzzed: the enclosing one, or `MIZZEN_FUZZ_ROOT` (a snapshot of the tree,
/// so that edits in progress elsewhere do not break the build).
let rootPath = ProcessInfo.processInfo.environment["MIZZEN_FUZZ_ROOT"] ?? ".."
/// Its identity is the name of its directory (whatever the clone is called).
let root = URL(fileURLWithPath: rootPath, relativeTo: URL(fileURLWithPath: Context.packageDirectory + "/"))
    .standardizedFileURL.lastPathComponent.lowercased()

let settings: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "MizzenFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: rootPath),
    ],
    targets: [
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "Resources", package: root)],
            swiftSettings: settings
        ),
        // The parsers of Resources, APIMachinery, BuiltinKinds, Store and OAM.
        .executableTarget(
            name: "mizzen-fuzz",
            dependencies: [
                "FuzzSupport",
                .product(name: "Resources", package: root),
                .product(name: "APIMachinery", package: root),
                .product(name: "BuiltinKinds", package: root),
                .product(name: "Store", package: root),
                .product(name: "OAM", package: root),
            ],
            swiftSettings: settings
        ),
        // Kubeconfig and the admission webhooks: they bring the HTTP and TLS stacks, which take
        // long to build, so they have a binary of their own.
        .executableTarget(
            name: "mizzen-fuzz-client",
            dependencies: [
                "FuzzSupport",
                .product(name: "Resources", package: root),
                .product(name: "OAM", package: root),
                .product(name: "KubeClient", package: root),
                .product(name: "OAMControllers", package: root),
            ],
            swiftSettings: settings
        ),
    ]
)
