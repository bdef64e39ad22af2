import Hummingbird
import Identity

extension TokenEndpoint {
    /// RFC 6749 §6: trades a refresh token for a new access token and the family's next
    /// refresh token (rotation on every use). `scope` may only narrow the original grant.
    /// The user's current `perm_ver`/`ent_ver` go into the new token. No ID token: OIDC
    /// Core §12.2 leaves it optional on refresh, and the user did not sign in again.
    /// A public client's family begun with a DPoP proof needs a proof of the same key on
    /// every refresh (RFC 9449 §5); the new access token is bound to it as well.
    func refreshToken(_ call: Call) async throws -> Response {
        guard let token = call.form["refresh_token"], !token.isEmpty else {
            throw OAuthError.invalidRequest("refresh_token is required")
        }
        // Check a narrowing `scope` before redeeming, so a bad one does not use the token up.
        if call.form["scope"] != nil,
           let current = try services.refreshTokens.describe(token, tenantId: call.client.tenantId),
           current.clientId == call.client.clientId {
            _ = try Self.grantedScopes(requested: call.form["scope"], client: call.client, allowed: current.scopes)
        }
        let redemption: RefreshRedemption
        do {
            redemption = try await services.refreshTokens.redeem(token, client: call.client, dpopJkt: call.binding?.jkt)
        } catch let error as RefreshTokenError {
            call.context.logger.info("refresh token refused", metadata: [
                "reason": "\(error)", "client_id": .string(call.client.clientId), "tenant_id": .string(call.client.tenantId),
            ])
            if error == .reused {
                throw OAuthError.invalidGrant("the refresh token was already used; its grant and sign-in session are revoked")
            }
            if error == .wrongKey {
                throw OAuthError.invalidGrant("the refresh token is bound to a DPoP key (RFC 9449 §5): send a DPoP proof made with that key")
            }
            throw OAuthError.invalidGrant("the refresh token is invalid, expired or revoked")
        }
        let scopes = try Self.grantedScopes(requested: call.form["scope"], client: call.client, allowed: redemption.scopes)
        let issued = try await services.tokenIssuer.issue(TokenGrant(
            client: call.client, tenantSlug: call.tenant.slug, scopes: scopes,
            user: try services.tokenSubject(of: redemption.session), certificateThumbprint: call.certificateThumbprint,
            binding: call.binding))
        call.context.logger.info("access token issued", metadata: [
            "grant_type": "refresh_token", "client_id": .string(call.client.clientId),
            "tenant_id": .string(call.client.tenantId), "jti": .string(issued.claims.jti),
            "refresh_family": .string(redemption.familyId),
        ])
        return try Self.response(issued, refreshToken: redemption.newToken)
    }
}
