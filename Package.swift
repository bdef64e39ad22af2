// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "arbiter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "arbiter", targets: ["arbiter"]),
        // The engine alone, for the benchmark package in Benchmarks/ (its own package).
        .library(name: "ArbiterEngine", targets: ["Evaluator", "PolicyLang", "Store"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        // Already built for HummingbirdTesting; `arbiter login` uses it so HTTPS goes through
        // swift-nio-ssl rather than FoundationNetworking's libcurl and the system OpenSSL (§6).
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // GET /metrics: counters and histograms through swift-metrics, exposed by swift-prometheus.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // System-library shims (DESIGN §2). Nothing else lives in them.
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),

        .target(name: "Store", dependencies: ["CLMDB"]),
        .target(name: "PolicyLang", dependencies: ["CYAML"]),
        .target(name: "Evaluator", dependencies: ["PolicyLang", "Store"]),
        .target(name: "Identity", dependencies: [
            "Store",
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "X509", package: "swift-certificates"),
        ]),
        .target(name: "Devices", dependencies: [
            "Store",
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "X509", package: "swift-certificates"),
        ]),
        .target(name: "Server", dependencies: [
            "Store", "Identity", "Devices", "PolicyLang", "Evaluator",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            // The check fast path works on NIO's HTTP/1 parts (`CheckFastPathChannel`).
            .product(name: "NIOHTTP1", package: "swift-nio"),
            // `arbiter serve` installs NIO's event loops as Swift Concurrency's executor.
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .executableTarget(name: "arbiter", dependencies: ["Server"]),

        // Helpers shared by test targets only; not part of any product.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "StoreTests", dependencies: ["Store", "TestSupport"]),
        .testTarget(name: "PolicyLangTests", dependencies: ["PolicyLang", "TestSupport"]),
        .testTarget(name: "EvaluatorTests", dependencies: ["Evaluator", "PolicyLang", "Store", "TestSupport"]),
        .testTarget(name: "IdentityTests", dependencies: ["Identity", "Store", "TestSupport"]),
        .testTarget(name: "DevicesTests", dependencies: ["Devices", "Store", "TestSupport"]),
        .testTarget(name: "ServerTests", dependencies: [
            "Server", "Store", "Identity", "Devices", "PolicyLang", "Evaluator", "TestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
