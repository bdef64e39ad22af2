// swift-tools-version:6.1
// Reference servers of the HTTP load benchmark (run.sh): the ceiling of the stack Arbiter
// is built on, measured in the same session as `arbiter serve`. Its own package with its own
// .build so that building it never touches the main package's or the benchmark package's.
// Versions pinned to the main package's Package.resolved (same NIO, same Hummingbird).
import PackageDescription

let package = Package(
    name: "http-check",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
    ],
    targets: [
        .executableTarget(name: "raw-nio", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .executableTarget(name: "bare-hummingbird", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
