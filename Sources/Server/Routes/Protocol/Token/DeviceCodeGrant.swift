import Foundation
import Hummingbird
import Identity
import Store

extension TokenEndpoint {
    /// RFC 8628 §3.4–3.5: the device polls with its device code until the user decides.
    /// While pending: `authorization_pending`, or `slow_down` (and 5 s more interval) when it
    /// polled early; `access_denied` after a denial, `expired_token` after the lifetime. An
    /// approved code pays out once: a user token for the session the approval started, an ID
    /// token with `openid`, a refresh token with `offline_access`; any later use, or another
    /// client's code, is `invalid_grant`.
    func deviceCode(_ call: Call) async throws -> Response {
        guard let deviceCode = call.form["device_code"] else { throw OAuthError.invalidRequest("device_code is required") }
        // The scopes were fixed when the device authorization started; RFC 8628 §3.4 gives the
        // poll no `scope`, so one sent anyway (some libraries repeat it) is ignored.
        let outcome = try await services.deviceAuthorizations.poll(
            deviceCode: deviceCode, clientId: call.client.clientId, tenantId: call.client.tenantId)
        switch outcome {
        case .pending:
            throw OAuthError(.badRequest, error: "authorization_pending", description: "the user has not approved the request yet")
        case .slowDown(let interval):
            throw OAuthError(.badRequest, error: "slow_down", description: "poll at most every \(interval) seconds")
        case .denied:
            throw OAuthError(.badRequest, error: "access_denied", description: "the user denied the request")
        case .expired:
            throw OAuthError(.badRequest, error: "expired_token", description: "the device code has expired; start again")
        case .invalid:
            throw OAuthError.invalidGrant("the device code is unknown, already used or not this client's")
        case .approved(let authorization):
            let now = Date()
            guard let sessionId = authorization.sessionId,
                  let session = try services.sessions.session(tenantId: authorization.tenantId, id: sessionId),
                  session.isActive(at: now)
            else { throw OAuthError.invalidGrant("the sign-in behind this device code has ended") }
            guard let user = try services.environment.read({
                try $0.getJSON(User.self, services.identityTables.users, Key(.string(session.tenantId), .string(session.userId)))
            }), user.active else { throw OAuthError.invalidGrant("the user of this sign-in is no longer active") }
            let scopes = authorization.scopes
            let issued = try await services.tokenIssuer.issue(TokenGrant(
                client: call.client, tenantSlug: call.tenant.slug, scopes: scopes,
                user: try services.tokenSubject(of: session), certificateThumbprint: call.certificateThumbprint,
                binding: call.binding), now: now)
            var idToken: String?
            if scopes.contains(OAuthScopes.openid) {
                // No nonce: the device flow has no authorization request to carry one.
                idToken = try await services.tokenIssuer.issueIDToken(
                    client: call.client, tenantSlug: call.tenant.slug, session: session, user: user, scopes: scopes,
                    nonce: nil, accessToken: issued.token, now: now)
            }
            var refreshToken: String?
            if scopes.contains(OAuthScopes.offlineAccess) {
                do {
                    refreshToken = try await services.refreshTokens.issue(
                        client: call.client, session: session, scopes: scopes, dpopJkt: call.binding?.jkt, now: now)
                } catch is RefreshTokenError {
                    throw OAuthError.invalidGrant("the sign-in behind this device code has ended")
                }
            }
            call.context.logger.info("access token issued", metadata: [
                "grant_type": "device_code", "client_id": .string(call.client.clientId),
                "tenant_id": .string(call.client.tenantId), "jti": .string(issued.claims.jti),
                "session_id": .string(session.id),
            ])
            return try Self.response(issued, refreshToken: refreshToken, idToken: idToken)
        }
    }
}
