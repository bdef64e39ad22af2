import Foundation
import Hummingbird
import Identity
import Store

/// `GET/POST /connect/userinfo` (and `/t/{slug}/connect/userinfo`): OIDC Core §5.3. The
/// caller presents a user's access token carrying `openid` in the Authorization header
/// (RFC 6750 §2.1); the answer holds `sub` and the claims the token's scopes release
/// (`profile`: name, preferred_username; `email`: email, email_verified).
struct UserInfoRoutes {
    let services: ArbiterApplication.Services

    func add(to router: Router<ArbiterRequestContext>) {
        let bearer = BearerAuthenticator(verifier: services.tokenVerifier)
        let global = router.group("/connect/userinfo").add(middleware: bearer)
        global.get { _, context in try userInfo(context, pathTenant: nil) }
        global.post { _, context in try userInfo(context, pathTenant: nil) }
        let tenant = router.group("/t/:tenant/connect/userinfo").add(middleware: bearer)
        tenant.get { _, context in try userInfo(context, pathTenant: context.parameters.get("tenant")) }
        tenant.post { _, context in try userInfo(context, pathTenant: context.parameters.get("tenant")) }
    }

    func userInfo(_ context: ArbiterRequestContext, pathTenant: String?) throws -> Response {
        guard let token = context.accessToken else {
            throw OAuthError.invalidToken("send a user's access token as Authorization: Bearer")
        }
        // A tenant's issuer answers only for its own tokens.
        if let pathTenant, pathTenant != token.tenantSlug {
            throw OAuthError.invalidToken("the access token was issued by another issuer")
        }
        guard token.scopes.contains(OAuthScopes.openid), token.claims.session_id != nil else {
            throw OAuthError(.forbidden, error: "insufficient_scope", description: "the access token lacks the openid scope",
                             challenge: .bearer)
        }
        guard let user = try services.environment.read({
            try $0.getJSON(User.self, services.identityTables.users, Key(.string(token.tenantId), .string(token.subject)))
        }), user.active else { throw OAuthError.invalidToken("the user of this access token is no longer active") }
        let released = IDTokens.userClaims(user, scopes: token.scopes)
        var body: [String: JSONValue] = ["sub": .string(user.id)]
        if let name = released.name { body["name"] = .string(name) }
        if let preferred = released.preferredUsername { body["preferred_username"] = .string(preferred) }
        if let email = released.email { body["email"] = .string(email) }
        if let verified = released.emailVerified { body["email_verified"] = .bool(verified) }
        return try JSONResponse.make(.ok, body, headers: OAuthError.noStoreHeaders)
    }
}
