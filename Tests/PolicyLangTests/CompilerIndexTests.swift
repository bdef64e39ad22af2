import PolicyLang
import Testing

@Suite struct CompilerIndexTests {
    let doc = EntityUID(type: "Document", id: "d")

    func bundle() throws -> PolicyBundle {
        try PolicyCompiler.compile(rules: [
            CAST.rule("allow-read-docs", actions: ["read"], resource: .type("Document")),      // 0
            CAST.rule("allow-any"),                                                             // 1
            CAST.rule("deny-write", .deny, actions: ["write", "write"]),                        // 2
            CAST.rule("allow-folder", resource: .in(EntityUID(type: "Folder", id: "f"))),       // 3
            CAST.rule("deny-doc-d", .deny, resource: .equal(doc)),                              // 4
            CAST.rule("allow-rw-users", actions: ["read", "write"], resource: .typeIn("User", doc)), // 5
        ])
    }

    func ids(_ b: PolicyBundle, _ action: String?, _ type: String) -> [String] {
        b.index.candidates(actionID: action, resourceType: type).map { b.rules[Int($0)].id }
    }

    @Test func candidatesAreDenyFirstThenSourceOrder() throws {
        let b = try bundle()
        #expect(ids(b, "read", "Document") == ["deny-doc-d", "allow-read-docs", "allow-any", "allow-folder"])
        #expect(ids(b, "write", "Document") == ["deny-write", "deny-doc-d", "allow-any", "allow-folder"])
        #expect(ids(b, "write", "User") == ["deny-write", "allow-any", "allow-folder", "allow-rw-users"])
        // Unknown action or type: only the rules that do not constrain it.
        #expect(ids(b, "share", "Photo") == ["allow-any", "allow-folder"])
        #expect(ids(b, nil, "Document") == ["deny-doc-d", "allow-any", "allow-folder"])
    }

    @Test func bucketsByActionAndResourceType() throws {
        let b = try bundle()
        typealias K = DispatchIndex.Key
        #expect(b.index.order == [2, 4, 0, 1, 3, 5])
        #expect(b.index.buckets[K(action: "write", resourceType: nil)] == [0], "a repeated action is indexed once")
        #expect(b.index.buckets[K(action: nil, resourceType: nil)] == [3, 4])
        #expect(b.index.buckets[K(action: "read", resourceType: "User")] == [5])
        #expect(b.index.buckets[K(action: "write", resourceType: "User")] == [5])
        #expect(b.index.buckets[K(action: nil, resourceType: "Document")] == [1])
    }

    @Test func reusesTheCallersBuffer() throws {
        let b = try bundle()
        var buffer: [Int32] = [99, 98]
        b.index.candidates(actionID: "read", resourceType: "Document", into: &buffer)
        #expect(buffer == [4, 0, 1, 3])
    }

    /// Action groups: the authorizer asks with the request action and its ancestors; a
    /// rule listing several of them comes once, and the deny-first order is kept.
    @Test func candidatesOfAnActionAndItsAncestors() throws {
        let b = try bundle()
        func group(_ actions: [String], _ type: String) -> [String] {
            b.index.candidates(actionIDs: actions, resourceType: type).map { b.rules[Int($0)].id }
        }
        // "write" is a member of the group "read": the union, allow-rw-users once.
        #expect(group(["write", "read"], "User") == ["deny-write", "allow-any", "allow-folder", "allow-rw-users"])
        #expect(group(["share", "read"], "Document") == ["deny-doc-d", "allow-read-docs", "allow-any", "allow-folder"])
        #expect(group(["share", "write", "read"], "Document")
            == ["deny-write", "deny-doc-d", "allow-read-docs", "allow-any", "allow-folder"])
        // One id, or none, is the single-action lookup.
        #expect(group(["read"], "Document") == ids(b, "read", "Document"))
        #expect(group([], "Document") == ids(b, nil, "Document"))
        var buffer: [Int32] = [7, 7, 7]
        b.index.candidates(actionIDs: ["write", "read", "write"], resourceType: "User", into: &buffer)
        #expect(buffer == [2, 1, 3, 5])
    }

    /// The per-(action, type) lists made at load equal the rules that can apply, computed
    /// by brute force, for named and unknown actions and types, and so does the per-request
    /// merge used when there are too many combinations to precompute.
    @Test func precomputedListsEqualBruteForce() throws {
        for (actionCount, typeCount) in [(6, 5), (160, 140)] {  // 30 vs 22,400 combinations
            var random = UInt64(actionCount)
            func next(_ n: Int) -> Int {
                random = random &* 6364136223846793005 &+ 1442695040888963407
                return Int((random >> 33) % UInt64(n))
            }
            let rules = (0..<max(actionCount, typeCount) * 2).map { i -> Rule in
                let actions: [String]? = next(4) == 0 ? nil : (0..<next(3)).map { _ in "a\(next(actionCount))" }
                let resource: Rule.Scope = next(3) == 0 ? .any : .type("T\(next(typeCount))")
                return CAST.rule("r\(i)", next(3) == 0 ? .deny : .allow, actions: actions, resource: resource)
            }
            let b = try PolicyCompiler.compile(rules: rules)
            let order = b.rules.indices.filter { b.rules[$0].effect == .deny } + b.rules.indices.filter { b.rules[$0].effect == .allow }
            for action in ["a0", "a1", "a\(actionCount - 1)", "unknown", nil] as [String?] {
                for type in ["T0", "T2", "T\(typeCount - 1)", "Unknown"] {
                    let expected = order.filter { i in
                        let rule = b.rules[i]
                        let actionOK = rule.actions.map { list in action.map { list.contains($0) } ?? false } ?? true
                        return actionOK && (rule.resourceType == nil || rule.resourceType == type)
                    }
                    #expect(b.index.candidates(actionID: action, resourceType: type).map(Int.init) == expected,
                            "\(actionCount)×\(typeCount): \(action ?? "nil") on \(type)")
                }
            }
        }
    }

    /// A rule that pins no resource type but whose condition starts by testing it is a
    /// candidate for those types only; any other shape of condition keeps it for every type.
    @Test func aConditionStartingWithResourceTypeTestsNarrowsTheCandidates() throws {
        let r = CAST.resource, p = CAST.principal
        let flag = CAST.attr(p, "active")
        let b = try PolicyCompiler.compile(rules: [
            CAST.rule("or-of-types", actions: ["read"], when: CAST.and(CAST.and(
                CAST.or(CAST.isType(r, "A"), CAST.or(CAST.isType(r, "B"), CAST.isType(r, "B"))), flag), flag)),
            CAST.rule("single-type", .deny, when: CAST.isType(r, "A")),
            CAST.rule("type-second", when: CAST.and(flag, CAST.isType(r, "A"))),
            CAST.rule("type-with-in", when: CAST.isType(r, "A", in: CAST.entity("Tenant", "t"))),
            CAST.rule("principal-type", when: CAST.isType(p, "A")),
            CAST.rule("type-or-other", when: CAST.or(CAST.isType(r, "A"), flag)),
            CAST.rule("scope-wins", resource: .type("C"), when: CAST.isType(r, "A")),
            CAST.rule("no-condition"),
        ])
        let everywhere = ["type-second", "type-with-in", "principal-type", "type-or-other", "no-condition"]
        #expect(ids(b, "read", "A") == ["single-type", "or-of-types"] + everywhere)
        #expect(ids(b, "read", "B") == ["or-of-types"] + everywhere)
        #expect(ids(b, "read", "C") == Array(everywhere.prefix(4)) + ["scope-wins", "no-condition"])
        #expect(ids(b, "write", "B") == everywhere)
        #expect(ids(b, nil, "A") == ["single-type"] + everywhere)
        #expect(b.index.buckets[DispatchIndex.Key(action: "read", resourceType: "B")] == [1], "a type tested twice is indexed once")
        // Stored bundles keep the buckets.
        let reloaded = try BundleFormat.decode(BundleFormat.encode(b))
        #expect(reloaded.index.candidates(actionID: "read", resourceType: "C") == b.index.candidates(actionID: "read", resourceType: "C"))
    }
}
