import Foundation
import HTTPTypes
import Hummingbird
import Identity

/// `POST …/{connectionId}/diagnostics` (readiness findings) and `POST …/{connectionId}/scim-token`
/// (a new SCIM bearer token, shown once; the previous one stops working with the commit).
struct DiagnosticsRoutes {
    let enterprise: EnterpriseRoutes
    var authorizer: ManagementAuthorizer { enterprise.authorizer }
    var services: ArbiterApplication.Services { enterprise.services }

    func add(to group: RouterGroup<ArbiterRequestContext>) {
        group.post(":connectionId/diagnostics") { _, context in try await diagnose(context) }
        group.post(":connectionId/scim-token") { _, context in try await rotateToken(context) }
    }

    /// Reads only; the OIDC issuer's discovery document is fetched outside any transaction.
    func diagnose(_ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let connection = try enterprise.pathConnection(caller, context)
        try authorizer.authorize(caller, .read, EnterpriseRoutes.entity(tenantId: caller.tenantId, id: connection.id), logger: context.logger)
        let identity = services.identityTables
        let facts = try services.environment.read { txn in try txn.diagnosticFacts(connection, identity: identity) }
        var metadata: ConnectionDiagnostics.MetadataOutcome?
        if connection.type == .oidc, let issuer = connection.oidc?.issuer, !issuer.isEmpty {
            metadata = await enterprise.fetcher.fetch(issuer: issuer)
        }
        let now = Date()
        let findings = ConnectionDiagnostics.run(connection, facts: facts, metadata: metadata, now: now)
        return try JSONResponse.make(.ok, DiagnosticsDTO(connectionId: connection.id, checkedAt: now, findings: findings))
    }

    func rotateToken(_ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let connection = try enterprise.pathConnection(caller, context)
        try authorizer.authorize(caller, .update, EnterpriseRoutes.entity(tenantId: caller.tenantId, id: connection.id), logger: context.logger)
        let now = Date()
        let tokens = services.scimTokens
        let token = try await EnterpriseRoutes.mapping {
            try await tokens.rotate(tenantId: caller.tenantId, connectionId: connection.id, actor: caller.actor, now: now)
        }
        return try JSONResponse.make(
            .ok,
            SCIMTokenDTO(
                connectionId: connection.id, token: token, scimBaseUrl: enterprise.dto(connection).scim.baseUrl, createdAt: now),
            headers: [.cacheControl: "no-store"])
    }
}
