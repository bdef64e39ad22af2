import Evaluator
import Foundation
import Hummingbird
import Identity
import PolicyLang
import Store

/// `/api/organizations/{organizationId}/…`: the memberships, roles and groups of an
/// organization of the caller's tenant.
///
/// Authentication and authorization are the applications API's: a bearer token with
/// `arbiter.api`, the tenant is the token's, the organization (and membership, group) is
/// looked up inside it (404 otherwise) before the built-in policies decide (403 on deny).
/// Every change is one write transaction holding the Identity records, the audit event,
/// the `perm_ver` bump of each user concerned, their re-projection into the policy graph
/// and the tenant's revision bump.
struct OrganizationRoutes {
    let services: ArbiterApplication.Services
    let maxBodyBytes: Int

    var authorizer: ManagementAuthorizer { ManagementAuthorizer(services: services) }
    var tables: MembershipTables { services.membershipTables }

    func add(to router: Router<ArbiterRequestContext>) {
        let group = router.group("/api/organizations")
            .add(middleware: ManagementAuthentication(bearer: BearerAuthenticator(verifier: services.tokenVerifier)))
        MembershipRoutes(organizations: self).add(to: group)
        GroupRoutes(organizations: self).add(to: group)
        AuditEventRoutes(organizations: self).add(to: group)
        WebhookRoutes(organizations: self).add(to: group)
    }

    /// The organization named in the path, in the caller's tenant; 404 for any other id.
    func pathOrganization(_ caller: ManagementCaller, _ context: ArbiterRequestContext) throws -> Organization {
        let id = context.parameters.get("organizationId") ?? ""
        let tables = self.tables
        guard let organization = try services.environment.read({ try $0.organization(tenantId: caller.tenantId, id: id, tables: tables) }) else {
            throw ProblemError.notFound("no organization '\(id.prefix(100))' in your tenant")
        }
        return organization
    }

    func entity(_ organization: Organization) -> PolicyEntity {
        ManagementAuthorizer.organization(tenantId: organization.tenantId, id: organization.id)
    }

    /// What a change did: its result, the users whose memberships, roles or groups it
    /// changed (re-projected), graph writes of its own, and whether anything changed at all
    /// (no revision bump for a no-op).
    struct Outcome<T: Sendable>: Sendable {
        var result: T
        var users: [String] = []
        var upserts: [PolicyEntity] = []
        var deletes: [EntityUID] = []
        var changed = true
    }

    /// Runs an Identity change and its graph projection in one write transaction.
    func write<T: Sendable>(
        _ caller: ManagementCaller, _ change: @escaping @Sendable (WriteTransaction, MembershipTables) throws -> Outcome<T>
    ) async throws -> T {
        let tables = self.tables
        let graph = services.graph
        let licensing = services.licensing
        let tenantId = caller.tenantId
        return try await OrganizationsAPI.mapping {
            try await services.environment.write { txn in
                let outcome = try change(txn, tables)
                guard outcome.changed else { return outcome.result }
                try graph.upsert(outcome.upserts, tenant: tenantId, in: txn)
                try graph.delete(outcome.deletes, tenant: tenantId, in: txn)
                for userId in Set(outcome.users).sorted() {
                    try IdentityFacts.projectUser(
                        tenantId: tenantId, userId: userId, graph: graph, tables: tables, licensing: licensing, in: txn)
                }
                try txn.bumpRevision(tenant: tenantId)
                return outcome.result
            }
        }
    }

    func read<T>(_ body: (ReadTransaction, MembershipTables) throws -> T) throws -> T {
        let tables = self.tables
        return try services.environment.read { try body($0, tables) }
    }
}
