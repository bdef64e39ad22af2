import Evaluator
import Identity
import PolicyLang
import Store

/// Identity's records as entities of the tenant's policy graph (DESIGN §3.4), written in the
/// same write transaction as the change that caused them:
/// - `Tenant::"ten_…"` {slug}
/// - `Organization::"org_…"` {tenant}, parent Tenant
/// - `User::"usr_…"` {tenant, userName, email, active, roles (union over memberships)};
///   parents: the Tenant, each Organization it is a member of, each Group it is in and
///   `Role::"<name>"` for each role. The Tenant is a direct parent too, so a user between
///   memberships is still `in` their tenant.
/// - `Role::"<name>"` {} (never deleted: a name, shared by every member holding it)
/// - `Group::"grp_…"` {tenant, name}, parent Organization
/// - `Client::"cli_…"` {tenant, scopes}, parent Tenant
enum IdentityFacts {
    static func tenantUID(_ id: String) -> EntityUID { EntityUID(type: "Tenant", id: id) }
    static func organizationUID(_ id: String) -> EntityUID { EntityUID(type: "Organization", id: id) }
    static func userUID(_ id: String) -> EntityUID { EntityUID(type: "User", id: id) }
    static func roleUID(_ name: String) -> EntityUID { EntityUID(type: "Role", id: name) }
    static func groupUID(_ id: String) -> EntityUID { EntityUID(type: "Group", id: id) }
    static func clientUID(_ id: String) -> EntityUID { EntityUID(type: "Client", id: id) }

    static func tenant(_ tenant: Tenant) -> Evaluator.Entity {
        Evaluator.Entity(uid: tenantUID(tenant.id), attributes: ["slug": .string(tenant.slug)])
    }

    static func organization(_ organization: Organization) -> Evaluator.Entity {
        Evaluator.Entity(
            uid: organizationUID(organization.id), attributes: ["tenant": .entity(tenantUID(organization.tenantId))],
            parents: [tenantUID(organization.tenantId)])
    }

    static func group(_ group: MemberGroup) -> Evaluator.Entity {
        Evaluator.Entity(
            uid: groupUID(group.id),
            attributes: ["tenant": .entity(tenantUID(group.tenantId)), "name": .string(group.name)],
            parents: [organizationUID(group.organizationId)])
    }

    static func role(_ name: String) -> Evaluator.Entity { Evaluator.Entity(uid: roleUID(name)) }

    static func client(_ client: OAuthClient) -> Evaluator.Entity {
        Evaluator.Entity(
            uid: clientUID(client.clientId),
            attributes: ["tenant": .entity(tenantUID(client.tenantId)), "scopes": .set(Set(client.scopes.map(Value.string)))],
            parents: [tenantUID(client.tenantId)])
    }

    /// The user with the roles and parents its memberships and groups give it, plus the
    /// `Role` entities those roles name.
    static func user(_ user: User, memberships: [Membership], groupIds: [String]) -> [Evaluator.Entity] {
        let roles = Set(memberships.flatMap(\.roles))
        var parents = [tenantUID(user.tenantId)]
        parents += Set(memberships.map(\.organizationId)).sorted().map(organizationUID)
        parents += Set(groupIds).sorted().map(groupUID)
        parents += roles.sorted().map(roleUID)
        let entity = Evaluator.Entity(
            uid: userUID(user.id),
            attributes: [
                "tenant": .entity(tenantUID(user.tenantId)), "userName": .string(user.userName), "email": .string(user.email),
                "active": .bool(user.active), "roles": .set(Set(roles.map(Value.string))),
            ],
            parents: parents)
        return [entity] + roles.sorted().map(role)
    }

    // MARK: Writes inside the caller's transaction

    /// Re-reads a user's memberships and groups in `txn` and writes the user's entity as
    /// they now are (deleted when the user record is gone). An upsert replaces every parent
    /// edge, so the `SeatPool` parents of the seats the user holds (licensing) are re-added.
    static func projectUser(
        tenantId: String, userId: String, graph: EntityGraph, tables: MembershipTables, licensing: LicensingStore?,
        in txn: WriteTransaction
    ) throws {
        guard let user = try txn.user(tenantId: tenantId, id: userId, tables: tables) else {
            try graph.delete([userUID(userId)], tenant: tenantId, in: txn)
            return
        }
        let memberships = try txn.memberships(ofUser: userId, tenantId: tenantId, tables: tables)
        var groupIds: [String] = []
        for membership in memberships {
            groupIds += try txn.groupIds(ofMembership: membership.id, tenantId: tenantId, tables: tables)
        }
        var entities = Self.user(user, memberships: memberships, groupIds: groupIds)
        if let licensing {
            entities[0].parents += try LicensingFacts.seatPoolParents(tenantId: tenantId, userId: userId, licensing: licensing, in: txn)
        }
        try graph.upsert(entities, tenant: tenantId, in: txn)
    }

    /// A new tenant's tenant, first organization and administrator.
    static func registered(_ registered: RegisteredTenant, graph: EntityGraph, in txn: WriteTransaction) throws {
        let tenantId = registered.tenant.id
        try graph.upsert(
            [tenant(registered.tenant), organization(registered.organization)]
                + user(registered.administrator, memberships: [registered.membership], groupIds: []),
            tenant: tenantId, in: txn)
    }

    /// A client saved or deleted by the `ClientRegistry`.
    static func clientChanged(_ change: ClientRegistryChange, graph: EntityGraph, in txn: WriteTransaction) throws {
        switch change {
        case .saved(let saved):
            try graph.upsert([client(saved)], tenant: saved.tenantId, in: txn)
        case .deleted(let tenantId, let clientId):
            try graph.delete([clientUID(clientId)], tenant: tenantId, in: txn)
        }
    }
}
