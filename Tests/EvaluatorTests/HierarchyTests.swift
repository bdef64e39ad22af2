import Evaluator
import PolicyLang
import Testing

/// `in` over parent edges: transitive, reflexive, cycle-safe, bounded.
@Suite struct HierarchyTests {
    @Test func transitiveAndReflexive() throws {
        #expect(try truth(Expr.principal.isIn(.entity("Group", "eng"))) == true)
        #expect(try truth(Expr.principal.isIn(.entity("Group", "staff"))) == true)
        #expect(try truth(Expr.principal.isIn(.entity("User", "alice"))) == true)
        #expect(try truth(Expr.principal.isIn(.entity("Group", "other"))) == false)
        #expect(try truth(Expr.entity("Group", "staff").isIn(.principal)) == false)
        #expect(try truth(Expr.principal.isIn(.set(.entity("Group", "x"), .entity("Group", "staff")))) == true)
        #expect(try truth(Expr.principal.isIn(.set())) == false)
    }

    @Test func entityMissingFromStoreIsOnlyInItself() throws {
        #expect(try truth(Expr.entity("User", "ghost").isIn(.entity("User", "ghost"))) == true)
        #expect(try truth(Expr.entity("User", "ghost").isIn(.entity("Group", "eng"))) == false)
    }

    @Test func cyclesTerminate() throws {
        let cyclic = try InMemoryEntities([
            Entity(uid: uid("Group", "a"), parents: [uid("Group", "b")]),
            Entity(uid: uid("Group", "b"), parents: [uid("Group", "c")]),
            Entity(uid: uid("Group", "c"), parents: [uid("Group", "a")]),
            Entity(uid: uid("User", "alice"), parents: [uid("Group", "a")]),
        ])
        #expect(try truth(Expr.principal.isIn(.entity("Group", "c")), entities: cyclic) == true)
        #expect(try truth(Expr.principal.isIn(.entity("Group", "z")), entities: cyclic) == false)
        #expect(try truth(Expr.entity("Group", "c").isIn(.entity("Group", "b")), entities: cyclic) == true)
    }

    @Test func depthBoundIsAnError() throws {
        var chain: [Entity] = [Entity(uid: uid("User", "alice"), parents: [uid("G", "0")])]
        for i in 0..<20 { chain.append(Entity(uid: uid("G", "\(i)"), parents: [uid("G", "\(i + 1)")])) }
        let entities = try InMemoryEntities(chain)
        let bundle = try PolicyCompiler.compile(rules: [rule("r", when: Expr.principal.isIn(.entity("G", "20")))])
        let shallow = Authorizer(bundle: bundle, limits: EvaluationLimits(maxHierarchyDepth: 5))
        let d = shallow.authorize(request(), entities: entities)
        #expect(d.errors.first?.message.contains("deeper than 5") == true)
        let deep = Authorizer(bundle: bundle, limits: EvaluationLimits(maxHierarchyDepth: 64))
        #expect(deep.authorize(request(), entities: entities).decision == .allow)
    }

    @Test func scopeIn() throws {
        let bundle = try PolicyCompiler.compile(rules: [
            rule("staff-read", principal: .in(uid("Group", "staff")), actions: ["read"]),
            rule("users-in-f1", principal: .typeIn("User", uid("Group", "eng")), resource: .in(uid("Folder", "f1"))),
        ])
        let authorizer = Authorizer(bundle: bundle)
        #expect(authorizer.authorize(request(), entities: sampleEntities).reasons == ["staff-read", "users-in-f1"])
        #expect(authorizer.authorize(request(principal: uid("User", "bob")), entities: sampleEntities).decision == .deny)
        #expect(authorizer.authorize(request(principal: uid("Group", "eng"), action: "write"), entities: sampleEntities).decision == .deny)
    }

    /// Counts parent-edge reads, to show the memo walks each ancestry once per request.
    struct CountingEntities: EntitySource {
        let base: InMemoryEntities
        let reads: Counter
        final class Counter: @unchecked Sendable { var value = 0 }
        func attribute(_ name: String, of entity: EntityUID) throws(EntitySourceError) -> AttributeLookup {
            try base.attribute(name, of: entity)
        }
        func hasAttribute(_ name: String, of entity: EntityUID) throws(EntitySourceError) -> Bool {
            try base.hasAttribute(name, of: entity)
        }
        func forEachParent(of entity: EntityUID, _ body: (EntityUID) -> Void) throws(EntitySourceError) {
            reads.value += 1
            try base.forEachParent(of: entity, body)
        }
    }

    @Test func memoWalksOncePerRequest() throws {
        let rules = (0..<10).map { rule("r\($0)", when: Expr.principal.isIn(.entity("Group", "g\($0)"))) }
        let authorizer = Authorizer(bundle: try PolicyCompiler.compile(rules: rules))
        let counting = CountingEntities(base: sampleEntities, reads: .init())
        _ = authorizer.authorize(request(), entities: counting)
        // alice, eng, staff: three parent lists, however many rules ask.
        #expect(counting.reads.value == 3)
        _ = authorizer.authorize(request(), entities: counting)
        #expect(counting.reads.value == 6, "the memo is per request")
    }

    @Test func storeFailureIsARuleError() throws {
        struct Failing: EntitySource {
            func attribute(_ name: String, of entity: EntityUID) throws(EntitySourceError) -> AttributeLookup {
                throw EntitySourceError("disk on fire")
            }
            func hasAttribute(_ name: String, of entity: EntityUID) throws(EntitySourceError) -> Bool { false }
            func forEachParent(of entity: EntityUID, _ body: (EntityUID) -> Void) throws(EntitySourceError) {
                throw EntitySourceError("disk on fire")
            }
        }
        let bundle = try PolicyCompiler.compile(rules: [
            rule("a", when: Expr.principal["x"].eq(.long(1))),
            rule("b", when: Expr.principal.isIn(.entity("G", "x"))),
        ])
        let d = Authorizer(bundle: bundle).authorize(request(), entities: Failing())
        #expect(d.errors.map(\.ruleID) == ["a", "b"])
        #expect(d.errors.allSatisfy { $0.message.contains("disk on fire") })
    }
}
