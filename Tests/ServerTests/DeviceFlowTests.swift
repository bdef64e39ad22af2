import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import NIOCore
import Store
import Testing
@testable import Server

/// Drives the device flow (RFC 8628) over the router: the device authorization endpoint,
/// the `/device` page and the token endpoint.
struct DeviceFlowClient {
    let client: any TestClientProtocol
    var tenant = "acme"
    static let deviceGrant = "urn:ietf:params:oauth:grant-type:device_code"

    func start(clientId: String = "arbiter-cli", scope: String? = nil, uri: String? = nil) async throws -> TestResponse {
        var fields = ["client_id": clientId]
        if let scope { fields["scope"] = scope }
        return try await client.execute(
            uri: uri ?? "/t/\(tenant)/connect/deviceauthorization", method: .post, headers: formHeaders, body: form(fields))
    }

    func poll(_ deviceCode: String, clientId: String = "arbiter-cli", uri: String? = nil) async throws -> TestResponse {
        try await client.execute(
            uri: uri ?? "/t/\(tenant)/connect/token", method: .post, headers: formHeaders,
            body: form(["grant_type": Self.deviceGrant, "device_code": deviceCode, "client_id": clientId]))
    }

    /// GETs the page and returns the CSRF token it set (cookie and field must agree).
    func csrf(userCode: String? = nil) async throws -> (token: String, page: TestResponse) {
        let query = userCode.map { "?user_code=" + $0 } ?? ""
        let page = try await client.execute(uri: "/device" + query, method: .get)
        let cookie = try #require(page.headers[.setCookie])
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
        let token = String(try #require(cookie.split(separator: ";").first).dropFirst("arbiter_csrf=".count))
        let html = String(buffer: page.body)
        #expect(html.contains("name=\"csrf_token\" value=\"\(token)\""))
        return (token, page)
    }

    func decide(
        userCode: String, action: String = "approve", userName: String = "admin", password: String = "ChangeThisPassword123!",
        csrfField: String? = nil, csrfCookie: String? = nil
    ) async throws -> TestResponse {
        let (token, _) = try await csrf()
        var headers = formHeaders
        headers[.cookie] = "arbiter_csrf=" + (csrfCookie ?? token)
        return try await client.execute(
            uri: "/device", method: .post, headers: headers,
            body: form([
                "csrf_token": csrfField ?? token, "user_code": userCode, "user_name": userName, "password": password,
                "action": action,
            ]))
    }
}

extension TestResponse {
    var error: String? { json["error"] as? String }
    var html: String { String(buffer: body) }
}

@Suite struct DeviceFlowTests {
    @Test func deviceAuthorizationAnswersBothCodesAndWhereToApprove() async throws {
        let oauth = try await OAuthApp()
        try await oauth.app.test { client in
            let device = DeviceFlowClient(client: client)
            let response = try await device.start(scope: "openid tenant_context")
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            let body = response.json
            let userCode = try #require(body["user_code"] as? String)
            #expect(userCode.count == 9 && userCode.contains("-"))
            #expect((body["device_code"] as? String)?.count == 43)
            #expect(body["verification_uri"] as? String == "http://127.0.0.1:0/device")
            #expect(body["verification_uri_complete"] as? String == "http://127.0.0.1:0/device?user_code=" + userCode)
            #expect(body["expires_in"] as? Int == 600)
            #expect(body["interval"] as? Int == 5)

            let discovery = try await client.execute(uri: "/t/acme/.well-known/openid-configuration", method: .get).json
            #expect(discovery["device_authorization_endpoint"] as? String == "http://127.0.0.1:0/t/acme/connect/deviceauthorization")
            #expect((discovery["grant_types_supported"] as? [String])?.contains(DeviceFlowClient.deviceGrant) == true)

            let wide = try await device.start(scope: "openid arbiter.scim.admin")
            #expect(wide.status == .badRequest && wide.error == "invalid_scope")
            let malformed = try await device.start(scope: "open\"id")
            #expect(malformed.error == "invalid_scope")
        }
    }

    @Test func arbiterCLIExistsOnlyUnderATenantsIssuer() async throws {
        let oauth = try await OAuthApp()
        try await oauth.app.test { client in
            let device = DeviceFlowClient(client: client)
            let global = try await device.start(uri: "/connect/deviceauthorization")
            #expect(global.status == .unauthorized && global.error == "invalid_client")
            #expect((global.json["error_description"] as? String)?.contains("/t/{tenant}/connect/") == true)
            let globalToken = try await device.poll("whatever", uri: "/connect/token")
            #expect(globalToken.status == .unauthorized && globalToken.error == "invalid_client")
            let unknownTenant = try await device.start(uri: "/t/nobody/connect/deviceauthorization")
            #expect(unknownTenant.status == .notFound)
            // With a secret it is not the public built-in client either.
            let withSecret = try await client.execute(
                uri: "/t/acme/connect/deviceauthorization", method: .post, headers: basic("arbiter-cli", "guess"),
                body: form([:]))
            #expect(withSecret.status == .unauthorized && withSecret.error == "invalid_client")
        }
    }

    @Test func onlyDeviceClientsMayStartTheFlow() async throws {
        let oauth = try await OAuthApp()
        let automation = try await oauth.client()
        let device = try await oauth.client(scopes: ["openid", "arbiter.api"], purpose: .device)
        try await oauth.app.test { client in
            let refused = try await client.execute(
                uri: "/t/acme/connect/deviceauthorization", method: .post,
                headers: basic(automation.client.clientId, automation.secret), body: form([:]))
            #expect(refused.status == .badRequest && refused.error == "unauthorized_client")
            // A tenant's own device client works at the global endpoint: its id names its tenant.
            let flow = DeviceFlowClient(client: client)
            let started = try await flow.start(clientId: device.client.clientId, uri: "/connect/deviceauthorization")
            #expect(started.status == .ok)
            let code = try #require(started.json["device_code"] as? String)
            let pending = try await flow.poll(code, clientId: device.client.clientId, uri: "/connect/token")
            #expect(pending.error == "authorization_pending")
            // Another client naming this code: invalid_grant.
            let stolen = try await flow.poll(code)
            #expect(stolen.status == .badRequest && stolen.error == "invalid_grant")
        }
    }

    @Test func pendingSlowDownApprovalTokensAndRedeemedOnce() async throws {
        let oauth = try await OAuthApp()
        try await oauth.app.test { client in
            let device = DeviceFlowClient(client: client)
            let started = try await device.start().json
            let deviceCode = try #require(started["device_code"] as? String)
            let userCode = try #require(started["user_code"] as? String)

            let pending = try await device.poll(deviceCode)
            #expect(pending.status == .badRequest && pending.error == "authorization_pending")
            #expect(pending.headers[.cacheControl] == "no-store")
            let tooFast = try await device.poll(deviceCode)
            #expect(tooFast.status == .badRequest && tooFast.error == "slow_down")

            // The page shows the tenant once the code is known.
            let (_, page) = try await device.csrf(userCode: userCode.lowercased())
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            #expect(page.html.contains("Acme") && page.html.contains("(acme)"))

            let approved = try await device.decide(userCode: userCode.lowercased().replacingOccurrences(of: "-", with: ""))
            #expect(approved.status == .ok)
            #expect(approved.html.contains("Device approved"))

            // Approved: the next poll pays out at once, whatever the interval.
            let tokens = try await device.poll(deviceCode)
            #expect(tokens.status == .ok)
            #expect(tokens.headers[.cacheControl] == "no-store")
            let body = tokens.json
            #expect(body["token_type"] as? String == "Bearer")
            #expect(body["scope"] as? String == BuiltInClients.arbiterCLIScopes.joined(separator: " "))
            let refresh = try #require(body["refresh_token"] as? String)
            #expect(body["id_token"] is String)
            #expect(!refresh.isEmpty)
            let verified = try await oauth.app.services.tokenVerifier.verify(try #require(body["access_token"] as? String))
            let claims = verified.claims
            #expect(verified.tenantId == oauth.tenantId && verified.clientId == "arbiter-cli")
            #expect(claims.iss == "http://127.0.0.1:0/t/acme")
            #expect(claims.tenant_id == oauth.tenantId)
            let sessionId = try #require(claims.session_id)
            let session = try #require(try oauth.app.services.sessions.session(tenantId: oauth.tenantId, id: sessionId))
            #expect(claims.sub == session.userId && claims.membership_id == session.membershipId)
            #expect(claims.organization_id == session.organizationId)
            #expect(claims.perm_ver == 1 && claims.ent_ver == 1 && claims.auth_time != nil)

            let again = try await device.poll(deviceCode)
            #expect(again.status == .badRequest && again.error == "invalid_grant")
            // The code is spent; the page no longer knows it.
            let late = try await device.decide(userCode: userCode)
            #expect(late.status == .badRequest && late.html.contains("unknown, expired or already used"))
        }
    }

    @Test func withoutOfflineAccessThereIsNoRefreshToken() async throws {
        let oauth = try await OAuthApp()
        try await oauth.app.test { client in
            let device = DeviceFlowClient(client: client)
            let started = try await device.start(scope: "arbiter.api").json
            let deviceCode = try #require(started["device_code"] as? String)
            _ = try await device.decide(userCode: try #require(started["user_code"] as? String))
            let tokens = try await device.poll(deviceCode)
            #expect(tokens.status == .ok)
            #expect(tokens.json["scope"] as? String == "arbiter.api")
            #expect(tokens.json["refresh_token"] == nil)
            #expect(tokens.json["id_token"] == nil)
            let verified = try await oauth.app.services.tokenVerifier.verify(try #require(tokens.json["access_token"] as? String))
            #expect(verified.claims.tenant_id == nil && verified.claims.session_id != nil)
        }
    }

    @Test func denyAnswersAccessDenied() async throws {
        let oauth = try await OAuthApp()
        try await oauth.app.test { client in
            let device = DeviceFlowClient(client: client)
            let started = try await device.start().json
            let deviceCode = try #require(started["device_code"] as? String)
            let denied = try await device.decide(userCode: try #require(started["user_code"] as? String), action: "deny")
            #expect(denied.status == .ok && denied.html.contains("Request denied"))
            let poll = try await device.poll(deviceCode)
            #expect(poll.status == .badRequest && poll.error == "access_denied")
        }
    }

    @Test func anExpiredCodeAnswersExpiredToken() async throws {
        let oauth = try await OAuthApp()
        try await oauth.app.test { client in
            let device = DeviceFlowClient(client: client)
            let started = try await device.start().json
            let deviceCode = try #require(started["device_code"] as? String)
            let userCode = try #require(started["user_code"] as? String)
            let services = oauth.app.services
            let key = Key(.string(oauth.tenantId), .string(ClientSecrets.hash(deviceCode)))
            try await services.environment.write { txn in
                var record = try #require(try txn.getJSON(DeviceAuthorization.self, services.oauthTables.deviceAuthorizations, key))
                record.expiresAt = Date().addingTimeInterval(-1)
                try txn.putJSON(services.oauthTables.deviceAuthorizations, key, record)
            }
            let poll = try await device.poll(deviceCode)
            #expect(poll.status == .badRequest && poll.error == "expired_token")
            let page = try await device.decide(userCode: userCode)
            #expect(page.status == .badRequest && page.html.contains("unknown, expired or already used"))
        }
    }

    @Test func thePageRefusesAMissingOrForeignCSRFToken() async throws {
        let oauth = try await OAuthApp()
        try await oauth.app.test { client in
            let device = DeviceFlowClient(client: client)
            let started = try await device.start().json
            let userCode = try #require(started["user_code"] as? String)
            let other = ClientSecrets.generate()
            let mismatched = try await device.decide(userCode: userCode, csrfField: other)
            #expect(mismatched.status == .forbidden)
            let noCookie = try await client.execute(
                uri: "/device", method: .post, headers: formHeaders,
                body: form(["csrf_token": other, "user_code": userCode, "user_name": "admin",
                            "password": "ChangeThisPassword123!", "action": "approve"]))
            #expect(noCookie.status == .forbidden)
            #expect(try oauth.app.services.deviceAuthorizations.pending(userCode: userCode) != nil)
            let notAForm = try await client.execute(uri: "/device", method: .post, headers: jsonHeaders, body: jsonBody([:]))
            #expect(notAForm.status == .badRequest)
            #expect(notAForm.headers[.contentType] == "text/html; charset=utf-8")
        }
    }

    @Test func wrongPasswordsAreGenericAndTheFifthLocksTheCode() async throws {
        let oauth = try await OAuthApp()
        try await oauth.app.test { client in
            let device = DeviceFlowClient(client: client)
            let started = try await device.start().json
            let deviceCode = try #require(started["device_code"] as? String)
            let userCode = try #require(started["user_code"] as? String)
            let wrongPassword = try await device.decide(userCode: userCode, password: "wrong-password")
            #expect(wrongPassword.status == .badRequest)
            #expect(wrongPassword.html.contains("The user name or password is wrong."))
            let unknownUser = try await device.decide(userCode: userCode, userName: "nobody")
            #expect(unknownUser.status == .badRequest)
            #expect(unknownUser.html.contains("The user name or password is wrong."))
            for _ in 0..<2 { _ = try await device.decide(userCode: userCode, password: "wrong-password") }
            let fifth = try await device.decide(userCode: userCode, password: "wrong-password")
            #expect(fifth.html.contains("Code locked"))
            // Now even the right password cannot approve it, and the device is told no.
            let right = try await device.decide(userCode: userCode)
            #expect(right.status == .badRequest && !right.html.contains("Device approved"))
            let poll = try await device.poll(deviceCode)
            #expect(poll.error == "access_denied")
        }
    }

    @Test func credentialsAreCheckedInTheCodesTenantOnly() async throws {
        let oauth = try await OAuthApp()
        _ = try await oauth.app.services.registrar.register(TenantRegistration(
            tenantName: "Other", tenantSlug: "other", userName: "boss", email: "boss@other.example",
            password: "ChangeThisPassword123!", planCode: "developer"))
        try await oauth.app.test { client in
            let device = DeviceFlowClient(client: client)
            let unknown = try await device.decide(userCode: "BBBB-BBBB")
            #expect(unknown.status == .badRequest && unknown.html.contains("unknown, expired or already used"))
            let garbage = try await device.decide(userCode: "<script>")
            #expect(garbage.status == .badRequest && !garbage.html.contains("<script>"))
            // The code belongs to acme: other's administrator is not a user there.
            let started = try await device.start().json
            let userCode = try #require(started["user_code"] as? String)
            let foreign = try await device.decide(userCode: userCode, userName: "boss")
            #expect(foreign.status == .badRequest && foreign.html.contains("The user name or password is wrong."))
            #expect(foreign.html.contains("Acme") && !foreign.html.contains("Other"))
        }
    }
}
