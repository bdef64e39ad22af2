import Foundation
import Hummingbird
import Identity

/// `POST /connect/revocation` and `/t/{slug}/connect/revocation` (RFC 7009).
///
/// The client authenticates as at the token endpoint (a public client names itself with
/// `client_id`). A refresh token of that client ends its whole family; an access token of
/// that client is remembered as revoked (by `jti`) until it would have expired. Revoking
/// one access token leaves the sign-in session alone: ending a session is end-session's job.
/// The answer is 200 whatever the token was — unknown, expired, already revoked, or another
/// client's (which is left untouched, RFC 7009 §2.1) — so the endpoint tells nobody whether
/// a token exists.
extension ProtocolRoutes {
    func revocation(_ request: Request, _ context: ArbiterRequestContext, tenant: Tenant?) async throws -> Response {
        let form = try await FormBody.read(request)
        let authenticated = try services.clientAuthenticator.authenticate(
            request, form, tenantId: tenant?.id, certificate: context.clientCertificate)
        let client = authenticated.client
        guard let token = form["token"], !token.isEmpty else { throw OAuthError.invalidRequest("token is required") }
        // `token_type_hint` needs no lookup order here: refresh tokens and JWT access tokens
        // cannot be mistaken for each other, so every token is searched for where it can be.
        var revoked = "nothing"
        if RefreshTokenStore.looksLikeRefreshToken(token) {
            if try await services.refreshTokens.revoke(token, clientId: client.clientId, tenantId: client.tenantId) {
                revoked = "refresh_token"
            }
        } else if token.utf8.count <= AccessTokenVerifier.maxTokenBytes,
                  let verified = try? await services.tokenVerifier.verify(token),
                  verified.tenantId == client.tenantId, verified.clientId == client.clientId {
            try await services.accessTokenRevocations.revoke(verified.claims, tenantId: client.tenantId, actor: client.clientId)
            revoked = "access_token"
        }
        context.logger.info("token revocation", metadata: [
            "client_id": .string(client.clientId), "tenant_id": .string(client.tenantId), "revoked": .string(revoked),
        ])
        return Response(status: .ok, headers: OAuthError.noStoreHeaders)
    }
}
