import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Store

/// `/api/runtime/scopes` and `/api/runtime/scopes/{scopeId}`: each organization's tree of
/// resource scopes (DESIGN §3.5). Grants live under `ScopeGrantRoutes`.
///
/// Authentication and authorization are the management API's (`ManagementAuthorizer`): a
/// bearer token with `arbiter.api`, the tenant from the token, ids looked up inside it
/// (404 otherwise) before the built-in policies decide on the scope's Organization —
/// administrators (update) manage scopes and grants, active members (read) read them,
/// clients nothing.
///
/// Deleting a scope that still has children is refused (409 `scope-has-children`) rather
/// than cascading: a subtree's grants should not vanish as a side effect.
struct ScopeRoutes {
    let services: ArbiterApplication.Services
    let maxBodyBytes: Int

    var authorizer: ManagementAuthorizer { ManagementAuthorizer(services: services) }
    var writes: ScopeWrites { ScopeWrites(services: services) }

    func add(to router: Router<ArbiterRequestContext>) {
        let group = router.group("/api/runtime/scopes")
            .add(middleware: ManagementAuthentication(bearer: BearerAuthenticator(verifier: services.tokenVerifier)))
        group.post { request, context in try await create(request, context) }
        group.get { request, context in try list(request, context) }
        group.get(":scopeId") { _, context in try get(context) }
        group.delete(":scopeId") { _, context in try await delete(context) }
        ScopeGrantRoutes(scopes: self).add(to: group)
    }

    // MARK: Shared by the family

    /// The scope named in the path, in the caller's tenant; 404 for any other id.
    func pathScope(_ caller: ManagementCaller, _ context: ArbiterRequestContext) throws -> Scope {
        let id = context.parameters.get("scopeId") ?? ""
        let tables = services.scopeTables
        guard let scope = try services.environment.read({ try $0.scope(tenantId: caller.tenantId, id: id, tables: tables) }) else {
            throw ProblemError.notFound("no scope '\(id.prefix(100))' in your tenant")
        }
        return scope
    }

    /// Scopes are part of their organization's structure: reading one is reading the
    /// Organization, changing one (or its grants) is updating it. The built-in policies hold
    /// no rule about `Scope` itself on purpose — runtime checks (`check-scoped`) run them too,
    /// and a management rule such as "members read scopes" would allow every member the
    /// application action `read` on every scope, past the grants.
    func authorize(_ caller: ManagementCaller, _ action: ManagementAction, _ scope: Scope, _ context: ArbiterRequestContext) throws {
        try authorizer.authorize(
            caller, action == .read ? .read : .update, ScopesAPI.organization(scope), logger: context.logger)
    }

    // MARK: Handlers

    func create(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        // Creating needs the right to change the tenant's structure, like the organization's.
        try authorizer.authorize(caller, .update, ManagementAuthorizer.tenant(caller), logger: context.logger)
        var fields = try await ApplicationsAPI.fields(request, limit: maxBodyBytes)
        let body = try CreateScopeBody.read(&fields)
        let scope = try await ScopesAPI.mapping {
            try await writes.create(
                tenantId: caller.tenantId, organizationId: body.organizationId, parentId: body.parentId, name: body.name,
                actor: caller.actor)
        }
        return try JSONResponse.make(.created, ScopeDTO(scope), headers: [.location: "/api/runtime/scopes/\(scope.id)"])
    }

    /// `?organizationId=` (optional: one organization's scopes), `?limit=`, `?after=`.
    func list(_ request: Request, _ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        try authorizer.authorize(caller, .read, ManagementAuthorizer.tenant(caller), logger: context.logger)
        let (limit, after) = try ApplicationsAPI.paging(request)
        let organizationId = request.uri.queryParameters.get("organizationId").map { String($0) }
        let (tables, identity) = (services.scopeTables, services.identityTables)
        let tenantId = caller.tenantId
        let page: Page<Scope> = try services.environment.read { txn in
            if let organizationId {
                guard organizationId.utf8.count <= 100,
                      try txn.contains(identity.organizations, Key(.string(tenantId), .string(organizationId)))
                else { throw ProblemError.notFound("no organization '\(organizationId.prefix(100))' in your tenant") }
            }
            return try txn.scopes(tenantId: tenantId, organizationId: organizationId, after: after, limit: limit, tables: tables)
        }
        let visible = page.items.filter { authorizer.allows(caller, .read, ScopesAPI.organization($0)) }
        return try JSONResponse.make(.ok, PageDTO(items: visible.map(ScopeDTO.init), nextAfter: page.nextAfter))
    }

    func get(_ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        let scope = try pathScope(caller, context)
        try authorize(caller, .read, scope, context)
        return try JSONResponse.make(.ok, ScopeDTO(scope))
    }

    func delete(_ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let scope = try pathScope(caller, context)
        try authorize(caller, .delete, scope, context)
        try await ScopesAPI.mapping {
            try await writes.delete(tenantId: caller.tenantId, id: scope.id, actor: caller.actor)
        }
        return Response(status: .noContent)
    }
}
