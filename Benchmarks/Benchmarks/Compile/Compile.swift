import Benchmark
import BenchSupport
import PolicyLang

// Compile time of a 10,000-rule policy set (YAML text to bundle: parse, resolve, check,
// fold, emit, dispatch index) in files of 1,000 rules, and of 1,000 rules.
//   cd Benchmarks && swift package benchmark --target Compile

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(10),
        maxIterations: 20)

    for count in [1_000, 10_000] {
        let rules = Scenarios.documents(documents: 1_000, requests: 1).rules.prefix(6) + Scenarios.fillerRules(count: count - 6)
        let scenario = Scenario(name: "compile\(count)", rules: Array(rules), entityCount: 0, entity: { _ in fatalError() }, requests: [])
        let files = scenario.policyFiles()
        Benchmark("compile \(count) rules") { benchmark in
            for _ in benchmark.scaledIterations {
                let output = PolicyBuild.build(files: files)
                precondition(output.bundle != nil)
                blackHole(output.bundle)
            }
        }
    }
}
