import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Store

/// `GET/POST /connect/endsession` (and `/t/{slug}/connect/endsession`): OpenID Connect
/// RP-Initiated Logout 1.0. Signs the browser out — revokes the session of its cookie and
/// the one named by the `id_token_hint`'s `sid`, which stops every token of those sessions
/// at the bearer check — and clears the cookie. It then returns to the client only when
/// `post_logout_redirect_uri` is registered for the client the hint (or `client_id`) names,
/// echoing `state`; otherwise it shows a signed-out page. Without a valid hint it first asks
/// the user to confirm (a CSRF-protected form), so a link on another site cannot sign
/// anyone out. Errors are pages too: this is a browser endpoint.
struct EndSessionRoutes {
    let services: ArbiterApplication.Services
    let pages = WebPages()
    let hints: IDTokenHintVerifier

    static let maxRedirectURIBytes = 2048
    static let maxStateBytes = 1024

    init(services: ArbiterApplication.Services) {
        self.services = services
        hints = IDTokenHintVerifier(
            keys: services.signingKeys, identity: services.identityTables, naming: services.tokenIssuer.naming)
    }

    var secureCookies: Bool { services.tokenIssuer.naming.baseURL.hasPrefix("https://") }

    func add(to router: Router<ArbiterRequestContext>) {
        router.get("/connect/endsession") { request, context in
            await guarded(context) { try await endSession(try query(request), request, context, pathSlug: nil, posted: false) }
        }
        router.post("/connect/endsession") { request, context in
            await guarded(context) { try await endSession(try await body(request), request, context, pathSlug: nil, posted: true) }
        }
        router.get("/t/:tenant/connect/endsession") { request, context in
            await guarded(context) {
                try await endSession(try query(request), request, context, pathSlug: context.parameters.get("tenant"), posted: false)
            }
        }
        router.post("/t/:tenant/connect/endsession") { request, context in
            await guarded(context) {
                try await endSession(
                    try await body(request), request, context, pathSlug: context.parameters.get("tenant"), posted: true)
            }
        }
    }

    func guarded(_ context: ArbiterRequestContext, _ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let page as AuthorizationRequest.PageError {
            return pages.message(title: page.title, text: page.text, status: page.status)
        } catch let oauth as OAuthError {
            return pages.message(title: "Cannot sign out", text: oauth.description ?? oauth.error, status: oauth.status)
        } catch {
            context.logger.error("end-session endpoint failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return pages.message(
                title: "Something went wrong", text: "The server failed; try again in a moment.", status: .internalServerError)
        }
    }

    func query(_ request: Request) throws -> FormBody {
        let query = request.uri.query ?? ""
        guard query.utf8.count <= AuthorizationRequest.maxQueryBytes else {
            throw AuthorizationRequest.PageError(status: .uriTooLong, title: "Cannot sign out", text: "The request is too long.")
        }
        return try FormBody.parse(query)
    }

    func body(_ request: Request) async throws -> FormBody {
        try await FormBody.read(request)
    }

    func endSession(
        _ parameters: FormBody, _ request: Request, _ context: ArbiterRequestContext, pathSlug: String?, posted: Bool
    ) async throws -> Response {
        let now = Date()
        var pathTenant: Tenant?
        if let pathSlug {
            guard pathSlug.utf8.count <= 63,
                  let found = try services.environment.read({ try services.identityTables.tenant(slug: pathSlug, in: $0) })
            else { throw AuthorizationRequest.PageError(status: .notFound, title: "Not found", text: "There is no such tenant.") }
            pathTenant = found
        }
        // The hint counts only when it is ours, of this issuer when a path names one.
        var hint: IDTokenHintVerifier.Verified?
        if let token = parameters["id_token_hint"], let verified = await hints.verify(token, now: now),
           pathTenant == nil || pathTenant?.id == verified.tenant.id {
            hint = verified
        }
        let cookie = BrowserSession.cookie(in: request)
        let cookieRecord = try cookie.flatMap { try services.browserSessions.record(cookie: $0) }
        if hint == nil, let cookieRecord {
            let confirmed = posted && parameters["confirm"] == "yes"
                && CSRFProtection.verify(request: request, submitted: parameters[CSRFProtection.fieldName])
            if !confirmed {
                return try confirmationPage(parameters, request, tenantId: cookieRecord.tenantId, pathSlug: pathSlug)
            }
        }

        var revoke: [(tenantId: String, sessionId: String)] = []
        if let cookieRecord { revoke.append((cookieRecord.tenantId, cookieRecord.sessionId)) }
        if let hint, let sid = hint.claims.sid, !revoke.contains(where: { $0.tenantId == hint.tenant.id && $0.sessionId == sid }) {
            revoke.append((hint.tenant.id, sid))
        }
        let identity = services.identityTables
        let browserSessions = services.browserSessions
        let sessionsToRevoke = revoke
        if !revoke.isEmpty || cookieRecord != nil {
            try await services.environment.write { txn in
                for (tenantId, sessionId) in sessionsToRevoke {
                    try txn.revokeSession(
                        tenantId: tenantId, id: sessionId, reason: "signed out (end-session)", actor: "end-session", now: now,
                        tables: identity)
                }
                if let cookie { try browserSessions.delete(cookie: cookie, in: txn) }
            }
        }
        context.logger.info("end-session", metadata: [
            "sessions_revoked": .stringConvertible(revoke.count), "hint": .string(hint == nil ? "none or invalid" : "valid"),
        ])
        var headers: HTTPFields = [:]
        headers.append(BrowserSession.clearCookie(secure: secureCookies))
        if let location = try returnLocation(parameters, hint: hint, pathTenant: pathTenant) {
            headers[.location] = location
            headers[.cacheControl] = "no-store"
            return Response(status: .found, headers: headers)
        }
        return pages.message(title: "Signed out", text: "You are signed out. You can close this window.", headers: headers)
    }

    /// Asks the signed-in user to confirm, posting back to this endpoint with the same parameters.
    func confirmationPage(_ parameters: FormBody, _ request: Request, tenantId: String, pathSlug: String?) throws -> Response {
        let tenant = try services.environment.read {
            try $0.getJSON(Tenant.self, services.identityTables.tenants, Key(.string(tenantId)))
        }
        let (token, setCookie) = CSRFProtection.token(for: request, secure: secureCookies)
        let carried = ["post_logout_redirect_uri", "state", "client_id", "ui_locales"].compactMap { name in
            parameters[name].map { ["name": name, "value": $0] }
        }
        let object: [String: Any] = [
            "tenantName": tenant?.name ?? "Arbiter",
            "action": pathSlug.map { "/t/\($0)/connect/endsession" } ?? "/connect/endsession",
            "csrfToken": token,
            "fields": carried,
        ]
        return pages.render(SignOutConfirmTemplate.name, object, headers: setCookie)
    }

    /// Where to send the browser: the `post_logout_redirect_uri` when it is registered
    /// (exactly) for the client named by the hint's audience or `client_id` (they must agree),
    /// with `state`; nil for the signed-out page.
    func returnLocation(_ parameters: FormBody, hint: IDTokenHintVerifier.Verified?, pathTenant: Tenant?) throws -> String? {
        guard let uri = parameters["post_logout_redirect_uri"], uri.utf8.count <= Self.maxRedirectURIBytes else { return nil }
        let clientId: String
        switch (parameters["client_id"], hint?.claims.aud) {
        case let (named?, audience?):
            guard named == audience else { return nil }
            clientId = named
        case let (named?, nil): clientId = named
        case let (nil, audience?): clientId = audience
        case (nil, nil): return nil
        }
        guard let client = try services.clients.client(id: clientId), client.purpose == .interactiveWeb,
              hint == nil || hint?.tenant.id == client.tenantId,
              pathTenant == nil || pathTenant?.id == client.tenantId,
              (client.postLogoutRedirectURIs ?? []).contains(uri)
        else { return nil }
        var query: [(String, String)] = []
        if let state = parameters["state"], state.utf8.count <= Self.maxStateBytes { query.append(("state", state)) }
        return query.isEmpty ? uri : AuthorizationRedirect.appendQuery(query, to: uri)
    }
}
