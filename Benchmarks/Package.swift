// swift-tools-version:6.1
// Benchmarks of the Arbiter engine, kept out of the server's build (DESIGN §6).
//   swift package benchmark                       every suite (see BENCHMARKS.md)
//   swift run -c release arbiter-bench --help     scenario files, Arbiter timings for
//                                                 cedar-compare, fixed batches for callgrind
import PackageDescription

let package = Package(
    name: "arbiter-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, so the targets below find it whatever the checkout folder is called.
        .package(name: "arbiter", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Seeded scenario generators, LMDB fixtures and timing helpers shared by the suites.
        .target(name: "BenchSupport", dependencies: [.product(name: "ArbiterEngine", package: "arbiter")]),
        .executableTarget(name: "arbiter-bench", dependencies: ["BenchSupport", .product(name: "ArbiterEngine", package: "arbiter")]),
        .executableTarget(
            name: "Decisions",
            dependencies: ["BenchSupport", .product(name: "ArbiterEngine", package: "arbiter"), .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/Decisions",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(
            name: "GraphSize",
            dependencies: ["BenchSupport", .product(name: "ArbiterEngine", package: "arbiter"), .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/GraphSize",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(
            name: "Compile",
            dependencies: ["BenchSupport", .product(name: "ArbiterEngine", package: "arbiter"), .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/Compile",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    ],
    swiftLanguageModes: [.v6]
)
