import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Store

/// `…/Groups[/{id}]`: POST, GET, GET list, PUT, PATCH, DELETE. A group is a `MemberGroup`
/// of the connection's JIT organization, `Group::"grp_…"` in the policy graph and a parent
/// of each member's `User`; a member change re-projects exactly the users it moved, so a
/// policy naming the group decides differently from the next revision on.
struct SCIMGroupRoutes {
    let scim: SCIMRoutes

    func add(to group: RouterGroup<ArbiterRequestContext>) {
        group.post("Groups") { request, context in try await create(request, context) }
        group.get("Groups") { request, context in try list(request, context) }
        group.get("Groups/:id") { request, context in try get(request, context) }
        group.put("Groups/:id") { request, context in try await replace(request, context) }
        group.patch("Groups/:id") { request, context in try await patch(request, context) }
        group.delete("Groups/:id") { request, context in try await delete(request, context) }
    }

    static func resource(
        _ record: SCIMGroupRecord, scim: SCIMRoutes, scope: SCIMConnectionScope, txn: some TransactionReading, tables: SCIMTables
    ) throws -> SCIMValue {
        SCIMGroupResource.render(
            record, members: try txn.scimGroupMembers(scope, groupId: record.id, tables: tables), routes: scim, scope: scope)
    }

    func respond(_ status: HTTPResponse.Status, _ scope: SCIMConnectionScope, id: String, request: Request, headers: HTTPFields = [:]) throws -> Response {
        let scim = self.scim
        guard let resource = try scim.read({ txn, tables -> SCIMValue? in
            guard let record = try txn.scimGroup(scope, id: id, tables: tables) else { return nil }
            return try Self.resource(record, scim: scim, scope: scope, txn: txn, tables: tables)
        }) else { throw SCIMError.from(SCIMResourceError.notFound(id)) }
        let query = request.uri.queryParameters
        let projected = try SCIMLanguage.project(
            resource, attributes: try query.get("attributes").map { try SCIMListQuery.names($0, "attributes") },
            excludedAttributes: try query.get("excludedAttributes").map { try SCIMListQuery.names($0, "excludedAttributes") },
            kind: .group)
        var headers = headers
        if case .string(let version)? = resource["meta"]?["version"] { headers[.eTag] = version }
        return SCIMResponse.make(status, projected, headers: headers)
    }

    func create(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let scope = try scim.authenticate(request, context)
        let input = try SCIMGroupResource.input(try await SCIMResponse.body(request, limit: scim.maxBodyBytes))
        let record = try await scim.write(scope) { txn, tables in
            let (record, changed) = try txn.createSCIMGroup(scope, input, tables: tables)
            let group = try txn.group(tenantId: scope.tenantId, id: record.id, tables: tables.memberships)
            return SCIMRoutes.Outcome(result: record, users: changed, upserts: group.map { [IdentityFacts.group($0)] } ?? [])
        }
        return try respond(.created, scope, id: record.id, request: request, headers: [.location: scim.location(scope, "Groups", record.id)])
    }

    func get(_ request: Request, _ context: ArbiterRequestContext) throws -> Response {
        let scope = try scim.authenticate(request, context)
        return try respond(.ok, scope, id: context.parameters.get("id") ?? "", request: request)
    }

    func list(_ request: Request, _ context: ArbiterRequestContext) throws -> Response {
        let scope = try scim.authenticate(request, context)
        let query = try SCIMListQuery(request: request)
        return SCIMResponse.make(.ok, try SCIMListResponse.make(try Self.all(scim, scope), query: query))
    }

    static func all(_ scim: SCIMRoutes, _ scope: SCIMConnectionScope) throws -> [(SCIMValue, SCIMLanguage.Kind)] {
        try scim.read { txn, tables in
            try txn.scimGroups(scope, tables: tables).map { (try resource($0, scim: scim, scope: scope, txn: txn, tables: tables), .group) }
        }
    }

    func replace(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let scope = try scim.authenticate(request, context)
        let id = context.parameters.get("id") ?? ""
        let input = try SCIMGroupResource.input(try await SCIMResponse.body(request, limit: scim.maxBodyBytes))
        try await scim.write(scope) { txn, tables in
            let (_, changed, group) = try txn.replaceSCIMGroup(scope, id: id, input, tables: tables)
            return SCIMRoutes.Outcome(result: (), users: changed, upserts: [IdentityFacts.group(group)])
        }
        return try respond(.ok, scope, id: id, request: request)
    }

    func patch(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let scope = try scim.authenticate(request, context)
        let id = context.parameters.get("id") ?? ""
        let body = try await SCIMResponse.body(request, limit: scim.maxBodyBytes)
        let scim = self.scim
        try await scim.write(scope) { txn, tables in
            guard let record = try txn.scimGroup(scope, id: id, tables: tables) else { throw SCIMResourceError.notFound(id) }
            let current = try Self.resource(record, scim: scim, scope: scope, txn: txn, tables: tables)
            let patched = try SCIMLanguage.patch(current, request: body, kind: .group)
            guard case .object(let object) = patched else { throw SCIMError.invalidValue("the patched resource is not an object") }
            let input = try SCIMGroupResource.input(object)
            let (_, changed, group) = try txn.replaceSCIMGroup(scope, id: id, input, tables: tables)
            return SCIMRoutes.Outcome(result: (), users: changed, upserts: [IdentityFacts.group(group)])
        }
        return try respond(.ok, scope, id: id, request: request)
    }

    func delete(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let scope = try scim.authenticate(request, context)
        let id = context.parameters.get("id") ?? ""
        try await scim.write(scope) { txn, tables in
            let userIds = try txn.deleteSCIMGroup(scope, id: id, tables: tables)
            return SCIMRoutes.Outcome(result: (), users: userIds, deletes: [IdentityFacts.groupUID(id)])
        }
        return Response(status: .noContent)
    }
}
