import Foundation
import PolicyLang
import Store
import Testing
import TestSupport
@testable import Evaluator

/// Precomputed ancestor closures in the LMDB graph must always equal the breadth-first
/// walk over parent edges, through inserts, re-parenting, deletes and written cycles,
/// and decisions must not depend on whether a reader uses them.
@Suite struct AncestorClosureTests {
    static let tenant = "t"

    /// The reference: walk `forEachParent` breadth-first with a visited set.
    static func walk(_ start: EntityUID, _ store: LMDBEntities) throws -> Set<EntityUID> {
        var seen = Set<EntityUID>()
        var frontier = [start]
        while let node = frontier.popLast() {
            try store.forEachParent(of: node) { if seen.insert($0).inserted { frontier.append($0) } }
        }
        return seen
    }

    /// Every uid's closure read through the reader equals the walk.
    static func expectClosuresMatchWalks(_ graph: EntityGraph, _ uids: [EntityUID], _ note: String) throws {
        let reader = try graph.reader(tenant: tenant)
        defer { reader.reset() }
        let store = reader.entities
        for uid in uids {
            var closure = Set<EntityUID>()
            let used = try store.forEachAncestor(of: uid, maxDepth: 256) { closure.insert($0) }
            #expect(used, "\(note): \(uid) has a closure")
            let walked = try walk(uid, store)
            #expect(closure == walked, "\(note): closure of \(uid)")
            // `in` answered from the record's bytes agrees with the walk for every pair.
            for other in uids {
                #expect(try store.closureContains(uid, ancestor: other, maxDepth: 256) == walked.contains(other),
                        "\(note): \(uid) in \(other)")
            }
        }
    }

    /// The byte search must not take an id for another one it is a prefix of: `g` is
    /// encoded as `…g 00`, and `g\0x` as `…g 00 FF x 00` (a NUL byte is escaped).
    @Test func closureSearchMatchesWholeIdsOnly() async throws {
        let dir = TemporaryDirectory()
        let graph = try EntityGraph(environment: Store.Environment(path: dir.path))
        try await graph.environment.write { txn in try graph.enableAncestorClosures(tenant: Self.tenant, in: txn) }
        let child = uid("User", "c")
        let nul = uid("Group", "g\u{0}x")
        _ = try await graph.apply(tenant: Self.tenant, upserts: [
            Entity(uid: child, parents: [nul, uid("Group", "gg"), uid("Group", "é")]),
        ], actor: "test")
        try graph.read(tenant: Self.tenant) { store throws in
            #expect(try store.closureContains(child, ancestor: nul, maxDepth: 8) == true)
            #expect(try store.closureContains(child, ancestor: uid("Group", "gg"), maxDepth: 8) == true)
            #expect(try store.closureContains(child, ancestor: uid("Group", "é"), maxDepth: 8) == true)
            #expect(try store.closureContains(child, ancestor: uid("Group", "e\u{301}"), maxDepth: 8) == false)
            #expect(try store.closureContains(child, ancestor: uid("Group", "g"), maxDepth: 8) == false)
            #expect(try store.closureContains(child, ancestor: uid("Group", "g\u{0}"), maxDepth: 8) == false)
            #expect(try store.closureContains(child, ancestor: uid("Grou", "pg"), maxDepth: 8) == false)
            // No record: no ancestors. Deeper than allowed: no answer, the caller walks.
            #expect(try store.closureContains(uid("User", "nobody"), ancestor: nul, maxDepth: 8) == false)
            #expect(try store.closureContains(child, ancestor: nul, maxDepth: 0) == nil)
        }
    }

    static func node(_ i: Int) -> EntityUID { uid(i % 4 == 0 ? "User" : "Group", "n\(i)") }

    /// Fewer than `max` parents, picked among the first `count` nodes.
    static func randomParents(_ count: Int, max: UInt64, _ random: inout SplitMix) -> [EntityUID] {
        (0..<Int(random.next() % max)).map { _ in node(Int(random.next() % UInt64(count))) }
    }

    /// Re-parents ten random nodes (edges into the middle of others' ancestries) and
    /// deletes three (their children keep edges to them, as Cedar allows).
    static func reshuffle(_ graph: EntityGraph, count: Int, maxParents: UInt64, _ random: inout SplitMix) async throws {
        let moved = (0..<10).map { _ in
            Entity(uid: node(Int(random.next() % UInt64(count))), parents: randomParents(count, max: maxParents, &random))
        }
        let deleted = (0..<3).map { _ in node(Int(random.next() % UInt64(count))) }
        _ = try await graph.apply(tenant: tenant, upserts: moved, deletes: deleted, actor: "test")
    }

    /// Writes the cycle a → b → c → a, and d under it; returns [a, b, c, d].
    static func writeCycle(_ graph: EntityGraph) async throws -> [EntityUID] {
        let a = uid("C", "a"), b = uid("C", "b"), c = uid("C", "c"), d = uid("C", "d")
        _ = try await graph.apply(tenant: tenant, upserts: [
            Entity(uid: a, parents: [b]), Entity(uid: b, parents: [c]), Entity(uid: c, parents: [a]), Entity(uid: d, parents: [a]),
        ], actor: "test")
        return [a, b, c, d]
    }

    /// Breaks `writeCycle`'s cycle from above: c loses its parent.
    static func breakCycle(_ graph: EntityGraph) async throws {
        _ = try await graph.apply(tenant: tenant, upserts: [Entity(uid: uid("C", "c"))], actor: "test")
    }

    /// Writes the chain G0 → G1 → … → G30.
    static func writeChain(_ graph: EntityGraph) async throws {
        let chain = (0..<30).map { Entity(uid: uid("G", "\($0)"), parents: [uid("G", "\($0 + 1)")]) }
        _ = try await graph.apply(tenant: tenant, upserts: chain, actor: "test")
    }

    /// For each depth limit, the decision of `principal in G::"30"` about G0 with a reader
    /// switch (`turn`) on and then off, on one kept reader.
    static func chainDecisions(
        _ graph: EntityGraph, turn: (GraphReader, Bool) -> Void
    ) throws -> [(limit: Int, on: Decision, off: Decision)] {
        let bundle = try PolicyCompiler.compile(rules: [rule("top", when: Expr.principal.isIn(.entity("G", "30")))])
        let request = Request(principal: uid("G", "0"), action: uid("Action", "a"), resource: uid("R", "r"))
        let reader = try graph.reader(tenant: tenant)
        reader.reset()
        return try [5, 29, 30, 64].map { limit in
            let authorizer = Authorizer(bundle: bundle, limits: EvaluationLimits(maxHierarchyDepth: limit))
            turn(reader, true)
            let on = try reader.read { authorizer.authorize(request, graph: $0) }
            turn(reader, false)
            let off = try reader.read { authorizer.authorize(request, graph: $0) }
            return (limit, on, off)
        }
    }

    @Test func closuresEqualTheWalkThroughInsertsDeletesAndCycles() async throws {
        let dir = TemporaryDirectory()
        let graph = try EntityGraph(environment: Store.Environment(path: dir.path))
        var random = SplitMix(seed: 42)
        let count = 120
        // Part of the graph before closures are turned on, part after.
        var first: [Entity] = []
        for i in 0..<60 { first.append(Entity(uid: Self.node(i), parents: Self.randomParents(count, max: 3, &random))) }
        _ = try await graph.apply(tenant: Self.tenant, upserts: first, actor: "test")
        try await graph.environment.write { txn in try graph.enableAncestorClosures(tenant: Self.tenant, in: txn) }
        let all = (0..<count).map(Self.node) + [uid("Ghost", "never-written")]
        try Self.expectClosuresMatchWalks(graph, all, "enabled")
        var rest: [Entity] = []
        for i in 60..<count { rest.append(Entity(uid: Self.node(i), parents: Self.randomParents(count, max: 3, &random))) }
        _ = try await graph.apply(tenant: Self.tenant, upserts: rest, actor: "test")
        try Self.expectClosuresMatchWalks(graph, all, "inserted")
        for round in 0..<8 {
            try await Self.reshuffle(graph, count: count, maxParents: 3, &random)
            try Self.expectClosuresMatchWalks(graph, all, "round \(round)")
        }
        let cycle = try await Self.writeCycle(graph)
        let a = cycle[0], b = cycle[1], c = cycle[2]
        try Self.expectClosuresMatchWalks(graph, cycle, "cycle")
        try graph.read(tenant: Self.tenant) { store throws in
            var closure = Set<EntityUID>()
            _ = try store.forEachAncestor(of: a, maxDepth: 256) { closure.insert($0) }
            #expect(closure == [a, b, c])
        }
        // Breaking the cycle from above updates everything below the change.
        try await Self.breakCycle(graph)
        try Self.expectClosuresMatchWalks(graph, cycle, "cycle broken")
    }

    @Test func deepChainsFallBackToTheWalkAndItsError() async throws {
        let dir = TemporaryDirectory()
        let graph = try EntityGraph(environment: Store.Environment(path: dir.path))
        try await graph.environment.write { txn in try graph.enableAncestorClosures(tenant: Self.tenant, in: txn) }
        try await Self.writeChain(graph)
        try graph.read(tenant: Self.tenant) { store throws in
            #expect(try store.forEachAncestor(of: uid("G", "0"), maxDepth: 29) { _ in } == false)
            #expect(try store.forEachAncestor(of: uid("G", "0"), maxDepth: 30) { _ in } == true)
        }
        for (limit, with, without) in try Self.chainDecisions(graph, turn: { $0.usesAncestorClosures = $1 }) {
            #expect(with == without, "limit \(limit)")
            #expect(with.decision == (limit >= 30 ? .allow : .deny), "limit \(limit)")
        }
    }

    @Test func decisionsDoNotDependOnClosuresAndTurningThemOffRemovesThem() async throws {
        let dir = TemporaryDirectory()
        let graph = try EntityGraph(environment: Store.Environment(path: dir.path))
        var random = SplitMix(seed: 5)
        let entities = (0..<80).map { i in
            Entity(uid: Self.node(i), parents: (0..<Int(random.next() % 3)).map { _ in Self.node(Int(random.next() % 80)) })
        }
        _ = try await graph.apply(tenant: Self.tenant, upserts: entities, actor: "test")
        try await graph.environment.write { txn in try graph.enableAncestorClosures(tenant: Self.tenant, in: txn) }
        let bundle = try PolicyCompiler.compile(rules: [
            rule("in", when: Expr.principal.isIn(.resource)),
            rule("in-set", .deny, when: Expr.resource.isIn(.set(.entity("Group", "n1"), .entity("Group", "n2")))),
        ])
        let authorizer = Authorizer(bundle: bundle)
        let reader = try graph.reader(tenant: Self.tenant)
        reader.reset()
        var allowed = 0
        for p in 0..<80 {
            for r in stride(from: 1, to: 80, by: 3) {
                let request = Request(principal: Self.node(p), action: uid("Action", "a"), resource: Self.node(r))
                reader.usesAncestorClosures = true
                let with = try reader.read { authorizer.authorize(request, graph: $0) }
                reader.usesAncestorClosures = false
                let without = try reader.read { authorizer.authorize(request, graph: $0) }
                #expect(with == without, "\(request.principal) in \(request.resource)")
                if with.decision == .allow { allowed += 1 }
            }
        }
        #expect(allowed > 0)
        try await graph.environment.write { txn in try graph.disableAncestorClosures(tenant: Self.tenant, in: txn) }
        try graph.read(tenant: Self.tenant) { store throws in
            #expect(try store.forEachAncestor(of: Self.node(3), maxDepth: 256) { _ in } == false)
            #expect(try graph.ancestorClosuresEnabled(tenant: Self.tenant, in: store.transaction) == false)
        }
        let left = try graph.environment.read { txn in try txn.entries(graph.tables.ancestors, prefix: Key(.string(Self.tenant))) }
        #expect(left.isEmpty)
    }
}
