import Foundation
import Hummingbird
import Identity
import Store

extension TokenEndpoint {
    /// RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.5): the code is redeemed once, by the client it
    /// was issued to, with the same `redirect_uri` and the verifier of its challenge, while
    /// its sign-in session is still active. Returns a user access token, an ID token when
    /// `openid` was granted (OIDC Core §3.1.3.3) and a refresh token with `offline_access`.
    /// Every refusal is `invalid_grant`; a replayed code also revokes the session, and with it
    /// every token the first redemption produced.
    func authorizationCode(_ call: Call) async throws -> Response {
        guard let code = call.form["code"] else { throw OAuthError.invalidRequest("code is required") }
        guard let redirectURI = call.form["redirect_uri"] else {
            throw OAuthError.invalidRequest("redirect_uri is required: send the one of the authorization request")
        }
        let now = Date()
        let redeemed: RedeemedAuthorizationCode
        do {
            redeemed = try await services.authorizationCodes.redeem(
                code, client: call.client, redirectURI: redirectURI, codeVerifier: call.form["code_verifier"], now: now)
        } catch let error as AuthorizationCodeError {
            call.context.logger.info("authorization code refused", metadata: [
                "client_id": .string(call.client.clientId), "reason": "\(error)",
            ])
            throw OAuthError.invalidGrant(Self.describe(error))
        }
        let session = redeemed.session
        let scopes = redeemed.code.scopes
        guard let user = try services.environment.read({
            try $0.getJSON(User.self, services.identityTables.users, Key(.string(session.tenantId), .string(session.userId)))
        }), user.active else { throw OAuthError.invalidGrant("the user of this sign-in is no longer active") }
        let issued = try await services.tokenIssuer.issue(TokenGrant(
            client: call.client, tenantSlug: call.tenant.slug, scopes: scopes,
            user: try services.tokenSubject(of: session), certificateThumbprint: call.certificateThumbprint,
            binding: call.binding), now: now)
        var idToken: String?
        if scopes.contains(OAuthScopes.openid) {
            idToken = try await services.tokenIssuer.issueIDToken(
                client: call.client, tenantSlug: call.tenant.slug, session: session, user: user, scopes: scopes,
                nonce: redeemed.code.nonce, accessToken: issued.token, now: now)
        }
        var refreshToken: String?
        if scopes.contains(OAuthScopes.offlineAccess) {
            do {
                refreshToken = try await services.refreshTokens.issue(
                    client: call.client, session: session, scopes: scopes, dpopJkt: call.binding?.jkt, now: now)
            } catch is RefreshTokenError {
                throw OAuthError.invalidGrant("the sign-in behind this code has ended")
            }
        }
        call.context.logger.info("access token issued", metadata: [
            "grant_type": "authorization_code", "client_id": .string(call.client.clientId),
            "tenant_id": .string(call.client.tenantId), "jti": .string(issued.claims.jti), "session_id": .string(session.id),
        ])
        return try Self.response(issued, refreshToken: refreshToken, idToken: idToken)
    }

    static func describe(_ error: AuthorizationCodeError) -> String {
        switch error {
        case .unknown, .wrongClient: return "the authorization code is unknown or was issued to another client"
        case .expired: return "the authorization code has expired"
        case .reused: return "the authorization code was already used; the sign-in it came from has been revoked"
        case .wrongRedirectURI: return "redirect_uri differs from the one of the authorization request"
        case .verifierMissing: return "code_verifier is required: the authorization request had a code_challenge"
        case .verifierUnexpected: return "code_verifier was sent, but the authorization request had no code_challenge"
        case .verifierMalformed: return "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~"
        case .verifierMismatch: return "code_verifier does not match the code_challenge"
        case .sessionEnded: return "the sign-in behind this code has ended"
        }
    }
}
