import Evaluator
import PolicyLang
import Testing
import TestSupport

/// The `in` memo keeps its scratch across requests (a generation stamp instead of new
/// sets): one authorizer answering many requests must give the answers of a fresh walk.
@Suite struct AncestorMemoTests {
    /// A seeded graph with cycles and shared ancestors: node i has up to 3 parents
    /// anywhere in the graph, so closures are large (the memo's table must grow) and
    /// cyclic.
    static func randomGraph(nodes: Int, seed: UInt64) throws -> (InMemoryEntities, [EntityUID: [EntityUID]]) {
        var random = SplitMix(seed: seed)
        var parents: [EntityUID: [EntityUID]] = [:]
        var list: [Entity] = []
        for i in 0..<nodes {
            let me = uid(i % 3 == 0 ? "User" : "Group", "n\(i)-\(String(repeating: "x", count: i % 20))")
            var mine: [EntityUID] = []
            for _ in 0..<Int(random.next() % 4) {
                let j = Int(random.next() % UInt64(nodes))
                mine.append(uid(j % 3 == 0 ? "User" : "Group", "n\(j)-\(String(repeating: "x", count: j % 20))"))
            }
            parents[me] = mine
            list.append(Entity(uid: me, parents: mine))
        }
        return (try InMemoryEntities(list), parents)
    }

    /// The reference: every entity reachable over parent edges (a plain BFS).
    static func ancestors(of start: EntityUID, _ parents: [EntityUID: [EntityUID]]) -> Set<EntityUID> {
        var seen = Set<EntityUID>()
        var frontier = [start]
        while let node = frontier.popLast() {
            for parent in parents[node] ?? [] where seen.insert(parent).inserted { frontier.append(parent) }
        }
        return seen
    }

    @Test func manyRequestsOnOneAuthorizerMatchAFreshWalk() throws {
        let (entities, parents) = try Self.randomGraph(nodes: 400, seed: 7)
        let uids = Array(parents.keys).sorted()
        let bundle = try PolicyCompiler.compile(rules: [
            rule("principal-in-resource", when: Expr.principal.isIn(.resource)),
            // A second owner per request, so the table holds several ancestries at once.
            rule("resource-in-principal", when: Expr.resource.isIn(.principal).and(.bool(false))),
        ])
        let shared = Authorizer(bundle: bundle)
        var random = SplitMix(seed: 11)
        var allowed = 0
        for _ in 0..<1_000 {
            let p = uids[Int(random.next() % UInt64(uids.count))]
            // Half the time a real ancestor, so both answers are exercised.
            let closure = Self.ancestors(of: p, parents).sorted()
            let r = !closure.isEmpty && random.next() % 2 == 0
                ? closure[Int(random.next() % UInt64(closure.count))]
                : uids[Int(random.next() % UInt64(uids.count))]
            let expected = p == r || closure.contains(r)
            let request = Request(principal: p, action: uid("Action", "a"), resource: r)
            let decision = shared.authorize(request, entities: entities, mode: .complete)
            #expect((decision.decision == .allow) == expected, "\(p) in \(r)")
            #expect(decision.errors.isEmpty)
            #expect(shared.authorize(request, entities: entities, mode: .fast) == Authorizer(bundle: bundle).authorize(request, entities: entities, mode: .fast))
            if expected { allowed += 1 }
        }
        #expect(allowed > 300 && allowed < 900)
    }

    @Test func aFailedWalkLeavesNothingBehind() throws {
        var chain: [Entity] = [Entity(uid: uid("User", "alice"), parents: [uid("G", "0")])]
        for i in 0..<20 { chain.append(Entity(uid: uid("G", "\(i)"), parents: [uid("G", "\(i + 1)")])) }
        chain.append(Entity(uid: uid("User", "bob"), parents: [uid("G", "19")]))
        let entities = try InMemoryEntities(chain)
        let bundle = try PolicyCompiler.compile(rules: [
            rule("deep", when: Expr.principal.isIn(.entity("G", "20"))),
            rule("again", when: Expr.principal.isIn(.entity("G", "3"))),
        ])
        let authorizer = Authorizer(bundle: bundle, limits: EvaluationLimits(maxHierarchyDepth: 5))
        for _ in 0..<3 {
            // Both rules meet the depth error: the failed walk is not remembered as done.
            let alice = authorizer.authorize(request(), entities: entities)
            #expect(alice.decision == .deny)
            #expect(alice.errors.map(\.ruleID) == ["deep", "again"])
            #expect(alice.errors.allSatisfy { $0.message.contains("deeper than 5") })
            // bob's walk (G19 → G20) is shallow and comes after a failed one.
            let bob = authorizer.authorize(request(principal: uid("User", "bob")), entities: entities)
            #expect(bob.decision == .allow)
            #expect(bob.reasons == ["deep"])
            #expect(bob.errors.isEmpty)
        }
    }

    @Test func reasonsAreSortedAndFastModeGivesTheFirst() throws {
        let bundle = try PolicyCompiler.compile(rules: [
            rule("a", when: Expr.principal.isIn(.entity("Group", "staff"))),
            rule("b", when: .bool(true)),
            rule("c", when: Expr.principal.isIn(.entity("Group", "eng"))),
        ])
        let authorizer = Authorizer(bundle: bundle)
        for _ in 0..<2 {
            #expect(authorizer.authorize(request(), entities: sampleEntities).reasons == ["a", "b", "c"])
            #expect(authorizer.authorize(request(), entities: sampleEntities, mode: .fast).reasons == ["a"])
            #expect(authorizer.authorize(request(principal: uid("User", "bob")), entities: sampleEntities).reasons == ["b"])
        }
    }
}
