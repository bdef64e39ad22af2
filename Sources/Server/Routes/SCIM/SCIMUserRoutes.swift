import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Store

/// `…/Users[/{id}]`: POST, GET, GET list, PUT, PATCH, DELETE (RFC 7644 §3.3–§3.6). A user
/// is an Arbiter `User` with a membership of the connection's JIT organization; `active:
/// false` (by PUT or PATCH) or DELETE revokes its sessions and refresh tokens in the write
/// that makes the change, and checks deny it from that revision on.
struct SCIMUserRoutes {
    let scim: SCIMRoutes

    func add(to group: RouterGroup<ArbiterRequestContext>) {
        group.post("Users") { request, context in try await create(request, context) }
        group.get("Users") { request, context in try list(request, context) }
        group.get("Users/:id") { request, context in try get(request, context) }
        group.put("Users/:id") { request, context in try await replace(request, context) }
        group.patch("Users/:id") { request, context in try await patch(request, context) }
        group.delete("Users/:id") { request, context in try await delete(request, context) }
    }

    /// The user's resource as it is now, in any transaction.
    static func resource(
        _ record: SCIMUserRecord, scim: SCIMRoutes, scope: SCIMConnectionScope, txn: some TransactionReading, tables: SCIMTables
    ) throws -> SCIMValue {
        SCIMUserResource.render(record, groups: try txn.scimGroups(ofUser: record, tables: tables), routes: scim, scope: scope)
    }

    func respond(_ status: HTTPResponse.Status, _ scope: SCIMConnectionScope, id: String, request: Request, headers: HTTPFields = [:]) throws -> Response {
        let scim = self.scim
        guard let resource = try scim.read({ txn, tables -> SCIMValue? in
            guard let record = try txn.scimUser(scope, id: id, tables: tables) else { return nil }
            return try Self.resource(record, scim: scim, scope: scope, txn: txn, tables: tables)
        }) else { throw SCIMError.from(SCIMResourceError.notFound(id)) }
        let query = request.uri.queryParameters
        let projected = try SCIMLanguage.project(
            resource, attributes: try query.get("attributes").map { try SCIMListQuery.names($0, "attributes") },
            excludedAttributes: try query.get("excludedAttributes").map { try SCIMListQuery.names($0, "excludedAttributes") },
            kind: .user)
        var headers = headers
        if case .string(let version)? = resource["meta"]?["version"] { headers[.eTag] = version }
        return SCIMResponse.make(status, projected, headers: headers)
    }

    func create(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let scope = try scim.authenticate(request, context)
        let input = try SCIMUserResource.input(try await SCIMResponse.body(request, limit: scim.maxBodyBytes))
        let record = try await scim.write(scope) { txn, tables in
            let record = try txn.createSCIMUser(scope, input, tables: tables)
            return SCIMRoutes.Outcome(result: record, users: [record.id])
        }
        return try respond(.created, scope, id: record.id, request: request, headers: [.location: scim.location(scope, "Users", record.id)])
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

    /// Every user resource of the connection, for a list or a search.
    static func all(_ scim: SCIMRoutes, _ scope: SCIMConnectionScope) throws -> [(SCIMValue, SCIMLanguage.Kind)] {
        try scim.read { txn, tables in
            try txn.scimUsers(scope, tables: tables).map { (try resource($0, scim: scim, scope: scope, txn: txn, tables: tables), .user) }
        }
    }

    func replace(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let scope = try scim.authenticate(request, context)
        let id = context.parameters.get("id") ?? ""
        let input = try SCIMUserResource.input(try await SCIMResponse.body(request, limit: scim.maxBodyBytes))
        try await scim.write(scope) { txn, tables in
            _ = try txn.replaceSCIMUser(scope, id: id, input, tables: tables)
            return SCIMRoutes.Outcome(result: (), users: [id])
        }
        return try respond(.ok, scope, id: id, request: request)
    }

    /// Applies the operations to the resource as it is inside the write transaction, then
    /// writes the result like a PUT would; answers 200 with the full resource.
    func patch(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let scope = try scim.authenticate(request, context)
        let id = context.parameters.get("id") ?? ""
        let body = try await SCIMResponse.body(request, limit: scim.maxBodyBytes)
        let scim = self.scim
        try await scim.write(scope) { txn, tables in
            guard let record = try txn.scimUser(scope, id: id, tables: tables) else { throw SCIMResourceError.notFound(id) }
            let current = try Self.resource(record, scim: scim, scope: scope, txn: txn, tables: tables)
            let patched = try SCIMLanguage.patch(current, request: body, kind: .user)
            guard case .object(let object) = patched else { throw SCIMError.invalidValue("the patched resource is not an object") }
            _ = try txn.replaceSCIMUser(scope, id: id, try SCIMUserResource.input(object), tables: tables)
            return SCIMRoutes.Outcome(result: (), users: [id])
        }
        return try respond(.ok, scope, id: id, request: request)
    }

    func delete(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let scope = try scim.authenticate(request, context)
        let id = context.parameters.get("id") ?? ""
        try await scim.write(scope) { txn, tables in
            try txn.deleteSCIMUser(scope, id: id, tables: tables)
            return SCIMRoutes.Outcome(result: (), users: [id])
        }
        return Response(status: .noContent)
    }
}
