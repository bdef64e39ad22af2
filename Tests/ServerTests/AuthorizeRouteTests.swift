import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Identity
import NIOCore
import Store
import Testing
@testable import Server

/// A TestApp with tenant `acme`, an interactive_web client written straight into the
/// tables (the management API makes them elsewhere), and a second tenant `other`.
struct CodeFlowApp {
    let oauth: OAuthApp
    let client: OAuthClient
    let otherTenantId: String
    var app: TestApp { oauth.app }
    var services: ArbiterApplication.Services { oauth.app.services }

    static let password = "ChangeThisPassword123!"
    static let redirect = "https://app.acme.example/callback"
    static let postLogout = "https://app.acme.example/signed-out"
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    static let issuer = "http://127.0.0.1:0/t/acme"
    static let allScopes = ["openid", "profile", "email", "offline_access", "tenant_context"]

    init(scopes: [String] = CodeFlowApp.allScopes) async throws {
        oauth = try await OAuthApp()
        otherTenantId = try await oauth.app.services.registrar.register(TenantRegistration(
            tenantName: "Other", tenantSlug: "other", userName: "admin", email: "admin@other.example",
            password: Self.password, planCode: "developer")).tenantId
        let tenantId = oauth.tenantId
        let services = oauth.app.services
        client = try await Self.makeClient(services, tenantId: tenantId, scopes: scopes)
    }

    /// Writes an interactive_web client directly; a confidential one gets `secret`.
    static func makeClient(
        _ services: ArbiterApplication.Services, tenantId: String, scopes: [String] = CodeFlowApp.allScopes,
        secret: String? = nil, status: OAuthClient.Status = .active, purpose: ClientPurpose = .interactiveWeb
    ) async throws -> OAuthClient {
        let client = OAuthClient(
            clientId: RandomID.make(prefix: "cli"), tenantId: tenantId, applicationId: "app_test", name: "Acme Portal",
            purpose: purpose, status: status, scopes: scopes,
            secrets: secret.map { [ClientSecretRecord(id: "sec_1", sha256: ClientSecrets.hash($0), createdAt: Date())] } ?? [],
            createdAt: Date(), isPublic: secret == nil, redirectURIs: [redirect, redirect + "?tab=1"],
            postLogoutRedirectURIs: [postLogout])
        let tables = services.oauthTables
        try await services.environment.write { txn in
            try txn.putJSON(tables.clients, Key(.string(tenantId), .string(client.clientId)), client)
            try txn.put(tables.clientTenants, Key(.string(client.clientId)), Array(tenantId.utf8))
        }
        return client
    }

    /// The usual authorization request parameters, with `changes` applied (nil removes).
    func parameters(_ changes: [String: String?] = [:], client: OAuthClient? = nil) -> [String: String] {
        var parameters = [
            "response_type": "code", "client_id": (client ?? self.client).clientId, "redirect_uri": Self.redirect,
            "scope": "openid profile email offline_access tenant_context", "state": "st-123", "nonce": "nonce-456",
            "code_challenge": Self.challenge, "code_challenge_method": "S256",
        ]
        for (key, value) in changes { parameters[key] = value }
        return parameters
    }

    /// Signs in through the form and returns the code (and leaves the browser signed in).
    func signIn(
        _ browser: inout Browser, _ client: any TestClientProtocol, _ changes: [String: String?] = [:],
        path: String = "/t/acme/connect/authorize", for flowClient: OAuthClient? = nil
    ) async throws -> String {
        let page = try await browser.get(client, path, parameters(changes, client: flowClient))
        #expect(page.status == .ok)
        let response = try await browser.submitSignIn(client, page, path: path)
        #expect(response.status == .found)
        return try #require(Browser.query(of: response)["code"])
    }

    /// The session the browser's cookie stands for.
    func session(of browser: Browser) throws -> SignInSession {
        let cookie = try #require(browser.cookies["arbiter_session"])
        return try #require(try services.browserSessions.session(cookie: cookie))
    }

    /// Redeems `code` at the token endpoint as the public client.
    func redeem(_ client: any TestClientProtocol, code: String, changes: [String: String?] = [:]) async throws -> TestResponse {
        var fields = [
            "grant_type": "authorization_code", "code": code, "redirect_uri": Self.redirect, "client_id": self.client.clientId,
            "code_verifier": Self.verifier,
        ]
        for (key, value) in changes { fields[key] = value }
        return try await client.execute(uri: "/t/acme/connect/token", method: .post, headers: formHeaders, body: form(fields))
    }
}

/// Just enough of a browser: keeps cookies, reads the sign-in form's hidden fields.
struct Browser {
    var cookies: [String: String] = [:]

    var cookieHeader: HTTPFields {
        cookies.isEmpty ? [:] : [.cookie: cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")]
    }

    mutating func remember(_ response: TestResponse) {
        for header in response.headers[values: .setCookie] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || header.contains("Max-Age=0") { cookies[String(pair[0])] = nil } else { cookies[String(pair[0])] = value }
        }
    }

    mutating func get(_ client: any TestClientProtocol, _ path: String, _ parameters: [String: String] = [:]) async throws -> TestResponse {
        let query = String(buffer: form(parameters))
        let response = try await client.execute(uri: query.isEmpty ? path : path + "?" + query, method: .get, headers: cookieHeader)
        remember(response)
        return response
    }

    mutating func post(_ client: any TestClientProtocol, _ path: String, _ fields: [String: String]) async throws -> TestResponse {
        var headers = cookieHeader
        headers[.contentType] = "application/x-www-form-urlencoded"
        let response = try await client.execute(uri: path, method: .post, headers: headers, body: form(fields))
        remember(response)
        return response
    }

    /// Posts the sign-in form of `page` with the hidden fields it carries.
    mutating func submitSignIn(
        _ client: any TestClientProtocol, _ page: TestResponse, path: String, tenant: String = "acme", userName: String = "admin",
        password: String = CodeFlowApp.password
    ) async throws -> TestResponse {
        var fields = Self.hiddenFields(page)
        fields["tenant"] = tenant
        fields["username"] = userName
        fields["password"] = password
        return try await post(client, path, fields)
    }

    static func html(_ response: TestResponse) -> String { String(buffer: response.body) }

    static func hiddenFields(_ response: TestResponse) -> [String: String] {
        let html = html(response)
        var fields: [String: String] = [:]
        let pattern = try! NSRegularExpression(pattern: #"<input type="hidden" name="([^"]+)" value="([^"]*)">"#)
        for match in pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            fields[String(html[Range(match.range(at: 1), in: html)!])] = String(html[Range(match.range(at: 2), in: html)!])
        }
        return fields
    }

    /// The query parameters of a redirect's Location.
    static func query(of response: TestResponse) -> [String: String] {
        guard let location = response.headers[.location], let components = URLComponents(string: location) else { return [:] }
        var result: [String: String] = [:]
        for item in components.queryItems ?? [] { result[item.name] = item.value ?? "" }
        return result
    }
}

@Suite struct AuthorizeRouteTests {
    @Test func signInPageThenRedirectWithCodeStateAndIssuer() async throws {
        let flow = try await CodeFlowApp()
        try await flow.app.test { client in
            var browser = Browser()
            let page = try await browser.get(client, "/t/acme/connect/authorize", flow.parameters())
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.cacheControl] == "no-store")
            #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            let html = Browser.html(page)
            #expect(html.contains(#"name="tenant" value="acme""#))
            #expect(html.contains("Acme Portal"))
            // Nothing of the request rides in the page but an opaque reference.
            #expect(!html.contains("st-123") && !html.contains("nonce-456") && !html.contains(CodeFlowApp.challenge))
            let hidden = Browser.hiddenFields(page)
            #expect(hidden.keys.sorted() == ["authorization_request", "csrf_token"])
            #expect(browser.cookies["arbiter_csrf"] == hidden["csrf_token"])
            let setCSRF = try #require(page.headers[values: .setCookie].first { $0.hasPrefix("arbiter_csrf=") })
            #expect(setCSRF.contains("HttpOnly") && setCSRF.contains("SameSite=Strict"))

            let response = try await browser.submitSignIn(client, page, path: "/t/acme/connect/authorize")
            #expect(response.status == .found)
            let location = try #require(response.headers[.location])
            #expect(location.hasPrefix(CodeFlowApp.redirect + "?code="))
            let query = Browser.query(of: response)
            #expect(query["state"] == "st-123")
            #expect(query["iss"] == CodeFlowApp.issuer)
            #expect(query["code"]?.count == 43)
            let session = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("arbiter_session=") })
            #expect(session.contains("HttpOnly") && session.contains("SameSite=Lax") && session.contains("Path=/"))
            let cookie = try #require(browser.cookies["arbiter_session"])
            // The cookie is its own secret, not the session id that tokens carry.
            let signedIn = try #require(try flow.services.browserSessions.session(cookie: cookie))
            #expect(!cookie.hasPrefix("ses_") && signedIn.id.hasPrefix("ses_"))
        }
    }

    @Test func aSignedInBrowserSkipsTheFormUnlessPromptLogin() async throws {
        let flow = try await CodeFlowApp()
        try await flow.app.test { client in
            var browser = Browser()
            _ = try await flow.signIn(&browser, client)
            let again = try await browser.get(client, "/t/acme/connect/authorize", flow.parameters(["state": "second"]))
            #expect(again.status == .found)
            #expect(Browser.query(of: again)["code"] != nil && Browser.query(of: again)["state"] == "second")
            let none = try await browser.get(client, "/connect/authorize", flow.parameters(["prompt": "none"]))
            #expect(none.status == .found && Browser.query(of: none)["code"] != nil)
            // A registered redirect URI with its own query keeps it.
            let withQuery = try await browser.get(
                client, "/t/acme/connect/authorize", flow.parameters(["redirect_uri": CodeFlowApp.redirect + "?tab=1"]))
            #expect(withQuery.headers[.location]?.hasPrefix(CodeFlowApp.redirect + "?tab=1&code=") == true)
            let login = try await browser.get(client, "/t/acme/connect/authorize", flow.parameters(["prompt": "login"]))
            #expect(login.status == .ok && Browser.hiddenFields(login)["authorization_request"] != nil)
            let recent = try await browser.get(client, "/t/acme/connect/authorize", flow.parameters(["max_age": "3600"]))
            #expect(recent.status == .found)

            // Another tenant's client does not ride on this tenant's session.
            let otherClient = try await CodeFlowApp.makeClient(flow.services, tenantId: flow.otherTenantId)
            let other = try await browser.get(client, "/t/other/connect/authorize", flow.parameters(client: otherClient))
            #expect(other.status == .ok && Browser.hiddenFields(other)["authorization_request"] != nil)
        }
    }

    @Test func loginHintPrefillsTheUserNameEscaped() async throws {
        let flow = try await CodeFlowApp()
        try await flow.app.test { client in
            var browser = Browser()
            let page = try await browser.get(
                client, "/t/acme/connect/authorize", flow.parameters(["login_hint": #"admin"><script>"#]))
            let html = Browser.html(page)
            #expect(html.contains(#"name="username" value="admin&quot;&gt;&lt;script&gt;""#))
            #expect(!html.contains("<script>"))
        }
    }

    @Test func promptNoneWithoutASessionIsLoginRequired() async throws {
        let flow = try await CodeFlowApp()
        try await flow.app.test { client in
            var browser = Browser()
            let response = try await browser.get(client, "/t/acme/connect/authorize", flow.parameters(["prompt": "none"]))
            #expect(response.status == .found)
            let query = Browser.query(of: response)
            #expect(query["error"] == "login_required" && query["state"] == "st-123" && query["iss"] == CodeFlowApp.issuer)
            #expect(query["code"] == nil)
        }
    }

    @Test func theGlobalEndpointAnswersForTheClientsTenant() async throws {
        let flow = try await CodeFlowApp()
        try await flow.app.test { client in
            var browser = Browser()
            let page = try await browser.get(client, "/connect/authorize", flow.parameters())
            #expect(Browser.html(page).contains(#"action="/connect/authorize""#))
            let response = try await browser.submitSignIn(client, page, path: "/connect/authorize")
            #expect(response.status == .found)
            #expect(Browser.query(of: response)["iss"] == CodeFlowApp.issuer)
            // The authorization request may come as a POSTed form too (OIDC Core §3.1.2.1).
            var fresh = Browser()
            let posted = try await fresh.post(client, "/t/acme/connect/authorize", flow.parameters())
            #expect(posted.status == .ok && Browser.hiddenFields(posted)["authorization_request"] != nil)
        }
    }

    @Test func badClientsAndRedirectURIsGetAPageAndNeverARedirect() async throws {
        let flow = try await CodeFlowApp()
        let automation = try await flow.oauth.client()
        let disabled = try await CodeFlowApp.makeClient(flow.services, tenantId: flow.oauth.tenantId, status: .disabled)
        let otherTenants = try await CodeFlowApp.makeClient(flow.services, tenantId: flow.otherTenantId)
        try await flow.app.test { client in
            var browser = Browser()
            let cases: [(String, [String: String?], String, HTTPResponse.Status)] = [
                ("no client_id", ["client_id": nil], "/t/acme/connect/authorize", .badRequest),
                ("unknown client", ["client_id": "cli_nobody"], "/t/acme/connect/authorize", .badRequest),
                ("automation client", ["client_id": automation.client.clientId], "/t/acme/connect/authorize", .badRequest),
                ("disabled client", ["client_id": disabled.clientId], "/t/acme/connect/authorize", .badRequest),
                ("another tenant's client", ["client_id": otherTenants.clientId], "/t/acme/connect/authorize", .badRequest),
                ("no redirect_uri", ["redirect_uri": nil], "/t/acme/connect/authorize", .badRequest),
                ("unregistered redirect_uri", ["redirect_uri": "https://evil.example/callback"], "/t/acme/connect/authorize", .badRequest),
                ("prefix of a registered one", ["redirect_uri": CodeFlowApp.redirect + "/x"], "/t/acme/connect/authorize", .badRequest),
                ("extra query", ["redirect_uri": CodeFlowApp.redirect + "?a=b"], "/t/acme/connect/authorize", .badRequest),
                ("unknown tenant", [:], "/t/nobody/connect/authorize", .notFound),
            ]
            for (name, changes, path, status) in cases {
                let response = try await browser.get(client, path, flow.parameters(changes))
                #expect(response.status == status, "\(name)")
                #expect(response.headers[.location] == nil, "\(name)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8", "\(name)")
            }
            let repeated = try await client.execute(
                uri: "/t/acme/connect/authorize?client_id=\(flow.client.clientId)&client_id=x", method: .get)
            #expect(repeated.status == .badRequest && repeated.headers[.location] == nil)
            let huge = try await client.execute(
                uri: "/t/acme/connect/authorize?state=" + String(repeating: "a", count: 10_000), method: .get)
            #expect(huge.status == .uriTooLong && huge.headers[.location] == nil)
        }
    }

    @Test func errorsAfterTheRedirectURIIsTrustedGoBackToTheClient() async throws {
        let flow = try await CodeFlowApp()
        let confidential = try await CodeFlowApp.makeClient(flow.services, tenantId: flow.oauth.tenantId, secret: "s3cret")
        try await flow.app.test { client in
            var browser = Browser()
            let cases: [(String, [String: String?], String)] = [
                ("no response_type", ["response_type": nil], "invalid_request"),
                ("implicit", ["response_type": "token"], "unsupported_response_type"),
                ("hybrid", ["response_type": "code id_token"], "unsupported_response_type"),
                ("scope not granted", ["scope": "openid arbiter.api"], "invalid_scope"),
                ("unknown scope", ["scope": "openid made.up"], "invalid_scope"),
                ("plain PKCE", ["code_challenge_method": "plain"], "invalid_request"),
                ("challenge without method", ["code_challenge_method": nil], "invalid_request"),
                ("malformed challenge", ["code_challenge": "short"], "invalid_request"),
                ("method without challenge", ["code_challenge": nil], "invalid_request"),
                ("public client without PKCE", ["code_challenge": nil, "code_challenge_method": nil], "invalid_request"),
                ("bad prompt", ["prompt": "sometimes"], "invalid_request"),
                ("prompt none with login", ["prompt": "none login"], "invalid_request"),
                ("bad max_age", ["max_age": "-1"], "invalid_request"),
                ("form_post", ["response_mode": "form_post"], "invalid_request"),
                ("request object", ["request": "eyJ..."], "request_not_supported"),
                ("request_uri", ["request_uri": "https://x.example/r"], "request_uri_not_supported"),
            ]
            for (name, changes, error) in cases {
                let response = try await browser.get(client, "/t/acme/connect/authorize", flow.parameters(changes))
                #expect(response.status == .found, "\(name)")
                let query = Browser.query(of: response)
                #expect(response.headers[.location]?.hasPrefix(CodeFlowApp.redirect + "?") == true, "\(name)")
                #expect(query["error"] == error, "\(name)")
                #expect(query["error_description"]?.isEmpty == false, "\(name)")
                #expect(query["state"] == "st-123" && query["iss"] == CodeFlowApp.issuer, "\(name)")
                #expect(query["code"] == nil, "\(name)")
            }
            // A confidential client may skip PKCE (it has a secret at the token endpoint).
            let noPKCE = try await browser.get(
                client, "/t/acme/connect/authorize",
                flow.parameters(["code_challenge": nil, "code_challenge_method": nil], client: confidential))
            #expect(noPKCE.status == .ok)
        }
    }

    @Test func signInFailuresSayNothingAboutWhichPartWasWrong() async throws {
        let flow = try await CodeFlowApp()
        try await flow.app.test { client in
            var browser = Browser()
            let path = "/t/acme/connect/authorize"
            let page = try await browser.get(client, path, flow.parameters())
            var bodies: [String] = []
            for (tenant, user, password) in [
                ("acme", "admin", "wrong"), ("acme", "nobody", CodeFlowApp.password), ("nowhere", "admin", CodeFlowApp.password),
                // Right credentials, but of a user of another tenant than the client's.
                ("other", "admin", CodeFlowApp.password),
            ] {
                let response = try await browser.submitSignIn(client, page, path: path, tenant: tenant, userName: user, password: password)
                #expect(response.status == .unauthorized, "\(tenant)/\(user)")
                #expect(response.headers[.location] == nil)
                let html = Browser.html(response)
                #expect(html.contains(AuthorizeRoutes.failedSignIn))
                #expect(!html.contains("value=\"\(password)\""))
                #expect(Browser.hiddenFields(response)["authorization_request"] == Browser.hiddenFields(page)["authorization_request"])
                // Apart from echoing what was typed, the pages are identical.
                let echoed = try NSRegularExpression(pattern: #"name="(tenant|username)" value="[^"]*""#)
                bodies.append(echoed.stringByReplacingMatches(
                    in: html, range: NSRange(html.startIndex..., in: html), withTemplate: "$1"))
            }
            #expect(Set(bodies).count == 1)
            // The same form still works with the right password.
            let ok = try await browser.submitSignIn(client, page, path: path)
            #expect(ok.status == .found)
            // …once: the pending request is used up.
            let reused = try await browser.submitSignIn(client, page, path: path)
            #expect(reused.status == .badRequest && reused.headers[.location] == nil)
        }
    }

    @Test func theSignInFormNeedsItsCSRFTokenAndAKnownRequest() async throws {
        let flow = try await CodeFlowApp()
        try await flow.app.test { client in
            var browser = Browser()
            let path = "/t/acme/connect/authorize"
            let page = try await browser.get(client, path, flow.parameters())
            var fields = Browser.hiddenFields(page)
            fields["tenant"] = "acme"
            fields["username"] = "admin"
            fields["password"] = CodeFlowApp.password

            var noCookie = Browser()
            #expect(try await noCookie.post(client, path, fields).status == .forbidden)
            var wrongField = fields
            wrongField["csrf_token"] = String(repeating: "A", count: 43)
            #expect(try await browser.post(client, path, wrongField).status == .forbidden)
            var noField = fields
            noField["csrf_token"] = nil
            #expect(try await browser.post(client, path, noField).status == .forbidden)
            var unknown = fields
            unknown["authorization_request"] = "made-up"
            let expired = try await browser.post(client, path, unknown)
            #expect(expired.status == .badRequest && expired.headers[.location] == nil)
            // Posted to another tenant's issuer: refused.
            _ = try await CodeFlowApp.makeClient(flow.services, tenantId: flow.otherTenantId)
            #expect(try await browser.post(client, "/t/other/connect/authorize", fields).status == .badRequest)
            #expect(try await browser.post(client, path, fields).status == .found)
        }
    }
}
