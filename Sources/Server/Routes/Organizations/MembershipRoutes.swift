import Foundation
import HTTPTypes
import Hummingbird
import Identity

/// `/api/organizations/{organizationId}/memberships[/{membershipId}[/roles]]`: who is in an
/// organization and with which roles.
struct MembershipRoutes {
    let organizations: OrganizationRoutes

    var authorizer: ManagementAuthorizer { organizations.authorizer }

    func add(to group: RouterGroup<ArbiterRequestContext>) {
        group.get(":organizationId/memberships") { request, context in try list(request, context) }
        group.post(":organizationId/memberships") { request, context in try await create(request, context) }
        group.get(":organizationId/memberships/:membershipId") { _, context in try get(context) }
        group.delete(":organizationId/memberships/:membershipId") { _, context in try await delete(context) }
        group.put(":organizationId/memberships/:membershipId/roles") { request, context in try await setRoles(request, context) }
    }

    func entity(_ membership: Membership) -> PolicyEntity {
        ManagementAuthorizer.membership(tenantId: membership.tenantId, organizationId: membership.organizationId, id: membership.id)
    }

    /// The organization and membership named in the path, both in the caller's tenant and
    /// the membership of that organization; 404 for anything else.
    func pathMembership(_ caller: ManagementCaller, _ context: ArbiterRequestContext) throws -> (Organization, Membership) {
        let organization = try organizations.pathOrganization(caller, context)
        let id = context.parameters.get("membershipId") ?? ""
        guard let membership = try organizations.read({
            try $0.membership(tenantId: caller.tenantId, organizationId: organization.id, id: id, tables: $1)
        }) else {
            throw ProblemError.notFound("no membership '\(id.prefix(100))' in this organization")
        }
        return (organization, membership)
    }

    func dto(_ membership: Membership) throws -> MembershipDTO {
        try organizations.read { txn, tables in
            MembershipDTO(
                membership, user: try txn.user(tenantId: membership.tenantId, id: membership.userId, tables: tables),
                groupIds: try txn.groupIds(ofMembership: membership.id, tenantId: membership.tenantId, tables: tables))
        }
    }

    func list(_ request: Request, _ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        let organization = try organizations.pathOrganization(caller, context)
        let parent = organizations.entity(organization)
        try authorizer.authorize(caller, .read, parent, logger: context.logger)
        let (limit, after) = try ApplicationsAPI.paging(request)
        let items: [MembershipDTO]
        let nextAfter: String?
        (items, nextAfter) = try organizations.read { txn, tables in
            let page = try txn.memberships(tenantId: caller.tenantId, organizationId: organization.id, after: after, limit: limit, tables: tables)
            let visible = page.items.filter { authorizer.allows(caller, .read, entity($0), related: [parent]) }
            return (try visible.map { membership in
                MembershipDTO(
                    membership, user: try txn.user(tenantId: caller.tenantId, id: membership.userId, tables: tables),
                    groupIds: try txn.groupIds(ofMembership: membership.id, tenantId: caller.tenantId, tables: tables))
            }, page.nextAfter)
        }
        return try JSONResponse.make(.ok, PageDTO(items: items, nextAfter: nextAfter))
    }

    func create(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let organization = try organizations.pathOrganization(caller, context)
        let resource = ManagementAuthorizer.membership(
            tenantId: caller.tenantId, organizationId: organization.id, id: ManagementAuthorizer.newObjectID)
        try authorizer.authorize(caller, .create, resource, related: [organizations.entity(organization)], logger: context.logger)
        var fields = try await ApplicationsAPI.fields(request, limit: organizations.maxBodyBytes)
        let body = try CreateMembershipBody.read(&fields)
        // bcrypt runs here, before the write transaction, never inside it.
        let member = try await body.member.prepared(tenantId: caller.tenantId, hasher: organizations.services.passwordHasher)
        let roles = body.roles
        let organizationId = organization.id, tenantId = caller.tenantId, actor = caller.actor
        let membership = try await organizations.write(caller) { txn, tables in
            let (membership, user) = try txn.addMembership(
                tenantId: tenantId, organizationId: organizationId, member: member, roles: roles, actor: actor, tables: tables)
            return OrganizationRoutes.Outcome(result: membership, users: [user.id])
        }
        return try JSONResponse.make(
            .created, try dto(membership),
            headers: [.location: "/api/organizations/\(organization.id)/memberships/\(membership.id)"])
    }

    func get(_ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        let (organization, membership) = try pathMembership(caller, context)
        try authorizer.authorize(caller, .read, entity(membership), related: [organizations.entity(organization)], logger: context.logger)
        return try JSONResponse.make(.ok, try dto(membership))
    }

    func delete(_ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let (organization, membership) = try pathMembership(caller, context)
        try authorizer.authorize(caller, .delete, entity(membership), related: [organizations.entity(organization)], logger: context.logger)
        let tenantId = caller.tenantId, actor = caller.actor
        try await organizations.write(caller) { txn, tables in
            let removed = try txn.removeMembership(
                tenantId: tenantId, organizationId: membership.organizationId, membershipId: membership.id, actor: actor, tables: tables)
            return OrganizationRoutes.Outcome(result: (), users: [removed.userId])
        }
        return Response(status: .noContent)
    }

    /// Replaces the membership's roles (`{"roles": [...]}`); answers the membership.
    func setRoles(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let (organization, membership) = try pathMembership(caller, context)
        try authorizer.authorize(caller, .update, entity(membership), related: [organizations.entity(organization)], logger: context.logger)
        var fields = try await ApplicationsAPI.fields(request, limit: organizations.maxBodyBytes)
        let roles = try RolesBody.read(&fields)
        let tenantId = caller.tenantId, actor = caller.actor
        let updated = try await organizations.write(caller) { txn, tables in
            let (updated, changed) = try txn.setMembershipRoles(
                tenantId: tenantId, organizationId: membership.organizationId, membershipId: membership.id, roles: roles,
                actor: actor, tables: tables)
            return OrganizationRoutes.Outcome(result: updated, users: [updated.userId], changed: changed)
        }
        return try JSONResponse.make(.ok, try dto(updated))
    }
}
