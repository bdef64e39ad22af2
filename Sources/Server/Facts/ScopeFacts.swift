import Evaluator
import Identity
import PolicyLang

/// A resource scope as an entity of the tenant's policy graph (DESIGN §3.4, §3.5):
/// `Scope::"scp_…"` {tenant, organization, path, name, depth}, whose parent is its parent
/// scope, or its Organization for a root — so `resource in Organization::"org_…"` and
/// `resource in Scope::"scp_…"` hold for everything below. Grants stay in the scope tables
/// (`check-scoped` reads them at the same snapshot); the graph carries the tree.
enum ScopeFacts {
    static func uid(_ id: String) -> EntityUID { EntityUID(type: "Scope", id: id) }
    static func organizationUID(_ id: String) -> EntityUID { EntityUID(type: "Organization", id: id) }

    static func entity(_ scope: Scope) -> Evaluator.Entity {
        let tenant = EntityUID(type: "Tenant", id: scope.tenantId)
        let organization = organizationUID(scope.organizationId)
        return Evaluator.Entity(
            uid: uid(scope.id),
            attributes: [
                "tenant": .entity(tenant), "organization": .entity(organization), "path": .string(scope.path),
                "name": .string(scope.name), "depth": .long(Int64(scope.depth)),
            ],
            parents: [scope.parentId.map(uid) ?? organization])
    }
}
