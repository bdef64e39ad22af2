import Evaluator
import Foundation
import PolicyLang
import Store

/// LMDB graphs for the benchmarks: written once in large batches, then reused while a
/// complete marker for the same scenario is present.
public enum GraphFixture {
    public static let tenant = "bench"

    /// Opens the graph of `scenario` in `path`, writing it first unless a complete one is
    /// there (`rebuild` forces a fresh one).
    public static func open(_ scenario: Scenario, path: String, rebuild: Bool = false, log: Bool = true) throws -> EntityGraph {
        let marker = "\(path)/complete-\(scenario.name)-\(scenario.entityCount)"
        let files = FileManager.default
        if rebuild || !files.fileExists(atPath: marker) {
            try? files.removeItem(atPath: path)
            try write(scenario, path: path, log: log)
            files.createFile(atPath: marker, contents: Data())
        }
        // Map just the file and some room: a 64 GiB map is more than valgrind can give.
        var options = Environment.Options()
        let fileSize = (try? files.attributesOfItem(atPath: "\(path)/data.mdb")[.size] as? Int) ?? 0
        options.initialMapSize = (fileSize ?? 0) + (256 << 20)
        return try EntityGraph(environment: Environment(path: path, options: options))
    }

    /// Turns on the tenant's ancestor closures in the graph (one write transaction, once;
    /// later opens find the marker). Readers still choose with `usesAncestorClosures`.
    public static func enableClosures(_ graph: EntityGraph, log: Bool = true) throws {
        if try graph.environment.read({ txn in try graph.ancestorClosuresEnabled(tenant: tenant, in: txn) }) { return }
        let started = Date()
        try graph.environment.writeSync { txn in try graph.enableAncestorClosures(tenant: tenant, in: txn) }
        if log {
            FileHandle.standardError.write(Data("  ancestor closures written in \(Int(Date().timeIntervalSince(started))) s\n".utf8))
        }
    }

    /// `ARBITER_ANCESTOR_CLOSURE=1` in the environment: benchmarks read through closures.
    public static var closuresFromEnvironment: Bool {
        ProcessInfo.processInfo.environment["ARBITER_ANCESTOR_CLOSURE"] == "1"
    }

    /// ARBITER_WALKED_CLOSURES=0: without stored closures, `in` is the evaluator's own
    /// walk instead of closures the reader makes from parent edges.
    public static var walkedClosuresFromEnvironment: Bool {
        ProcessInfo.processInfo.environment["ARBITER_WALKED_CLOSURES"] != "0"
    }

    static func write(_ scenario: Scenario, path: String, log: Bool) throws {
        // The map doubles when full; starting at 1 GiB keeps small graphs mappable under valgrind.
        var options = Environment.Options()
        options.initialMapSize = 1 << 30
        let graph = try EntityGraph(environment: Environment(path: path, options: options))
        let started = Date()
        let batch = 100_000
        var edges = 0
        for start in stride(from: 0, to: scenario.entityCount, by: batch) {
            let entities = (start..<min(start + batch, scenario.entityCount)).map(scenario.entity)
            edges += entities.reduce(0) { $0 + $1.parents.count }
            try graph.environment.writeSync { txn in
                try graph.upsert(entities, tenant: tenant, in: txn)
                _ = try txn.bumpRevision(tenant: tenant)
            }
            if log, scenario.entityCount > 500_000 {
                FileHandle.standardError.write(Data("  \(path): \(start + entities.count)/\(scenario.entityCount) entities, \(Int(Date().timeIntervalSince(started))) s\n".utf8))
            }
        }
        try "\(scenario.entityCount) entities, \(edges) edges\n".write(toFile: "\(path)/SIZE", atomically: true, encoding: .utf8)
        graph.environment.close()
    }

    /// Entities and edges recorded when the graph was written.
    public static func size(at path: String) -> String {
        (try? String(contentsOfFile: "\(path)/SIZE", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
    }

    /// A fresh temporary directory (removed by the caller, or left in /tmp).
    public static func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "arbiter-bench-\(name)-\(getpid())"
    }
}
