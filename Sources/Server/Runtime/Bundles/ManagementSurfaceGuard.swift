import PolicyLang

/// Refuses tenant rules that speak about Arbiter's own management API.
///
/// Tenant rules may add restrictions and grants within the tenant, but never widen access
/// to Arbiter itself (issue 6). That is guaranteed by construction — the management API
/// (`ManagementAuthorizer`) only ever evaluates the built-in program compiled from
/// `Policies/`, never a tenant bundle — so a tenant rule about, say, `update` on
/// `Organization` could not take effect anyway. Refusing such a rule at upload time makes
/// that visible instead of leaving an administrator to believe it works.
///
/// A rule is refused when its actions include a management action (or are left open)
/// and its resource is, by its `resource:` scope or by a `resource is T` / `resource == T::"…"`
/// test in its conditions, one of the management API's resource types.
enum ManagementSurfaceGuard {
    static var actions: Set<String> { Set(ManagementAction.allCases.map(\.rawValue)) }
    static var resourceTypes: Set<String> { ManagementAuthorizer.resourceTypes }

    static func diagnostics(for rules: [Rule]) -> [Diagnostic] {
        rules.compactMap { rule in
            let actionsHit = rule.actions.map { Set($0).intersection(actions).sorted() } ?? actions.sorted()
            guard !actionsHit.isEmpty else { return nil }
            var types = scopeTypes(rule.resource)
            for condition in [rule.when, rule.unless].compactMap({ $0 }) {
                collectResourceTypes(condition, into: &types)
            }
            let hit = types.intersection(resourceTypes).sorted()
            guard !hit.isEmpty else { return nil }
            let verbs = rule.actions == nil ? "every action" : actionsHit.joined(separator: "/")
            return .error(
                "rule '\(rule.id)' covers \(verbs) on \(hit.joined(separator: ", ")), which belongs to Arbiter's management API",
                at: rule.location,
                hint: "tenant rules cannot change who may manage Arbiter (the management API evaluates only the built-in policies); use your own resource types or action names")
        }
    }

    static func scopeTypes(_ scope: Rule.Scope) -> Set<String> {
        switch scope {
        case .any: return []
        case .type(let type): return [type]
        case .equal(let uid), .in(let uid): return [uid.type]
        case .typeIn(let type, _): return [type]
        }
    }

    /// Types the condition tests the resource against: `resource is T`, `resource == T::"…"`,
    /// `resource in T::"…"`.
    static func collectResourceTypes(_ expr: Expr, into types: inout Set<String>) {
        switch expr.kind {
        case .isType(let subject, let type, let parent):
            if case .variable(.resource) = subject.kind { types.insert(type) }
            collectResourceTypes(subject, into: &types)
            if let parent { collectResourceTypes(parent, into: &types) }
        case .binary(let op, let left, let right):
            if op == .equal || op == .in {
                if case .variable(.resource) = left.kind, case .entity(let uid) = right.kind { types.insert(uid.type) }
                if case .variable(.resource) = right.kind, case .entity(let uid) = left.kind { types.insert(uid.type) }
            }
            collectResourceTypes(left, into: &types)
            collectResourceTypes(right, into: &types)
        case .unary(_, let operand):
            collectResourceTypes(operand, into: &types)
        case .ifThenElse(let a, let b, let c):
            for e in [a, b, c] { collectResourceTypes(e, into: &types) }
        case .set(let elements):
            for e in elements { collectResourceTypes(e, into: &types) }
        case .record(let fields):
            for (_, e) in fields { collectResourceTypes(e, into: &types) }
        case .getAttribute(let e, _), .hasAttribute(let e, _), .like(let e, _):
            collectResourceTypes(e, into: &types)
        case .call(_, let arguments):
            for e in arguments { collectResourceTypes(e, into: &types) }
        case .method(let e, _, let arguments):
            collectResourceTypes(e, into: &types)
            for a in arguments { collectResourceTypes(a, into: &types) }
        case .bool, .long, .string, .entity, .variable:
            break
        }
    }
}
