import Foundation
import HTTPTypes
import Hummingbird
import Identity

/// `/api/applications` and `/api/applications/{applicationId}`: a tenant's applications.
///
/// Every route of this family (and of `EnvironmentRoutes` and `ClientRoutes`, added from
/// here under the same group) needs a bearer token with `arbiter.api`; the tenant is the
/// token's; objects are looked up inside it (404 otherwise) before the built-in policies
/// decide (403 on deny).
struct ApplicationRoutes {
    let services: ArbiterApplication.Services
    let maxBodyBytes: Int

    var authorizer: ManagementAuthorizer { ManagementAuthorizer(services: services) }
    var registry: ClientRegistry { services.clients }

    func add(to router: Router<ArbiterRequestContext>) {
        let group = router.group("/api/applications")
            .add(middleware: ManagementAuthentication(bearer: BearerAuthenticator(verifier: services.tokenVerifier)))
        group.post { request, context in try await create(request, context) }
        group.get { request, context in try list(request, context) }
        group.get(":applicationId") { _, context in try get(context) }
        group.patch(":applicationId") { request, context in try await update(request, context) }
        group.delete(":applicationId") { _, context in try await delete(context) }
        EnvironmentRoutes(applications: self).add(to: group)
        ClientRoutes(applications: self).add(to: group)
    }

    // MARK: Shared by the family

    /// The application named in the path, in the caller's tenant; 404 for any other id.
    func pathApplication(_ caller: ManagementCaller, _ context: ArbiterRequestContext) throws -> Identity.Application {
        let id = context.parameters.get("applicationId") ?? ""
        guard let application = try registry.application(tenantId: caller.tenantId, id: id) else {
            throw ProblemError.notFound("no application '\(id.prefix(100))' in your tenant")
        }
        return application
    }

    func entity(_ application: Identity.Application) -> PolicyEntity {
        ManagementAuthorizer.application(tenantId: application.tenantId, id: application.id)
    }

    // MARK: Handlers

    func create(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        try authorizer.authorize(
            caller, .create, ManagementAuthorizer.application(tenantId: caller.tenantId, id: ManagementAuthorizer.newObjectID),
            logger: context.logger)
        var fields = try await ApplicationsAPI.fields(request, limit: maxBodyBytes)
        let body = try CreateApplicationBody.read(&fields)
        let application = try await ApplicationsAPI.mapping {
            try await registry.createApplication(
                tenantId: caller.tenantId, name: body.name, key: body.key, externalConsumption: body.externalConsumption,
                actor: caller.actor, enforcingPlanQuota: true)
        }
        return try JSONResponse.make(
            .created, ApplicationDTO(application), headers: [.location: "/api/applications/\(application.id)"])
    }

    func list(_ request: Request, _ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        try authorizer.authorize(caller, .read, ManagementAuthorizer.tenant(caller), logger: context.logger)
        let (limit, after) = try ApplicationsAPI.paging(request)
        let page = try registry.applications(tenantId: caller.tenantId, after: after, limit: limit)
        let visible = page.items.filter { authorizer.allows(caller, .read, entity($0)) }
        return try JSONResponse.make(.ok, PageDTO(items: visible.map(ApplicationDTO.init), nextAfter: page.nextAfter))
    }

    func get(_ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        let application = try pathApplication(caller, context)
        try authorizer.authorize(caller, .read, entity(application), logger: context.logger)
        return try JSONResponse.make(.ok, ApplicationDTO(application))
    }

    func update(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let application = try pathApplication(caller, context)
        try authorizer.authorize(caller, .update, entity(application), logger: context.logger)
        var fields = try await ApplicationsAPI.fields(request, limit: maxBodyBytes)
        let patch = try ApplicationPatchBody.read(&fields)
        let updated = try await ApplicationsAPI.mapping {
            try await registry.updateApplication(tenantId: caller.tenantId, id: application.id, patch, actor: caller.actor)
        }
        return try JSONResponse.make(.ok, ApplicationDTO(updated))
    }

    func delete(_ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let application = try pathApplication(caller, context)
        try authorizer.authorize(caller, .delete, entity(application), logger: context.logger)
        try await ApplicationsAPI.mapping {
            try await registry.deleteApplication(tenantId: caller.tenantId, id: application.id, actor: caller.actor)
        }
        return Response(status: .noContent)
    }
}
