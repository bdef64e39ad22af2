import Benchmark
import BenchSupport
import Evaluator

// In-process decisions on the three scenarios of issue 4, against in-memory entities and
// against an LMDB graph (written once to /tmp/arbiter-bench-<scenario>). One decision per
// iteration, so the percentiles are per decision; requests cycle through 10,000 seeded ones.
// The "×1000" variants time batches of 1,000 decisions (reported per decision), for a CPU
// time the per-decision clock is too coarse to give.
//   cd Benchmarks && swift package --allow-writing-to-directory /tmp benchmark --target Decisions

let scenarios: [(String, @Sendable () -> Scenario)] = [
    ("rbac", { Scenarios.rbac() }),
    ("documents", { Scenarios.documents() }),
    ("licensing", { Scenarios.licensing() }),
]

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        timeUnits: .nanoseconds,
        warmupIterations: 2_000,
        maxDuration: .seconds(3),
        maxIterations: 200_000)

    for (name, make) in scenarios {
        let fixture = { Fixture.shared(name) { try! Fixture.make(make(), memory: true, lmdbPath: "/tmp/arbiter-bench-\(name)") } }
        for (modeName, mode) in [("fast", AuthorizationMode.fast), ("complete", .complete)] {
            Benchmark("\(name) memory \(modeName)", closure: { benchmark in
                let f = fixture()
                for _ in benchmark.scaledIterations { blackHole(f.decideInMemory(f.nextRequest(), mode: mode)) }
            }, setup: { _ = fixture() })
            Benchmark("\(name) lmdb \(modeName)", closure: { benchmark in
                let f = fixture()
                for _ in benchmark.scaledIterations { blackHole(f.decideInLMDB(f.nextRequest(), mode: mode)) }
            }, setup: { _ = fixture() })
        }
        for store in ["memory", "lmdb"] {
            Benchmark("\(name) \(store) fast ×1000", configuration: .init(
                metrics: [.cpuTotal, .wallClock, .mallocCountTotal], timeUnits: .nanoseconds, warmupIterations: 2,
                scalingFactor: .kilo, maxDuration: .seconds(3), maxIterations: 1_000), closure: { benchmark in
                let f = fixture()
                if store == "memory" {
                    for _ in benchmark.scaledIterations { blackHole(f.decideInMemory(f.nextRequest(), mode: .fast)) }
                } else {
                    for _ in benchmark.scaledIterations { blackHole(f.decideInLMDB(f.nextRequest(), mode: .fast)) }
                }
            }, setup: { _ = fixture() })
        }
    }
}
