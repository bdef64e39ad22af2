import Foundation
import HTTPTypes
import Hummingbird
import Identity

/// `POST/GET /api/enterprise/connections`, `GET/PATCH/DELETE …/{connectionId}`.
struct ConnectionRoutes {
    let enterprise: EnterpriseRoutes
    var authorizer: ManagementAuthorizer { enterprise.authorizer }
    var connections: EnterpriseConnections { enterprise.connections }

    func add(to group: RouterGroup<ArbiterRequestContext>) {
        group.post { request, context in try await create(request, context) }
        group.get { request, context in try list(request, context) }
        group.get(":connectionId") { _, context in try get(context) }
        group.patch(":connectionId") { request, context in try await update(request, context) }
        group.delete(":connectionId") { _, context in try await delete(context) }
    }

    func create(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        try authorizer.authorize(
            caller, .create, EnterpriseRoutes.entity(tenantId: caller.tenantId, id: ManagementAuthorizer.newObjectID), logger: context.logger)
        let draft = try ConnectionBody.create(try await RequestBody.jsonObject(request, limit: enterprise.maxBodyBytes))
        let connections = self.connections
        let connection = try await EnterpriseRoutes.mapping {
            try await connections.create(tenantId: caller.tenantId, draft, actor: caller.actor)
        }
        return try JSONResponse.make(
            .created, enterprise.dto(connection), headers: [.location: "/api/enterprise/connections/\(connection.id)"])
    }

    func list(_ request: Request, _ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        try authorizer.authorize(caller, .read, ManagementAuthorizer.tenant(caller), logger: context.logger)
        let (limit, after) = try ApplicationsAPI.paging(request)
        let page = try connections.list(tenantId: caller.tenantId, after: after, limit: limit)
        let visible = page.items.filter { authorizer.allows(caller, .read, EnterpriseRoutes.entity(tenantId: caller.tenantId, id: $0.id)) }
        return try JSONResponse.make(.ok, PageDTO(items: visible.map(enterprise.dto), nextAfter: page.nextAfter))
    }

    func get(_ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        let connection = try enterprise.pathConnection(caller, context)
        try authorizer.authorize(caller, .read, EnterpriseRoutes.entity(tenantId: caller.tenantId, id: connection.id), logger: context.logger)
        return try JSONResponse.make(.ok, enterprise.dto(connection))
    }

    func update(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let connection = try enterprise.pathConnection(caller, context)
        try authorizer.authorize(caller, .update, EnterpriseRoutes.entity(tenantId: caller.tenantId, id: connection.id), logger: context.logger)
        let patch = try ConnectionBody.patch(
            try await RequestBody.jsonObject(request, limit: enterprise.maxBodyBytes), type: connection.type)
        let connections = self.connections
        let updated = try await EnterpriseRoutes.mapping {
            try await connections.update(tenantId: caller.tenantId, id: connection.id, patch, actor: caller.actor)
        }
        return try JSONResponse.make(.ok, enterprise.dto(updated))
    }

    func delete(_ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let connection = try enterprise.pathConnection(caller, context)
        try authorizer.authorize(caller, .delete, EnterpriseRoutes.entity(tenantId: caller.tenantId, id: connection.id), logger: context.logger)
        let connections = self.connections
        try await EnterpriseRoutes.mapping {
            try await connections.delete(tenantId: caller.tenantId, id: connection.id, actor: caller.actor)
        }
        return Response(status: .noContent)
    }
}
