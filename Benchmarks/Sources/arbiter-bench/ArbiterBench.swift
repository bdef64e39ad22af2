import BenchSupport
import Evaluator
import Foundation
import PolicyLang
import Store

/// Helper executable of the benchmark package:
///   arbiter-bench files DIR [REQUESTS]      scenario files for cedar-compare (Cedar JSON entities,
///                                           Cedar and YAML policies, JSON-lines requests)
///   arbiter-bench time DIR [memory|lmdb|lmdb-closure]
///                                           per-decision timings of Arbiter on those files (JSON lines)
///   arbiter-bench batch SCENARIO STORE N [complete]
///                                           a fixed batch of N fast-mode (or complete) decisions (for callgrind;
///                                           ARBITER_ANCESTOR_CLOSURE=1: LMDB through ancestor closures;
///                                           ARBITER_WALKED_CLOSURES=0: the evaluator's walk, not closures
///                                           made from parent edges)
///                                           SCENARIO documents-10k|documents-1M: the GraphSize graphs
///   arbiter-bench closures 10k|1M [ROUNDS]  scenario (b) on a GraphSize graph, fast mode, walking parent
///                                           edges and through ancestor closures in alternating rounds
///   arbiter-bench reads 10k|1M|10M [ROUNDS] scenario (b) through closures, interleaved per request: the
///                                           LMDB reads a decision makes (resource record; + principal
///                                           record; + both closures) without evaluating, then the decision
///   arbiter-bench graphs                    writes the 10k/1M/10M-edge graphs of GraphSize ahead of time
@main
struct ArbiterBench {
    static func main() throws {
        let args = Array(CommandLine.arguments.dropFirst())
        switch args.first {
        case "files": try files(dir: args[1], requests: args.count > 2 ? Int(args[2])! : 2_000)
        case "time": try time(dir: args[1], store: args.count > 2 ? args[2] : "memory")
        case "batch":
            let mode: AuthorizationMode = args.count > 4 && args[4] == "complete" ? .complete : .fast
            try batch(scenario: args[1], store: args[2], count: Int(args[3])!, mode: mode)
        case "closures": try closures(label: args[1], rounds: args.count > 2 ? Int(args[2])! : 20)
        case "reads": try reads(label: args[1], rounds: args.count > 2 ? Int(args[2])! : 10)
        case "graphs":
            for (label, edges) in GraphSizes.all {
                let started = Date()
                _ = try GraphFixture.open(Scenarios.documents(edges: edges, requests: 1), path: GraphSizes.path(label))
                print("\(label): \(GraphFixture.size(at: GraphSizes.path(label))) (\(Int(Date().timeIntervalSince(started))) s)")
            }
        default:
            print("usage: arbiter-bench files DIR [REQUESTS] | time DIR [memory|lmdb] | batch rbac|documents|licensing memory|lmdb N | graphs")
        }
    }

    static func scenarios(requests: Int) -> [Scenario] {
        [Scenarios.rbac(requests: requests), Scenarios.documents(requests: requests), Scenarios.licensing(requests: requests),
         Scenarios.rbac(requests: requests, extraRules: 10), Scenarios.rbac(requests: requests, extraRules: 1_000)]
    }

    static func scenario(named name: String, requests: Int) -> Scenario {
        switch name {
        case "rbac": Scenarios.rbac(requests: requests)
        case "documents": Scenarios.documents(requests: requests)
        case "licensing": Scenarios.licensing(requests: requests)
        case "documents-10k", "documents-1M", "documents-10M":
            Scenarios.documents(edges: GraphSizes.all.first { "documents-\($0.label)" == name }!.edges, requests: requests)
        default: fatalError("unknown scenario \(name)")
        }
    }

    // MARK: files

    static func files(dir: String, requests: Int) throws {
        for scenario in scenarios(requests: requests) {
            let out = "\(dir)/\(scenario.name)"
            try FileManager.default.createDirectory(atPath: "\(out)/policies", withIntermediateDirectories: true)
            try scenario.policyYAML.write(toFile: "\(out)/policies/\(scenario.name).yaml", atomically: true, encoding: .utf8)
            try scenario.cedarPolicies.write(toFile: "\(out)/policies.cedar", atomically: true, encoding: .utf8)
            var json = "[\n"
            for i in 0..<scenario.entityCount {
                json += EntityJSONWriter.entity(scenario.entity(i))
                json += i + 1 < scenario.entityCount ? ",\n" : "\n"
            }
            try (json + "]\n").write(toFile: "\(out)/entities.json", atomically: true, encoding: .utf8)
            var lines = ""
            for request in scenario.requests {
                let context = request.context.keys.sorted().map { "\"\($0)\":\(contextValue(request.context[$0]!))" }.joined(separator: ",")
                lines += "{\"principal\":\(quote(request.principal.description)),\"action\":\(quote(request.action.description)),"
                    + "\"resource\":\(quote(request.resource.description)),\"context\":{\(context)}}\n"
            }
            try lines.write(toFile: "\(out)/requests.jsonl", atomically: true, encoding: .utf8)
            print("\(out): \(scenario.rules.count) rules, \(scenario.entityCount) entities, \(scenario.requests.count) requests")
        }
    }

    static func quote(_ s: String) -> String { JSONString.quote(s) }

    static func contextValue(_ value: Value) -> String {
        switch value {
        case .long(let n): String(n)
        case .bool(let b): String(b)
        case .string(let s): quote(s)
        default: fatalError("context values here are longs, bools and strings")
        }
    }

    // MARK: time

    static func time(dir: String, store: String) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter {
            FileManager.default.fileExists(atPath: "\(dir)/\($0)/requests.jsonl")
        }.sorted()
        for name in names {
            let base = "\(dir)/\(name)"
            let build = PolicyBuild.build(directory: "\(base)/policies")
            guard let bundle = build.bundle else { fatalError("\(base): \(build.diagnostics)") }
            let memory = try CedarJSON.entities(from: Array(FileManager.default.contents(atPath: "\(base)/entities.json")!))
            let requests = try String(contentsOfFile: "\(base)/requests.jsonl", encoding: .utf8)
                .split(separator: "\n").map { try CedarJSON.request(from: Array($0.utf8)) }
            let authorizer = Authorizer(bundle: bundle)
            var results: [String] = []
            if store == "lmdb" || store == "lmdb-closure" {
                let path = GraphFixture.temporaryPath("time-\(name)")
                try? FileManager.default.removeItem(atPath: path)
                defer { try? FileManager.default.removeItem(atPath: path) }
                let graph = try EntityGraph(environment: Environment(path: path))
                try graph.environment.writeSync { txn in
                    try graph.upsert(Array(memory.entities.values), tenant: GraphFixture.tenant, in: txn)
                }
                if store == "lmdb-closure" {
                    try graph.environment.writeSync { txn in try graph.enableAncestorClosures(tenant: GraphFixture.tenant, in: txn) }
                }
                let reader = try graph.reader(tenant: GraphFixture.tenant)
                reader.usesAncestorClosures = store == "lmdb-closure"
                reader.reset()
                for mode in [AuthorizationMode.fast, .complete] {
                    results.append(measure(name, mode, requests) { request in
                        try! reader.read { authorizer.authorize(request, graph: $0, mode: mode) }
                    })
                }
            } else {
                for mode in [AuthorizationMode.fast, .complete] {
                    results.append(measure(name, mode, requests) { authorizer.authorize($0, entities: memory, mode: mode) })
                }
            }
            for line in results { print(line) }
        }
    }

    /// One warm-up pass, then passes until about half a second has gone, each decision
    /// timed alone. Prints a JSON line with the summary and the decisions (A/D).
    static func measure(_ name: String, _ mode: AuthorizationMode, _ requests: [Request], _ decide: (Request) -> Decision) -> String {
        var decisions = ""
        for request in requests { decisions.append(decide(request).decision == .allow ? "A" : "D") }
        var samples: [UInt64] = []
        samples.reserveCapacity(requests.count * 8)
        let started = monotonicNanoseconds()
        var batchNanos: UInt64 = 0
        var batchCount = 0
        let cpuStart = processCPUNanoseconds()
        repeat {
            let batchStart = monotonicNanoseconds()
            for request in requests {
                let t0 = monotonicNanoseconds()
                let decision = decide(request)
                samples.append(monotonicNanoseconds() - t0)
                withExtendedLifetime(decision) {}
            }
            batchNanos += monotonicNanoseconds() - batchStart
            batchCount += requests.count
        } while monotonicNanoseconds() - started < 500_000_000
        let cpu = Double(processCPUNanoseconds() - cpuStart) / Double(batchCount)
        let s = Summary(samples)
        return "{\"scenario\":\"\(name)\",\"mode\":\"\(mode == .fast ? "fast" : "complete")\",\"n\":\(s.count),"
            + "\"mean_ns\":\(Int(Double(batchNanos) / Double(batchCount))),\"cpu_ns\":\(Int(cpu)),\"p50_ns\":\(s.p50),\"p90_ns\":\(s.p90),\"p99_ns\":\(s.p99),"
            + "\"decisions\":\"\(decisions)\"}"
    }

    // MARK: closures

    /// Scenario (b) on the GraphSize graph `label` (written if missing), with its
    /// ancestor closures computed, and an authorizer for its rules.
    static func documentsWithClosures(_ label: String) throws -> (Scenario, EntityGraph, Authorizer) {
        let edges = GraphSizes.all.first { $0.label == label }!.edges
        let scenario = Scenarios.documents(edges: edges, requests: 5_000)
        let graph = try GraphFixture.open(scenario, path: GraphSizes.path(label))
        try GraphFixture.enableClosures(graph)
        return (scenario, graph, Authorizer(bundle: scenario.bundle()))
    }

    /// Walk against closures on one graph, interleaved so that machine load and page-cache
    /// state hit both alike: each round decides the same 5,000 requests once per way.
    static func closures(label: String, rounds: Int) throws {
        let (scenario, graph, authorizer) = try documentsWithClosures(label)
        let reader = try graph.reader(tenant: GraphFixture.tenant)
        reader.reset()
        var samples: [[UInt64]] = [[], []]
        for round in 0..<(rounds + 1) {
            for way in [0, 1] {
                reader.usesAncestorClosures = way == 1
                for request in scenario.requests {
                    let t0 = monotonicNanoseconds()
                    let decision = try reader.read { authorizer.authorize(request, graph: $0, mode: .fast) }
                    let t = monotonicNanoseconds() - t0
                    withExtendedLifetime(decision) {}
                    if round > 0 { samples[way].append(t) }  // round 0 warms up
                }
            }
        }
        for (way, name) in ["walk", "closure"].enumerated() {
            let s = Summary(samples[way])
            print("documents \(label) \(name): n=\(s.count) p50=\(s.p50) ns p90=\(s.p90) ns p99=\(s.p99) ns mean=\(Int(s.mean)) ns")
        }
    }

    // MARK: reads: what the store alone costs

    /// How much of a decision is the store's reads: per request, (0) a snapshot and the
    /// resource's record, (1) + the principal's record, (2) + the closures of both (what
    /// `in` reads), (3) the whole fast-mode decision. Each way has its own reader (its
    /// own record cache) and runs over all requests in turn, round after round, so that
    /// no way finds what another way just read in a cache and load hits all alike.
    static func reads(label: String, rounds: Int) throws {
        let (scenario, graph, authorizer) = try documentsWithClosures(label)
        let readers = try (0..<4).map { _ in try graph.reader(tenant: GraphFixture.tenant) }
        for reader in readers { reader.reset() }
        let nowhere = EntityUID(type: "Folder", id: "none")
        var samples: [[UInt64]] = [[], [], [], []]
        var sink = 0
        for round in 0..<(rounds + 1) {
            for way in 0..<4 {
                let reader = readers[way]
                for request in scenario.requests {
                    let t0 = monotonicNanoseconds()
                    switch way {
                    case 0:
                        sink &+= try reader.read { try $0.hasAttribute("owner", of: request.resource) ? 1 : 0 }
                    case 1:
                        sink &+= try reader.read { try ($0.hasAttribute("owner", of: request.resource) ? 1 : 0) + ($0.hasAttribute("workspace", of: request.principal) ? 1 : 0) }
                    case 2:
                        sink &+= try reader.read { store in
                            var n = try store.hasAttribute("owner", of: request.resource) ? 1 : 0
                            n += try store.hasAttribute("workspace", of: request.principal) ? 1 : 0
                            n += try store.closureContains(request.resource, ancestor: nowhere, maxDepth: 64) == true ? 1 : 0
                            n += try store.closureContains(request.principal, ancestor: nowhere, maxDepth: 64) == true ? 1 : 0
                            return n
                        }
                    default:
                        sink &+= try reader.read { authorizer.authorize(request, graph: $0, mode: .fast) }.decision == .allow ? 1 : 0
                    }
                    let t = monotonicNanoseconds() - t0
                    if round > 0 { samples[way].append(t) }  // round 0 warms up
                }
            }
        }
        for (way, name) in ["resource record", "+ principal record", "+ both closures", "decision"].enumerated() {
            let s = Summary(samples[way])
            print("documents \(label) \(name): n=\(s.count) p50=\(s.p50) ns p90=\(s.p90) ns p99=\(s.p99) ns mean=\(Int(s.mean)) ns")
        }
        print("(checksum \(sink))")
    }

    // MARK: batch (callgrind)

    static func batch(scenario name: String, store: String, count: Int, mode: AuthorizationMode) throws {
        let scenario = scenario(named: name, requests: count)
        let authorizer = Authorizer(bundle: scenario.bundle())
        var allowed = 0
        if store == "lmdb" {
            let path = name.hasPrefix("documents-") ? GraphSizes.path(String(name.dropFirst("documents-".count))) : "/tmp/arbiter-bench-batch-\(name)"
            let graph = try GraphFixture.open(scenario, path: path)
            let closures = GraphFixture.closuresFromEnvironment
            if closures { try GraphFixture.enableClosures(graph, log: false) }
            let reader = try graph.reader(tenant: GraphFixture.tenant)
            reader.usesAncestorClosures = closures
            reader.usesWalkedClosures = GraphFixture.walkedClosuresFromEnvironment
            reader.reset()
            allowed = runBatch(scenario.requests) { request in try! reader.read { authorizer.authorize(request, graph: $0, mode: mode) } }
        } else {
            let entities = scenario.inMemoryEntities()
            allowed = runBatch(scenario.requests) { authorizer.authorize($0, entities: entities, mode: mode) }
        }
        print("\(name) \(store): \(count) decisions, \(allowed) allowed")
    }

    /// The measured part: callgrind is started with `--toggle-collect=*runBatch*`.
    @inline(never)
    static func runBatch(_ requests: [Request], _ decide: (Request) -> Decision) -> Int {
        var allowed = 0
        for request in requests where decide(request).decision == .allow { allowed += 1 }
        return allowed
    }
}

