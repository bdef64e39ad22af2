import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Logging
import Store

/// `GET/POST /connect/authorize` and `/t/{slug}/connect/authorize`: the authorization
/// endpoint of the code flow (RFC 6749 §4.1, OIDC Core §3.1.2, PKCE per RFC 7636) with a
/// server-rendered sign-in form. First-party and consent-free: a user who signs in is sent
/// straight back to the client with a code.
///
/// The endpoint answers a browser, so its errors are pages, or redirects to the client once
/// its redirect URI is known to be registered — never the JSON errors of the other
/// `/connect/*` routes.
struct AuthorizeRoutes {
    let services: ArbiterApplication.Services
    let pages = WebPages()

    var secureCookies: Bool { services.tokenIssuer.naming.baseURL.hasPrefix("https://") }

    /// The form field that carries the reference to the pending authorization request.
    static let requestField = "authorization_request"
    static let failedSignIn = "The tenant, user name or password is not right."

    func add(to router: Router<ArbiterRequestContext>) {
        router.get("/connect/authorize") { request, context in
            await guarded(context) { try await authorize(query(request), request, context, pathTenant: nil) }
        }
        router.post("/connect/authorize") { request, context in
            await guarded(context) { try await post(request, context, pathTenant: nil) }
        }
        router.get("/t/:tenant/connect/authorize") { request, context in
            await guarded(context) {
                try await authorize(query(request), request, context, pathTenant: try pathTenant(context))
            }
        }
        router.post("/t/:tenant/connect/authorize") { request, context in
            await guarded(context) { try await post(request, context, pathTenant: try pathTenant(context)) }
        }
    }

    // MARK: Requests

    /// Runs `body`, turning every error into a page (or the redirect it stands for).
    func guarded(_ context: ArbiterRequestContext, _ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let page as AuthorizationRequest.PageError {
            return pages.message(title: page.title, text: page.text, status: page.status)
        } catch let redirect as AuthorizationRedirect {
            return Self.redirect(redirect)
        } catch let oauth as OAuthError {
            return pages.message(title: "Cannot sign in", text: oauth.description ?? oauth.error, status: oauth.status)
        } catch {
            context.logger.error("authorization endpoint failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return pages.message(
                title: "Something went wrong", text: "The server failed; try again in a moment.", status: .internalServerError)
        }
    }

    func pathTenant(_ context: ArbiterRequestContext) throws -> Tenant {
        let slug = context.parameters.get("tenant") ?? ""
        guard slug.utf8.count <= 63,
              let tenant = try services.environment.read({ try services.identityTables.tenant(slug: slug, in: $0) })
        else { throw AuthorizationRequest.PageError(status: .notFound, title: "Not found", text: "There is no such tenant.") }
        return tenant
    }

    func query(_ request: Request) throws -> FormBody {
        let query = request.uri.query ?? ""
        guard query.utf8.count <= AuthorizationRequest.maxQueryBytes else {
            throw AuthorizationRequest.PageError(
                status: .uriTooLong, title: "Cannot sign in", text: "The authorization request is too long.")
        }
        return try malformedIsPage { try FormBody.parse(query) }
    }

    /// A malformed request (bad encoding, a repeated parameter) cannot be trusted to name a
    /// redirect URI, so it gets a page.
    func malformedIsPage(_ body: () throws -> FormBody) throws -> FormBody {
        do {
            return try body()
        } catch let error as OAuthError {
            throw AuthorizationRequest.PageError(
                status: error.status, title: "Cannot sign in",
                text: "The authorization request is malformed: \(error.description ?? error.error).")
        }
    }

    /// A POST is either an authorization request sent as a form (OIDC Core §3.1.2.1 allows
    /// both methods) or the sign-in form, which carries the pending request's reference.
    func post(_ request: Request, _ context: ArbiterRequestContext, pathTenant: Tenant?) async throws -> Response {
        let form: FormBody
        do {
            form = try await FormBody.read(request)
        } catch let error as OAuthError {
            throw AuthorizationRequest.PageError(
                status: error.status, title: "Cannot sign in", text: error.description ?? "The form could not be read.")
        }
        if form.values[Self.requestField] != nil {
            return try await signIn(form, request, context, pathTenant: pathTenant)
        }
        return try await authorize(form, request, context, pathTenant: pathTenant)
    }

    // MARK: Authorization request

    func authorize(_ parameters: FormBody, _ request: Request, _ context: ArbiterRequestContext, pathTenant: Tenant?) async throws -> Response {
        let authorization: AuthorizationRequest
        switch try AuthorizationRequest.parse(parameters, pathTenant: pathTenant, services: services) {
        case .failure(let redirect): return Self.redirect(redirect)
        case .success(let parsed): authorization = parsed
        }
        let now = Date()
        if !authorization.prompt.contains("login"), let cookie = BrowserSession.cookie(in: request),
           let session = try services.browserSessions.session(cookie: cookie, now: now),
           session.tenantId == authorization.client.tenantId,
           authorization.maxAge.map({ now.timeIntervalSince(session.authTime) <= Double($0) }) ?? true {
            let code = try await services.authorizationCodes.issue(
                client: authorization.client, redirectURI: authorization.redirectURI,
                codeChallenge: authorization.codeChallenge, nonce: authorization.nonce, scopes: authorization.scopes,
                sessionId: session.id, now: now)
            log(context, "authorization code issued for an existing session", authorization.client, sessionId: session.id)
            return Self.redirect(authorization.success(code: code))
        }
        if authorization.prompt.contains("none") {
            return Self.redirect(authorization.failure("login_required", "the user is not signed in"))
        }
        let pending = PendingAuthorization(
            tenantId: authorization.client.tenantId, clientId: authorization.client.clientId,
            redirectURI: authorization.redirectURI, scopes: authorization.scopes, state: authorization.state,
            nonce: authorization.nonce, codeChallenge: authorization.codeChallenge, createdAt: now,
            expiresAt: now.addingTimeInterval(AuthorizationRequestStore.lifetime))
        let reference = try await services.authorizationRequests.save(pending)
        return signInPage(
            request, reference: reference, tenantSlug: authorization.tenant.slug, userName: authorization.loginHint,
            clientName: authorization.client.name, error: nil, status: .ok)
    }

    // MARK: Sign-in form

    func signIn(_ form: FormBody, _ request: Request, _ context: ArbiterRequestContext, pathTenant: Tenant?) async throws -> Response {
        guard CSRFProtection.verify(request: request, submitted: form[CSRFProtection.fieldName]) else {
            throw AuthorizationRequest.PageError(
                status: .forbidden, title: "Cannot sign in",
                text: "The form was not sent from this site or has expired. Go back to the application and sign in again.")
        }
        let now = Date()
        let expired = AuthorizationRequest.PageError(
            status: .badRequest, title: "Sign-in expired",
            text: "This sign-in form has expired or was already used. Go back to the application and sign in again.")
        guard let reference = form[Self.requestField], let pending = try services.authorizationRequests.find(reference, now: now),
              pathTenant == nil || pathTenant?.id == pending.tenantId
        else { throw expired }
        // The client may have changed since the form was shown.
        guard let client = try services.clients.client(id: pending.clientId), client.status == .active,
              client.tenantId == pending.tenantId, client.purpose == .interactiveWeb,
              (client.redirectURIs ?? []).contains(pending.redirectURI),
              let tenant = try services.environment.read({
                  try $0.getJSON(Tenant.self, services.identityTables.tenants, Key(.string(pending.tenantId)))
              })
        else {
            throw AuthorizationRequest.PageError(
                status: .badRequest, title: "Cannot sign in", text: "This application is no longer available.")
        }
        let tenantSlug = form["tenant"] ?? ""
        let userName = form["username"] ?? ""
        let password = form.values["password"] ?? ""
        // A user of another tenant is refused like a wrong password: the page says nothing
        // about which part was wrong.
        guard let signedIn = try await services.passwordSignIn.authenticate(
            tenantSlug: tenantSlug, userName: userName, password: password),
            signedIn.tenant.id == client.tenantId
        else {
            context.logger.info("sign-in refused", metadata: [
                "client_id": .string(client.clientId), "tenant_id": .string(client.tenantId),
            ])
            return signInPage(
                request, reference: reference, tenantSlug: tenantSlug.isEmpty ? tenant.slug : tenantSlug,
                userName: userName, clientName: client.name, error: Self.failedSignIn, status: .unauthorized)
        }
        let session = try await services.sessions.start(signedIn, now: now)
        let (cookie, browserRecord) = services.browserSessions.make(for: session, now: now)
        let (code, codeRecord) = services.authorizationCodes.make(
            client: client, redirectURI: pending.redirectURI, codeChallenge: pending.codeChallenge, nonce: pending.nonce,
            scopes: pending.scopes, sessionId: session.id, now: now)
        let requests = services.authorizationRequests
        let browserSessions = services.browserSessions
        let codes = services.authorizationCodes
        let previousCookie = BrowserSession.cookie(in: request)
        // One transaction: the form is used up, the browser is linked to the new session and
        // the code exists, or none of it. A form posted twice at once yields one code.
        let used = try await services.environment.write { txn -> Bool in
            guard try requests.delete(reference, in: txn) else { return false }
            if let previousCookie { try browserSessions.delete(cookie: previousCookie, in: txn) }
            try browserSessions.insert(cookie, browserRecord, in: txn)
            try codes.insert(code, codeRecord, in: txn)
            return true
        }
        guard used else { throw expired }
        log(context, "authorization code issued after sign-in", client, sessionId: session.id)
        let redirect = AuthorizationRedirect(
            redirectURI: pending.redirectURI, parameters: [("code", code)], state: pending.state,
            issuer: services.tokenIssuer.naming.issuer(slug: tenant.slug))
        var response = Self.redirect(redirect)
        response.headers.append(BrowserSession.setCookie(cookie, secure: secureCookies))
        return response
    }

    static func redirect(_ redirect: AuthorizationRedirect) -> Response {
        Response(status: .found, headers: redirect.response)
    }

    func signInPage(
        _ request: Request, reference: String, tenantSlug: String, userName: String?, clientName: String, error: String?,
        status: HTTPResponse.Status
    ) -> Response {
        let (csrfToken, setCookie) = CSRFProtection.token(for: request, secure: secureCookies)
        var values: [String: Any] = [
            "action": request.uri.path,
            "csrfToken": csrfToken,
            "requestReference": reference,
            "tenant": tenantSlug,
            "clientName": clientName,
            "hasUserName": !(userName ?? "").isEmpty,
            "userName": userName ?? "",
        ]
        if let error { values["error"] = error }
        return pages.render(SignInPageTemplate.name, values, status: status, headers: setCookie)
    }

    func log(_ context: ArbiterRequestContext, _ message: Logger.Message, _ client: OAuthClient, sessionId: String) {
        context.logger.info(message, metadata: [
            "client_id": .string(client.clientId), "tenant_id": .string(client.tenantId), "session_id": .string(sessionId),
        ])
    }
}
