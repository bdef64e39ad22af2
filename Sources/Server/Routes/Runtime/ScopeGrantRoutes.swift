import Foundation
import HTTPTypes
import Hummingbird
import Identity

/// `/api/runtime/scopes/{scopeId}/grants/{memberId}`: one member's allow/deny grants on a
/// scope, replaced as a whole (PUT), read (GET) or removed (DELETE).
///
/// `memberId` is a user id (`usr_…`), the id a check's principal `User::"usr_…"` carries;
/// the user must belong to the scope's organization. Another tenant's user, or one outside
/// the organization, is a 404 like an unknown scope. Every change moves the member's
/// `perm_ver` in the same transaction, so tokens and cached decisions can tell.
/// Changing grants is an `update` of the scope for the built-in policies.
struct ScopeGrantRoutes {
    let scopes: ScopeRoutes

    var services: ArbiterApplication.Services { scopes.services }

    func add(to group: RouterGroup<ArbiterRequestContext>) {
        group.put(":scopeId/grants/:memberId") { request, context in try await put(request, context) }
        group.get(":scopeId/grants/:memberId") { _, context in try get(context) }
        group.delete(":scopeId/grants/:memberId") { _, context in try await delete(context) }
    }

    func memberId(_ context: ArbiterRequestContext) -> String {
        context.parameters.get("memberId") ?? ""
    }

    func put(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try scopes.authorizer.caller(context)
        let scope = try scopes.pathScope(caller, context)
        try scopes.authorize(caller, .update, scope, context)
        let object = try await RequestBody.jsonObject(request, limit: scopes.maxBodyBytes)
        let grants = try ScopeGrantsBody.read(object)
        let member = memberId(context)
        let record = try await ScopesAPI.mapping {
            try await scopes.writes.putGrants(
                tenantId: caller.tenantId, scopeId: scope.id, memberId: member, grants: grants, actor: caller.actor)
        }
        return try JSONResponse.make(.ok, MemberGrantsDTO(record))
    }

    func get(_ context: ArbiterRequestContext) throws -> Response {
        let caller = try scopes.authorizer.caller(context)
        let scope = try scopes.pathScope(caller, context)
        try scopes.authorize(caller, .read, scope, context)
        let member = memberId(context)
        let tables = services.scopeTables
        let tenantId = caller.tenantId
        guard member.utf8.count <= 100,
              let record = try services.environment.read({
                  try $0.grants(tenantId: tenantId, scopeId: scope.id, memberId: member, tables: tables)
              })
        else { throw ProblemError.notFound("no grants of member '\(member.prefix(100))' on this scope") }
        return try JSONResponse.make(.ok, MemberGrantsDTO(record))
    }

    func delete(_ context: ArbiterRequestContext) async throws -> Response {
        let caller = try scopes.authorizer.caller(context)
        let scope = try scopes.pathScope(caller, context)
        try scopes.authorize(caller, .update, scope, context)
        let member = memberId(context)
        try await ScopesAPI.mapping {
            try await scopes.writes.deleteGrants(tenantId: caller.tenantId, scopeId: scope.id, memberId: member, actor: caller.actor)
        }
        return Response(status: .noContent)
    }
}
