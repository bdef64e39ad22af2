import Evaluator
import PolicyLang
import Testing
import TestSupport

@Suite struct AuthorizerTests {
    let boom = Expr.principal["nope"].eq(.long(1))

    func decide(_ rules: [Rule], _ req: Request = request(), mode: AuthorizationMode = .complete) throws -> Decision {
        try Authorizer(bundle: PolicyCompiler.compile(rules: rules)).authorize(req, entities: sampleEntities, mode: mode)
    }

    /// One authorizer over a sequence of requests whose actions and resource types
    /// change, repeat (the same strings and equal strings in new storage), include
    /// action groups and non-Action actions, and cycle through more (action, type) pairs
    /// than it keeps candidate lists for, decides each as a fresh authorizer does.
    @Test func reusedAuthorizerMatchesAFreshOneAcrossActionsAndTypes() throws {
        let bundle = try PolicyCompiler.compile(rules: [
            rule("read-docs", actions: ["read"], resource: .type("Document")),
            rule("write-any", actions: ["write"]),
            rule("view-group", actions: ["view"], resource: .type("Document")),
            rule("deny-folders", .deny, actions: ["read"], resource: .type("Folder")),
            rule("anything-on-groups", resource: .type("Group")),
        ])
        var entities = sampleEntities
        entities.insert(Entity(uid: uid("Action", "peek"), parents: [uid("Action", "view")]))
        let reused = Authorizer(bundle: bundle)
        let long = String(repeating: "x", count: 20)
        var requests: [Request] = []
        for (action, type) in [("read", "Document"), ("read", "Document"), ("write", "Document"), ("read", "Folder"),
                               ("peek", "Document"), ("peek", "Document"), ("read", "Document"), ("write", "Group"),
                               (long, "Document"), (String(long), "Document"), ("read", "Group"), ("read", "Document")] {
            requests.append(Request(principal: uid("User", "alice"), action: uid("Action", action), resource: uid(type, "doc1")))
        }
        requests.append(Request(principal: uid("User", "alice"), action: uid("Verb", "read"), resource: uid("Document", "doc1")))
        requests.append(requests[0])
        // More pairs than the authorizer keeps lists for (`Authorizer.keptLists`), twice
        // round: each list replaced in turn must be refilled for its new pair.
        for _ in 0..<2 {
            for action in ["read", "write", "view", "delete", "share"] {
                for type in ["Document", "Folder", "Group"] {
                    requests.append(Request(principal: uid("User", "alice"), action: uid("Action", action), resource: uid(type, "doc1")))
                }
            }
        }
        for request in requests {
            let fresh = Authorizer(bundle: bundle).authorize(request, entities: entities)
            #expect(reused.authorize(request, entities: entities) == fresh, "\(request.action) on \(request.resource)")
        }
    }

    @Test func defaultDeny() throws {
        let d = try decide([])
        #expect(d == Decision(decision: .deny, reasons: [], errors: []))
        #expect(try decide([rule("no", when: .bool(false))]).decision == .deny)
    }

    @Test func allow() throws {
        let d = try decide([rule("a1"), rule("a2", when: Expr.principal["age"].gt(.long(18))), rule("a3", when: .bool(false))])
        #expect(d.decision == .allow)
        #expect(d.reasons == ["a1", "a2"])
    }

    @Test func denyWinsAndReasonsAreTheDenies() throws {
        let d = try decide([rule("a1"), rule("d1", .deny), rule("a2"), rule("d2", .deny, principal: .type("User"))])
        #expect(d.decision == .deny)
        #expect(d.reasons == ["d1", "d2"])
    }

    @Test func erroringRuleDoesNotApplyAndIsReported() throws {
        // An erroring deny does not deny; the allow still holds.
        let d = try decide([rule("d-err", .deny, when: boom), rule("a1"), rule("a-err", when: boom)])
        #expect(d.decision == .allow)
        #expect(d.reasons == ["a1"])
        #expect(d.errors.map(\.ruleID) == ["d-err", "a-err"])
        // Errors are reported even when a deny decides.
        let e = try decide([rule("a-err", when: boom), rule("d1", .deny)])
        #expect(e.decision == .deny && e.reasons == ["d1"] && e.errors.map(\.ruleID) == ["a-err"])
        // Only errors: default deny, errors listed in rule order.
        let f = try decide([rule("z", when: boom), rule("y", .deny, when: boom)])
        #expect(f.decision == .deny && f.reasons.isEmpty && f.errors.map(\.ruleID) == ["z", "y"])
    }

    @Test func fastModeStopsAtFirstSatisfiedDeny() throws {
        let rules = [rule("a1"), rule("d-err", .deny, when: boom), rule("d1", .deny), rule("d2", .deny), rule("a-err", when: boom)]
        let fast = try decide(rules, mode: .fast)
        #expect(fast.decision == .deny && fast.reasons == ["d1"])
        #expect(fast.errors.map(\.ruleID) == ["d-err"], "rules after the first deny are not evaluated")
        let complete = try decide(rules, mode: .complete)
        #expect(complete.decision == .deny && complete.reasons == ["d1", "d2"])
        #expect(complete.errors.map(\.ruleID) == ["d-err", "a-err"])
    }

    @Test func fastModeStopsAtFirstAllowWhenNoDeny() throws {
        let rules = [rule("d0", .deny, when: .bool(false)), rule("a1"), rule("a2"), rule("a-err", when: boom)]
        let fast = try decide(rules, mode: .fast)
        #expect(fast.decision == .allow && fast.reasons == ["a1"] && fast.errors.isEmpty)
        let complete = try decide(rules)
        #expect(complete.reasons == ["a1", "a2"] && complete.errors.map(\.ruleID) == ["a-err"])
    }

    @Test func explainTracesEveryEvaluatedRule() throws {
        let d = try decide([
            rule("a1"), rule("d-out", .deny, principal: .type("Group")), rule("a-false", when: .bool(false)),
            rule("a-err", when: boom), rule("a-unless", unless: .bool(true)),
        ], mode: .explain)
        let outcomes = Dictionary(uniqueKeysWithValues: d.trace.map { ($0.ruleID, $0.outcome) })
        #expect(d.trace.first?.ruleID == "d-out", "deny rules are evaluated first")
        #expect(outcomes["a1"] == .satisfied)
        #expect(outcomes["d-out"] == .outOfScope)
        #expect(outcomes["a-false"] == .notSatisfied)
        #expect(outcomes["a-unless"] == .notSatisfied)
        if case .error(let message)? = outcomes["a-err"] { #expect(message.contains("nope")) } else { Issue.record("no error traced") }
        #expect(try decide([rule("a1")]).trace.isEmpty, "complete mode keeps no trace")
    }

    @Test func scopes() throws {
        let alice = request()
        #expect(try decide([rule("r", principal: .equal(uid("User", "alice")))], alice).decision == .allow)
        #expect(try decide([rule("r", principal: .equal(uid("User", "bob")))], alice).decision == .deny)
        #expect(try decide([rule("r", resource: .type("Document"))], alice).decision == .allow)
        #expect(try decide([rule("r", resource: .type("Folder"))], alice).decision == .deny)
        #expect(try decide([rule("r", resource: .equal(uid("Document", "doc1")))], alice).decision == .allow)
        #expect(try decide([rule("r", actions: ["write", "read"])], alice).decision == .allow)
        #expect(try decide([rule("r", actions: ["write"])], alice).decision == .deny)
        #expect(try decide([rule("r", actions: [])], alice).decision == .deny, "an empty action list matches nothing")
        // `actions:` is `action in [Action::"…"]`: an action of another type, with no
        // parents, is in no Action group (groups are tested in `actionGroups`).
        let otherType = Request(principal: uid("User", "alice"), action: uid("Other", "read"), resource: uid("Document", "doc1"))
        #expect(try decide([rule("r", actions: ["read"])], otherType).decision == .deny)
        #expect(try decide([rule("r")], otherType).decision == .allow)
    }

    /// Regression: `actions: [view]` is Cedar's `action in [Action::"view"]`, transitive over
    /// the Action entities' parents in the store, not equality with the action id.
    @Test func actionGroups() throws {
        var entities = sampleEntities
        let a = { (id: String) in uid("Action", id) }
        entities.insert(Entity(uid: a("list"), parents: [a("view")]))
        entities.insert(Entity(uid: a("read"), parents: [a("view"), a("all")]))
        entities.insert(Entity(uid: a("view"), parents: [a("all")]))
        entities.insert(Entity(uid: a("loop1"), parents: [a("loop2")]))
        entities.insert(Entity(uid: a("loop2"), parents: [a("loop1"), a("view")]))
        // A non-Action parent on the way still leads to the Action group above it.
        entities.insert(Entity(uid: a("odd"), parents: [uid("Group", "x")]))
        entities.insert(Entity(uid: uid("Group", "x"), parents: [a("view")]))
        let rules = [
            rule("view", actions: ["view"]),
            rule("all", actions: ["all"]),
            rule("list-or-view", actions: ["list", "view"]),
            rule("write", actions: ["write"]),
            rule("deny-all-docs", .deny, actions: ["all"], resource: .type("Folder")),
        ]
        let authorizer = try Authorizer(bundle: PolicyCompiler.compile(rules: rules))
        func reasons(_ action: String, _ resource: EntityUID = uid("Document", "doc1"), mode: AuthorizationMode = .complete) -> [String] {
            authorizer.authorize(request(action: action, resource: resource), entities: entities, mode: mode).reasons
        }
        #expect(reasons("list") == ["view", "all", "list-or-view"], "list ∈ view ∈ all, and a rule naming both comes once")
        #expect(reasons("read") == ["view", "all", "list-or-view"])
        #expect(reasons("view") == ["view", "all", "list-or-view"], "`in` is reflexive")
        #expect(reasons("all") == ["all"])
        #expect(reasons("write") == ["write"], "no parents: exact")
        #expect(reasons("loop1") == ["view", "all", "list-or-view"], "a cycle in the action parents terminates")
        #expect(reasons("odd") == ["view", "all", "list-or-view"])
        #expect(reasons("list", uid("Folder", "f1")) == ["deny-all-docs"])
        #expect(reasons("list", uid("Folder", "f1"), mode: .fast) == ["deny-all-docs"], "group denies come first")
        // The request action need not be of type Action to be in an Action group.
        entities.insert(Entity(uid: uid("Other", "read"), parents: [a("view")]))
        let other = Request(principal: uid("User", "alice"), action: uid("Other", "read"), resource: uid("Document", "doc1"))
        #expect(authorizer.authorize(other, entities: entities).reasons == ["view", "all", "list-or-view"])
    }

    /// When the action's parents cannot be read, rules that name only other actions error;
    /// rules naming the action itself, or no action, are still decided.
    @Test func actionParentsStoreFailure() throws {
        struct Failing: EntitySource {
            func attribute(_ name: String, of entity: EntityUID) throws(EntitySourceError) -> AttributeLookup { .noSuchEntity }
            func hasAttribute(_ name: String, of entity: EntityUID) throws(EntitySourceError) -> Bool { false }
            func forEachParent(of entity: EntityUID, _ body: (EntityUID) -> Void) throws(EntitySourceError) {
                throw EntitySourceError("disk on fire")
            }
        }
        let bundle = try PolicyCompiler.compile(rules: [
            rule("group-deny", .deny, actions: ["view"]),
            rule("exact", actions: ["read", "view"]),
            rule("any"),
            rule("folders-only", actions: ["view"], resource: .type("Folder")),
        ])
        let d = Authorizer(bundle: bundle).authorize(request(), entities: Failing())
        #expect(d.decision == .allow && d.reasons == ["exact", "any"])
        #expect(d.errors.map(\.ruleID) == ["group-deny"])
        #expect(d.errors.allSatisfy { $0.message.contains("disk on fire") })
    }

    @Test func reusedAuthorizerGivesIndependentAnswers() throws {
        let bundle = try PolicyCompiler.compile(rules: [
            rule("owner", actions: ["read"], resource: .type("Document"), when: Expr.resource["owner"].eq(.principal)),
            rule("block", .deny, when: Expr.context.has("blocked")),
        ])
        let authorizer = Authorizer(bundle: bundle)
        for _ in 0..<3 {
            #expect(authorizer.authorize(request(), entities: sampleEntities).decision == .allow)
            #expect(authorizer.authorize(request(principal: uid("User", "bob")), entities: sampleEntities).decision == .deny)
            let blocked = authorizer.authorize(request(context: ["blocked": .bool(true)]), entities: sampleEntities)
            #expect(blocked.decision == .deny && blocked.reasons == ["block"])
        }
    }

    /// The dispatch index is only an optimization: for random rule sets and requests, the
    /// indexed decision must equal evaluating every rule on its own.
    @Test func indexAgreesWithEvaluatingEveryRule() throws {
        var rng = SplitMix(seed: 7)
        let actions = ["read", "write", "delete"]
        let types = ["Document", "Folder", "User"]
        let resources = [uid("Document", "doc1"), uid("Folder", "f1"), uid("User", "bob")]
        for round in 0..<40 {
            var rules: [Rule] = []
            for i in 0..<Int(rng.next() % 8 + 1) {
                let acts: [String]? = rng.next() % 3 == 0 ? nil : Array(actions.shuffled(using: &rng).prefix(Int(rng.next() % 3 + 1)))
                let res: Rule.Scope = switch rng.next() % 4 {
                case 0: .any
                case 1: .type(types.randomElement(using: &rng)!)
                case 2: .equal(resources.randomElement(using: &rng)!)
                default: .in(uid("Folder", "f1"))
                }
                // Conditions that start by testing the resource's type narrow the index
                // (`DispatchIndex.testedResourceTypes`); `flag` may be a long, so a later
                // conjunct can error, and that error must survive the narrowing.
                let flag = Expr.context["flag"]
                let typeTest = Expr.resource.isType(types.randomElement(using: &rng)!)
                let cond: Expr? = switch rng.next() % 5 {
                case 0: nil
                case 1: flag
                case 2: typeTest.and(flag)
                case 3: typeTest.or(Expr.resource.isType(types.randomElement(using: &rng)!)).and(flag)
                default: flag.and(typeTest)
                }
                rules.append(rule("r\(round)-\(i)", rng.next() % 3 == 0 ? .deny : .allow, actions: acts, resource: res, when: cond))
            }
            let bundle = try PolicyCompiler.compile(rules: rules)
            let indexed = Authorizer(bundle: bundle)
            for action in actions + ["other"] {
                for resource in resources {
                    for flag: Value in [.bool(true), .bool(false), .long(1)] {
                        let req = request(action: action, resource: resource, context: ["flag": flag])
                        let expected = try bruteForce(rules, req)
                        #expect(indexed.authorize(req, entities: sampleEntities) == expected, "round \(round) \(action) \(resource)")
                    }
                }
            }
        }
    }

    /// Each rule compiled alone, with an index made from its scopes alone (so it cannot
    /// skip anything wrongly, not even by the type tests its condition starts with),
    /// combined with Cedar's decision rule.
    func bruteForce(_ rules: [Rule], _ req: Request) throws -> Decision {
        var denies: [String] = [], allows: [String] = [], errors: [RuleError] = []
        for r in rules {
            let probe = Rule(id: r.id, effect: .allow, principal: r.principal, actions: nil, resource: r.resource,
                             when: r.when, unless: r.unless, location: r.location)
            let actionMatches = r.actions.map { req.action.type == "Action" && $0.contains(req.action.id) } ?? true
            if !actionMatches { continue }
            let compiled = try PolicyCompiler.compile(rules: [probe])
            let unnarrowed = PolicyBundle(symbols: compiled.symbols, rules: compiled.rules, index: DispatchIndex(rules: compiled.rules))
            let d = Authorizer(bundle: unnarrowed).authorize(req, entities: sampleEntities)
            errors += d.errors
            if d.decision == .allow { if r.effect == .deny { denies.append(r.id) } else { allows.append(r.id) } }
        }
        if !denies.isEmpty { return Decision(decision: .deny, reasons: denies, errors: errors) }
        if !allows.isEmpty { return Decision(decision: .allow, reasons: allows, errors: errors) }
        return Decision(decision: .deny, reasons: [], errors: errors)
    }
}

/// Deterministic generator so a failing random case can be reproduced.
