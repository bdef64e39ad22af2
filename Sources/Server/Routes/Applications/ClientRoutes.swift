import Foundation
import HTTPTypes
import Hummingbird
import Identity

/// `/api/applications/{applicationId}/clients[/{clientId}[/secrets]]`: the OAuth clients
/// of an application. A secret appears only in the answer that made it (creation of a
/// confidential secret client, or a rotation); Arbiter keeps only its hash.
struct ClientRoutes {
    let applications: ApplicationRoutes

    var authorizer: ManagementAuthorizer { applications.authorizer }
    var registry: ClientRegistry { applications.registry }

    func add(to group: RouterGroup<ArbiterRequestContext>) {
        group.post(":applicationId/clients") { request, context in try await create(request, context) }
        group.get(":applicationId/clients") { request, context in try list(request, context) }
        group.get(":applicationId/clients/:clientId") { _, context in try get(context) }
        group.patch(":applicationId/clients/:clientId") { request, context in try await update(request, context) }
        group.delete(":applicationId/clients/:clientId") { _, context in try await delete(context) }
        group.post(":applicationId/clients/:clientId/secrets") { request, context in try await rotate(request, context) }
    }

    func entity(_ client: OAuthClient) -> PolicyEntity {
        ManagementAuthorizer.client(tenantId: client.tenantId, applicationId: client.applicationId, id: client.clientId, scopes: client.scopes)
    }

    /// The application and client named in the path, both in the caller's tenant and the
    /// client of that application; 404 for anything else.
    func pathClient(_ caller: ManagementCaller, _ context: ArbiterRequestContext) throws -> (Identity.Application, OAuthClient) {
        let application = try applications.pathApplication(caller, context)
        let id = context.parameters.get("clientId") ?? ""
        guard let client = try registry.client(tenantId: caller.tenantId, applicationId: application.id, id: id) else {
            throw ProblemError.notFound("no client '\(id.prefix(100))' in this application")
        }
        return (application, client)
    }

    func create(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let application = try applications.pathApplication(caller, context)
        let resource = ManagementAuthorizer.client(
            tenantId: caller.tenantId, applicationId: application.id, id: ManagementAuthorizer.newObjectID, scopes: [])
        try authorizer.authorize(caller, .create, resource, related: [applications.entity(application)], logger: context.logger)
        var fields = try await ApplicationsAPI.fields(request, limit: applications.maxBodyBytes)
        let registration = try CreateClientBody.read(&fields)
        let issued = try await ApplicationsAPI.mapping {
            try await registry.createClient(
                tenantId: caller.tenantId, applicationId: application.id, registration, grantor: .tenant,
                actor: caller.actor, enforcingPlanQuota: true)
        }
        return try JSONResponse.make(
            .created, ClientDTO(issued.client, secret: issued.secret),
            headers: [.location: "/api/applications/\(application.id)/clients/\(issued.client.clientId)", .cacheControl: "no-store"])
    }

    func list(_ request: Request, _ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        let application = try applications.pathApplication(caller, context)
        let parent = applications.entity(application)
        try authorizer.authorize(caller, .read, parent, logger: context.logger)
        let (limit, after) = try ApplicationsAPI.paging(request)
        let page = try registry.clients(tenantId: caller.tenantId, applicationId: application.id, after: after, limit: limit)
        let visible = page.items.filter { authorizer.allows(caller, .read, entity($0), related: [parent]) }
        return try JSONResponse.make(.ok, PageDTO(items: visible.map { ClientDTO($0) }, nextAfter: page.nextAfter))
    }

    func get(_ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        let (application, client) = try pathClient(caller, context)
        try authorizer.authorize(caller, .read, entity(client), related: [applications.entity(application)], logger: context.logger)
        return try JSONResponse.make(.ok, ClientDTO(client))
    }

    func update(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let (application, client) = try pathClient(caller, context)
        try authorizer.authorize(caller, .update, entity(client), related: [applications.entity(application)], logger: context.logger)
        var fields = try await ApplicationsAPI.fields(request, limit: applications.maxBodyBytes)
        let patch = try ClientPatchBody.read(&fields)
        let updated = try await ApplicationsAPI.mapping {
            try await registry.updateClient(
                tenantId: caller.tenantId, applicationId: application.id, clientId: client.clientId, patch, grantor: .tenant,
                actor: caller.actor)
        }
        return try JSONResponse.make(.ok, ClientDTO(updated))
    }

    func delete(_ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let (application, client) = try pathClient(caller, context)
        try authorizer.authorize(caller, .delete, entity(client), related: [applications.entity(application)], logger: context.logger)
        try await ApplicationsAPI.mapping {
            try await registry.deleteClient(
                tenantId: caller.tenantId, applicationId: application.id, clientId: client.clientId, actor: caller.actor)
        }
        return Response(status: .noContent)
    }

    /// A new secret, shown once; old secrets stay valid for `gracePeriodSeconds` (default 0).
    func rotate(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let (application, client) = try pathClient(caller, context)
        try authorizer.authorize(caller, .update, entity(client), related: [applications.entity(application)], logger: context.logger)
        var fields = try await ApplicationsAPI.optionalFields(request, limit: applications.maxBodyBytes)
        let grace = try RotateSecretBody.read(&fields)
        let issued = try await ApplicationsAPI.mapping {
            try await registry.rotateSecret(
                tenantId: caller.tenantId, applicationId: application.id, clientId: client.clientId, gracePeriod: grace,
                actor: caller.actor)
        }
        return try JSONResponse.make(.ok, ClientDTO(issued.client, secret: issued.secret), headers: [.cacheControl: "no-store"])
    }
}
