/// One level of a scope walk: a scope and the asking member's grants on it.
public struct ScopeLevel: Sendable, Equatable {
    public var scopeId: String
    public var path: String
    public var depth: Int
    public var grants: [ScopeGrant]

    public init(scopeId: String, path: String, depth: Int, grants: [ScopeGrant]) {
        self.scopeId = scopeId
        self.path = path
        self.depth = depth
        self.grants = grants
    }
}

/// The decision rules of `check-scoped` (DESIGN §3.5), apart from any storage or policy
/// engine so they can be tested on their own.
public enum ScopedDecision {
    /// What the scope tree says: the scope that decided and its effect, or nothing when no
    /// scope on the way to the root holds a grant matching the member and action.
    public struct Walk: Sendable, Equatable {
        public var scopeId: String
        public var path: String
        public var depth: Int
        public var effect: ScopeGrant.Effect

        public init(scopeId: String, path: String, depth: Int, effect: ScopeGrant.Effect) {
            self.scopeId = scopeId
            self.path = path
            self.depth = depth
            self.effect = effect
        }
    }

    /// Walks `chain` (the requested scope first, then its parent, … up to the root): the
    /// nearest scope holding a grant matching `action` (exactly, or `*`) decides; among the
    /// matching grants of that one scope — all at the same depth — deny beats allow, so a
    /// `*` deny and a specific allow there deny. A specific grant does not outrank `*` at
    /// the same depth; only distance and then deny-over-allow order grants.
    public static func walk(_ chain: [ScopeLevel], action: String) -> Walk? {
        for level in chain {
            var allowed = false
            var denied = false
            for grant in level.grants where grant.matches(action) {
                if grant.effect == .deny { denied = true } else { allowed = true }
            }
            if denied || allowed {
                return Walk(scopeId: level.scopeId, path: level.path, depth: level.depth, effect: denied ? .deny : .allow)
            }
        }
        return nil
    }

    /// What the compiled policies (built-in and the tenant's bundle, merged) said.
    public enum PolicyOutcome: Sendable, Equatable {
        /// A deny rule matched.
        case denied
        /// No deny rule matched and an allow rule did.
        case allowed
        /// No rule matched.
        case silent
    }

    /// Where the final answer came from.
    public enum Basis: String, Sendable, Equatable {
        /// A compiled deny rule: it overrides every scope grant.
        case policyDeny
        /// The tenant is not entitled to the requested feature.
        case notEntitled
        /// The nearest matching scope grant.
        case scope
        /// No scope grant matched: the policies' own answer (allow, or default deny).
        case policy
    }

    public struct Outcome: Sendable, Equatable {
        public var allowed: Bool
        public var basis: Basis

        public init(allowed: Bool, basis: Basis) {
            self.allowed = allowed
            self.basis = basis
        }
    }

    /// Combines the policies, the entitlement and the scope walk:
    /// 1. a matching compiled deny rule denies, whatever any grant says;
    /// 2. with an `entitlement` asked for, a tenant not entitled to it is denied;
    /// 3. otherwise the nearest matching scope grant decides — a scope deny refuses even
    ///    where a policy allows, a scope allow permits even where no policy does;
    /// 4. with no matching grant on the way to the root, the policies decide (allow only if
    ///    an allow rule matched).
    public static func combine(policy: PolicyOutcome, entitled: Bool?, walk: Walk?) -> Outcome {
        if policy == .denied { return Outcome(allowed: false, basis: .policyDeny) }
        if entitled == false { return Outcome(allowed: false, basis: .notEntitled) }
        if let walk { return Outcome(allowed: walk.effect == .allow, basis: .scope) }
        return Outcome(allowed: policy == .allowed, basis: .policy)
    }
}
