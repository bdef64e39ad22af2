import Foundation
import HTTPTypes
import Hummingbird
import Identity

/// `/api/organizations/{organizationId}/groups[/{groupId}[/members/{membershipId}]]`:
/// named sets of an organization's members. A group is `Group::"grp_…"` in the policy
/// graph, a parent of each member's `User`.
struct GroupRoutes {
    let organizations: OrganizationRoutes

    var authorizer: ManagementAuthorizer { organizations.authorizer }

    func add(to group: RouterGroup<ArbiterRequestContext>) {
        group.get(":organizationId/groups") { request, context in try list(request, context) }
        group.post(":organizationId/groups") { request, context in try await create(request, context) }
        group.get(":organizationId/groups/:groupId") { _, context in try get(context) }
        group.delete(":organizationId/groups/:groupId") { _, context in try await delete(context) }
        group.put(":organizationId/groups/:groupId/members/:membershipId") { _, context in try await addMember(context) }
        group.delete(":organizationId/groups/:groupId/members/:membershipId") { _, context in try await removeMember(context) }
    }

    func entity(_ group: MemberGroup) -> PolicyEntity {
        ManagementAuthorizer.group(tenantId: group.tenantId, organizationId: group.organizationId, id: group.id, name: group.name)
    }

    /// The organization and group named in the path, both in the caller's tenant and the
    /// group of that organization; 404 for anything else.
    func pathGroup(_ caller: ManagementCaller, _ context: ArbiterRequestContext) throws -> (Organization, MemberGroup) {
        let organization = try organizations.pathOrganization(caller, context)
        let id = context.parameters.get("groupId") ?? ""
        guard let group = try organizations.read({
            try $0.group(tenantId: caller.tenantId, organizationId: organization.id, id: id, tables: $1)
        }) else {
            throw ProblemError.notFound("no group '\(id.prefix(100))' in this organization")
        }
        return (organization, group)
    }

    func dto(_ group: MemberGroup) throws -> GroupDTO {
        GroupDTO(group, memberIds: try organizations.read { try $0.groupMemberIds(tenantId: group.tenantId, groupId: group.id, tables: $1) })
    }

    func list(_ request: Request, _ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        let organization = try organizations.pathOrganization(caller, context)
        let parent = organizations.entity(organization)
        try authorizer.authorize(caller, .read, parent, logger: context.logger)
        let (limit, after) = try ApplicationsAPI.paging(request)
        let page = try organizations.read {
            try $0.groups(tenantId: caller.tenantId, organizationId: organization.id, after: after, limit: limit, tables: $1)
        }
        let visible = page.items.filter { authorizer.allows(caller, .read, entity($0), related: [parent]) }
        return try JSONResponse.make(.ok, PageDTO(items: try visible.map(dto), nextAfter: page.nextAfter))
    }

    func create(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let organization = try organizations.pathOrganization(caller, context)
        let resource = ManagementAuthorizer.group(
            tenantId: caller.tenantId, organizationId: organization.id, id: ManagementAuthorizer.newObjectID, name: "")
        try authorizer.authorize(caller, .create, resource, related: [organizations.entity(organization)], logger: context.logger)
        var fields = try await ApplicationsAPI.fields(request, limit: organizations.maxBodyBytes)
        let name = try CreateGroupBody.read(&fields)
        let tenantId = caller.tenantId, organizationId = organization.id, actor = caller.actor
        let group = try await organizations.write(caller) { txn, tables in
            let group = try txn.createGroup(tenantId: tenantId, organizationId: organizationId, name: name, actor: actor, tables: tables)
            return OrganizationRoutes.Outcome(result: group, upserts: [IdentityFacts.group(group)])
        }
        return try JSONResponse.make(
            .created, GroupDTO(group, memberIds: []),
            headers: [.location: "/api/organizations/\(organization.id)/groups/\(group.id)"])
    }

    func get(_ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        let (organization, group) = try pathGroup(caller, context)
        try authorizer.authorize(caller, .read, entity(group), related: [organizations.entity(organization)], logger: context.logger)
        return try JSONResponse.make(.ok, try dto(group))
    }

    /// Deletes the group; its members lose it as a parent (and their `perm_ver` moves).
    func delete(_ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let (organization, group) = try pathGroup(caller, context)
        try authorizer.authorize(caller, .delete, entity(group), related: [organizations.entity(organization)], logger: context.logger)
        let tenantId = caller.tenantId, actor = caller.actor
        try await organizations.write(caller) { txn, tables in
            let (deleted, userIds) = try txn.deleteGroup(
                tenantId: tenantId, organizationId: group.organizationId, groupId: group.id, actor: actor, tables: tables)
            return OrganizationRoutes.Outcome(result: (), users: userIds, deletes: [IdentityFacts.groupUID(deleted.id)])
        }
        return Response(status: .noContent)
    }

    /// Puts a membership of this organization into the group (an update of the group).
    /// Idempotent: a member already in it answers 204 too, without a change.
    func addMember(_ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let (organization, group) = try pathGroup(caller, context)
        try authorizer.authorize(caller, .update, entity(group), related: [organizations.entity(organization)], logger: context.logger)
        let membershipId = context.parameters.get("membershipId") ?? ""
        let tenantId = caller.tenantId, actor = caller.actor
        try await organizations.write(caller) { txn, tables in
            let userId = try txn.addGroupMember(
                tenantId: tenantId, organizationId: group.organizationId, groupId: group.id, membershipId: membershipId,
                actor: actor, tables: tables)
            return OrganizationRoutes.Outcome(result: (), users: userId.map { [$0] } ?? [], changed: userId != nil)
        }
        return Response(status: .noContent)
    }

    func removeMember(_ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let (organization, group) = try pathGroup(caller, context)
        try authorizer.authorize(caller, .update, entity(group), related: [organizations.entity(organization)], logger: context.logger)
        let membershipId = context.parameters.get("membershipId") ?? ""
        let tenantId = caller.tenantId, actor = caller.actor
        try await organizations.write(caller) { txn, tables in
            let userId = try txn.removeGroupMember(
                tenantId: tenantId, organizationId: group.organizationId, groupId: group.id, membershipId: membershipId,
                actor: actor, tables: tables)
            return OrganizationRoutes.Outcome(result: (), users: [userId])
        }
        return Response(status: .noContent)
    }
}
