import Identity
import Testing

/// The pure rules of `check-scoped` on a 4-level tree:
/// /acme (0) → /acme/projects (1) → /acme/projects/apollo (2) → /acme/projects/apollo/db (3).
@Suite struct ScopedDecisionTests {
    func chain(_ grants: [Int: [ScopeGrant]]) -> [ScopeLevel] {
        let paths = ["/acme", "/acme/projects", "/acme/projects/apollo", "/acme/projects/apollo/db"]
        return (0..<4).reversed().map { depth in
            ScopeLevel(scopeId: "scp_\(depth)", path: paths[depth], depth: depth, grants: grants[depth] ?? [])
        }
    }

    func allow(_ action: String) -> ScopeGrant { ScopeGrant(action: action, effect: .allow) }
    func deny(_ action: String) -> ScopeGrant { ScopeGrant(action: action, effect: .deny) }

    @Test func nearestScopeWins() {
        let tree = chain([0: [deny("read")], 2: [allow("read")]])
        let walk = ScopedDecision.walk(tree, action: "read")
        #expect(walk == .init(scopeId: "scp_2", path: "/acme/projects/apollo", depth: 2, effect: .allow))
        // A nearer deny wins over a farther allow too.
        let reversed = chain([0: [allow("read")], 3: [deny("read")]])
        #expect(ScopedDecision.walk(reversed, action: "read")?.effect == .deny)
        #expect(ScopedDecision.walk(reversed, action: "read")?.depth == 3)
        // Asking at a shallower scope skips the deeper grants entirely.
        #expect(ScopedDecision.walk(Array(reversed.suffix(2)), action: "read")?.scopeId == "scp_0")
    }

    @Test func denyBeatsAllowAtEqualDepth() {
        let tree = chain([1: [allow("read"), deny("read")], 0: [allow("read")]])
        #expect(ScopedDecision.walk(tree, action: "read") == .init(scopeId: "scp_1", path: "/acme/projects", depth: 1, effect: .deny))
        // `*` deny and a specific allow on the same scope: deny.
        let wildcard = chain([2: [allow("read"), deny("*")]])
        #expect(ScopedDecision.walk(wildcard, action: "read")?.effect == .deny)
    }

    @Test func wildcardAndSpecificActions() {
        let tree = chain([3: [allow("*")], 1: [deny("write")]])
        // `*` at depth 3 matches any action and is nearer.
        #expect(ScopedDecision.walk(tree, action: "write")?.depth == 3)
        #expect(ScopedDecision.walk(tree, action: "write")?.effect == .allow)
        // A grant for another action does not match: the walk goes on to the root.
        let specific = chain([3: [allow("read")], 1: [deny("*")]])
        #expect(ScopedDecision.walk(specific, action: "write") == .init(scopeId: "scp_1", path: "/acme/projects", depth: 1, effect: .deny))
        #expect(ScopedDecision.walk(specific, action: "read")?.effect == .allow)
        // Nothing matching anywhere: no answer from the tree.
        #expect(ScopedDecision.walk(chain([2: [allow("read")]]), action: "delete") == nil)
        #expect(ScopedDecision.walk([], action: "read") == nil)
    }

    @Test func compiledDenyOverridesEverything() {
        let walk = ScopedDecision.walk(chain([3: [allow("*")]]), action: "read")
        #expect(ScopedDecision.combine(policy: .denied, entitled: true, walk: walk) == .init(allowed: false, basis: .policyDeny))
        #expect(ScopedDecision.combine(policy: .denied, entitled: nil, walk: nil) == .init(allowed: false, basis: .policyDeny))
    }

    @Test func scopeDecidesOverPolicyAllowAndSilence() {
        let allowWalk = ScopedDecision.walk(chain([2: [allow("read")]]), action: "read")
        let denyWalk = ScopedDecision.walk(chain([2: [deny("read")]]), action: "read")
        #expect(ScopedDecision.combine(policy: .silent, entitled: nil, walk: allowWalk) == .init(allowed: true, basis: .scope))
        #expect(ScopedDecision.combine(policy: .allowed, entitled: nil, walk: denyWalk) == .init(allowed: false, basis: .scope))
        // No grant on the way: the policies decide, default deny.
        #expect(ScopedDecision.combine(policy: .allowed, entitled: nil, walk: nil) == .init(allowed: true, basis: .policy))
        #expect(ScopedDecision.combine(policy: .silent, entitled: nil, walk: nil) == .init(allowed: false, basis: .policy))
    }

    @Test func entitlementIsRequiredWhenAsked() {
        let allowWalk = ScopedDecision.walk(chain([0: [allow("*")]]), action: "read")
        #expect(ScopedDecision.combine(policy: .silent, entitled: false, walk: allowWalk) == .init(allowed: false, basis: .notEntitled))
        #expect(ScopedDecision.combine(policy: .silent, entitled: true, walk: allowWalk) == .init(allowed: true, basis: .scope))
    }

    @Test func namesActionsAndPaths() {
        #expect(ScopeRules.isValidName("apollo-2.prod_x"))
        #expect(!ScopeRules.isValidName(""))
        #expect(!ScopeRules.isValidName("-edge"))
        #expect(!ScopeRules.isValidName("a/b"))
        #expect(!ScopeRules.isValidName(String(repeating: "a", count: 65)))
        #expect(ScopeRules.isValidAction("*"))
        #expect(ScopeRules.isValidAction("documents/read"))
        #expect(!ScopeRules.isValidAction("read write"))
        #expect(!ScopeRules.isValidAction(""))
        #expect(ScopeRules.isPlausiblePath("/acme/projects/apollo"))
        #expect(!ScopeRules.isPlausiblePath("acme"))
        #expect(!ScopeRules.isPlausiblePath("/acme//x"))
        #expect(!ScopeRules.isPlausiblePath("/" + Array(repeating: "a", count: 17).joined(separator: "/")))
    }
}
