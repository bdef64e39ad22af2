import Foundation
import HTTPTypes
import Hummingbird
import Identity

/// `/api/applications/{applicationId}/environments`: development, staging and production
/// stages of an application (one of each at most; the plan's `maxEnvironments`).
struct EnvironmentRoutes {
    let applications: ApplicationRoutes

    var authorizer: ManagementAuthorizer { applications.authorizer }
    var registry: ClientRegistry { applications.registry }

    func add(to group: RouterGroup<ArbiterRequestContext>) {
        group.get(":applicationId/environments") { _, context in try list(context) }
        group.post(":applicationId/environments") { request, context in try await create(request, context) }
        group.get(":applicationId/environments/:environmentId") { _, context in try get(context) }
    }

    func entity(_ environment: ApplicationEnvironment) -> PolicyEntity {
        ManagementAuthorizer.environment(tenantId: environment.tenantId, applicationId: environment.applicationId, id: environment.id)
    }

    func list(_ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        let application = try applications.pathApplication(caller, context)
        let parent = applications.entity(application)
        try authorizer.authorize(caller, .read, parent, logger: context.logger)
        let visible = try registry.environments(tenantId: caller.tenantId, applicationId: application.id).filter {
            authorizer.allows(caller, .read, entity($0), related: [parent])
        }
        return try JSONResponse.make(.ok, PageDTO(items: visible.map(EnvironmentDTO.init), nextAfter: nil))
    }

    func get(_ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        let application = try applications.pathApplication(caller, context)
        let id = context.parameters.get("environmentId") ?? ""
        guard let environment = try registry.environments(tenantId: caller.tenantId, applicationId: application.id)
            .first(where: { $0.id == id })
        else { throw ProblemError.notFound("no environment '\(id.prefix(100))' in this application") }
        try authorizer.authorize(caller, .read, entity(environment), related: [applications.entity(application)], logger: context.logger)
        return try JSONResponse.make(.ok, EnvironmentDTO(environment))
    }

    func create(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let application = try applications.pathApplication(caller, context)
        let resource = ManagementAuthorizer.environment(
            tenantId: caller.tenantId, applicationId: application.id, id: ManagementAuthorizer.newObjectID)
        try authorizer.authorize(caller, .create, resource, related: [applications.entity(application)], logger: context.logger)
        var fields = try await ApplicationsAPI.fields(request, limit: applications.maxBodyBytes)
        let body = try CreateEnvironmentBody.read(&fields)
        let environment = try await ApplicationsAPI.mapping {
            try await registry.createEnvironment(
                tenantId: caller.tenantId, applicationId: application.id, kind: body.kind, name: body.name,
                actor: caller.actor, enforcingPlanQuota: true)
        }
        return try JSONResponse.make(
            .created, EnvironmentDTO(environment),
            headers: [.location: "/api/applications/\(application.id)/environments/\(environment.id)"])
    }
}
