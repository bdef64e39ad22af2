import Hummingbird
import Identity

extension TokenEndpoint {
    /// RFC 6749 §4.4: the client is the subject of the token.
    func clientCredentials(_ call: Call) async throws -> Response {
        let scopes = try Self.grantedScopes(requested: call.form["scope"], client: call.client)
        let issued = try await services.tokenIssuer.issue(TokenGrant(
            client: call.client, tenantSlug: call.tenant.slug, scopes: scopes, user: nil,
            certificateThumbprint: call.certificateThumbprint, binding: call.binding))
        call.context.logger.info("access token issued", metadata: [
            "grant_type": "client_credentials", "client_id": .string(call.client.clientId),
            "tenant_id": .string(call.client.tenantId), "jti": .string(issued.claims.jti),
        ])
        return try Self.response(issued)
    }
}
