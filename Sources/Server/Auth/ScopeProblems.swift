import HTTPTypes
import Identity

/// The 401 and 403 of a route that needs a bearer token with one scope, as RFC 9457 bodies
/// with RFC 6750 §3 challenges. One place, so every route family words and challenges
/// them alike.
enum ScopeProblems {
    /// No token: `detail` says which token to send.
    static func authenticationRequired(_ detail: String) -> ProblemError {
        ProblemError(
            .unauthorized, type: "authentication-required", title: "Authentication required", detail: detail,
            headers: [.wwwAuthenticate: #"Bearer realm="arbiter""#])
    }

    /// A token without `scope` (RFC 6750 §3.1 `insufficient_scope`, naming the scope).
    static func insufficientScope(_ scope: String, detail: String) -> ProblemError {
        ProblemError(
            .forbidden, type: "insufficient-scope", title: "The access token lacks a required scope", detail: detail,
            headers: [.wwwAuthenticate: "Bearer realm=\"arbiter\", error=\"insufficient_scope\", scope=\"\(scope)\""])
    }

    /// The request's verified token when it carries `scope`; otherwise the 401 or 403.
    /// `routes` names what needs it, as in "device agent routes need a token with …".
    static func token(_ context: ArbiterRequestContext, scope: String, routes: String) throws -> VerifiedAccessToken {
        guard let token = context.accessToken else {
            throw authenticationRequired("send an access token with the \(scope) scope: Authorization: Bearer <token>")
        }
        guard token.scopes.contains(scope) else {
            throw insufficientScope(scope, detail: "\(routes) a token with the \(scope) scope")
        }
        return token
    }
}
