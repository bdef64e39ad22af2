import Benchmark
import BenchSupport
import Evaluator

// Scenario (b), document sharing, against LMDB graphs of about 10k, 1M and 10M parent
// edges (documents in folders 6 deep; requests spread over every document). The graphs
// are written once to /tmp/arbiter-bench-graph-{10k,1M,10M} (the 10M one takes minutes;
// `swift run -c release arbiter-bench graphs` writes them ahead) and reused.
//   cd Benchmarks && swift package --allow-writing-to-directory /tmp benchmark --target GraphSize

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .nanoseconds,
        warmupIterations: 2_000,
        maxDuration: .seconds(3),
        maxIterations: 200_000)

    // "closure": the same graph with precomputed ancestor closures, read through them
    // (written into the graph once, the first time; not for 10M, where that takes long).
    for (label, edges) in GraphSizes.all {
        for closures in label == "10M" ? [false] : [false, true] {
            let key = closures ? "\(label) closure" : label
            let fixture = {
                Fixture.shared(key) {
                    try! Fixture.make(Scenarios.documents(edges: edges, requests: 20_000), memory: false,
                                      lmdbPath: GraphSizes.path(label), closures: closures)
                }
            }
            for (modeName, mode) in [("fast", AuthorizationMode.fast), ("complete", .complete)] {
                Benchmark("documents lmdb \(label) edges \(modeName)\(closures ? " closure" : "")", closure: { benchmark in
                    let f = fixture()
                    for _ in benchmark.scaledIterations { blackHole(f.decideInLMDB(f.nextRequest(), mode: mode)) }
                }, setup: { _ = fixture() })
            }
        }
    }
}
