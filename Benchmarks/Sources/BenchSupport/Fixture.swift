import Evaluator
import Foundation
import PolicyLang
import Store

/// A scenario ready to decide: compiled rules, entities in memory or in LMDB, requests,
/// and an authorizer. Built once per process and shared by the benchmarks that use it.
public final class Fixture: @unchecked Sendable {
    public let scenario: Scenario
    public let authorizer: Authorizer
    public let requests: [Request]
    public private(set) var memory: InMemoryEntities?
    public private(set) var graph: EntityGraph?
    public private(set) var reader: GraphReader?
    private var next = 0

    init(scenario: Scenario, memory: Bool, lmdbPath: String?, closures: Bool) throws {
        self.scenario = scenario
        authorizer = Authorizer(bundle: scenario.bundle())
        requests = scenario.requests
        if memory { self.memory = scenario.inMemoryEntities() }
        if let lmdbPath {
            let graph = try GraphFixture.open(scenario, path: lmdbPath)
            if closures { try GraphFixture.enableClosures(graph) }
            self.graph = graph
            reader = try graph.reader(tenant: GraphFixture.tenant)
            reader!.usesAncestorClosures = closures
            reader!.reset()
        }
    }

    /// The next request, round-robin.
    @inline(__always)
    public func nextRequest() -> Request {
        let request = requests[next]
        next = next + 1 == requests.count ? 0 : next + 1
        return request
    }

    /// One decision against the in-memory entities.
    @inline(__always)
    public func decideInMemory(_ request: Request, mode: AuthorizationMode) -> Decision {
        authorizer.authorize(request, entities: memory!, mode: mode)
    }

    /// One decision against LMDB, in a snapshot of its own (renewed and reset around it,
    /// as a server would per check).
    @inline(__always)
    public func decideInLMDB(_ request: Request, mode: AuthorizationMode) -> Decision {
        let reader = reader!
        do {
            try reader.renew()
        } catch {
            fatalError("\(error)")
        }
        defer { reader.reset() }
        return authorizer.authorize(request, graph: reader.entities, mode: mode)
    }

    nonisolated(unsafe) private static var cache: [String: Fixture] = [:]
    private static let lock = NSLock()

    /// The fixture for `key`, made by `make` the first time.
    public static func shared(_ key: String, _ make: () throws -> Fixture) rethrows -> Fixture {
        lock.lock()
        defer { lock.unlock() }
        if let fixture = cache[key] { return fixture }
        let fixture = try make()
        cache[key] = fixture
        return fixture
    }

    /// `closures`: the LMDB graph keeps ancestor closures and the reader uses them.
    public static func make(_ scenario: Scenario, memory: Bool, lmdbPath: String?, closures: Bool = false) throws -> Fixture {
        try Fixture(scenario: scenario, memory: memory, lmdbPath: lmdbPath, closures: closures)
    }
}

/// The graph sizes of the GraphSize suite, and where their data directories live.
public enum GraphSizes {
    public static let all: [(label: String, edges: Int)] = [("10k", 10_000), ("1M", 1_000_000), ("10M", 10_000_000)]
    public static func path(_ label: String) -> String { "/tmp/arbiter-bench-graph-\(label)" }
}
