import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import NIOCore
import Store
import Testing
@testable import Server

/// A tenant with a signed-in administrator, a public interactive client holding a refresh
/// token for that sign-in, and a confidential automation client for introspection.
struct RefreshApp {
    let oauth: OAuthApp
    let session: SignInSession
    let web: OAuthClient
    let otherWeb: OAuthClient
    let automation: IssuedClientSecret
    let refreshToken: String
    let scopes = ["openid", "offline_access", "arbiter.api", "tenant_context"]

    var services: ArbiterApplication.Services { oauth.app.services }

    init() async throws {
        oauth = try await OAuthApp()
        let services = oauth.app.services
        let signIn = PasswordSignIn(environment: services.environment, tables: services.identityTables, hasher: PasswordHasher(cost: 4))
        let user = try #require(try await signIn.authenticate(tenantSlug: "acme", userName: "admin", password: "ChangeThisPassword123!"))
        session = try await services.sessions.start(user)
        web = try await Self.publicClient(services, tenantId: oauth.tenantId, name: "Portal", scopes: scopes)
        otherWeb = try await Self.publicClient(services, tenantId: oauth.tenantId, name: "Other portal", scopes: scopes)
        automation = try await oauth.client()
        refreshToken = try await services.refreshTokens.issue(client: web, session: session, scopes: scopes)
    }

    /// Written straight into the tables: a public `interactive_web` client.
    static func publicClient(
        _ services: ArbiterApplication.Services, tenantId: String, name: String, scopes: [String]
    ) async throws -> OAuthClient {
        let client = OAuthClient(
            clientId: RandomID.make(prefix: "cli"), tenantId: tenantId, applicationId: "app_test", name: name,
            purpose: .interactiveWeb, status: .active, scopes: scopes, secrets: [], createdAt: Date(), isPublic: true,
            redirectURIs: ["https://app.example.com/callback"])
        let tables = services.oauthTables
        try await services.environment.write { txn in
            try txn.putJSON(tables.clients, Key(.string(client.tenantId), .string(client.clientId)), client)
            try txn.put(tables.clientTenants, Key(.string(client.clientId)), Array(client.tenantId.utf8))
        }
        return client
    }

    /// The payload of a JWT, unverified (the tests verify through the app's verifier separately).
    static func payload(_ token: String) -> [String: Any] {
        let parts = token.split(separator: ".")
        guard parts.count == 3, let bytes = Base64URL.decode(parts[1]) else { return [:] }
        return (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
    }

    func sessionIsActive() throws -> Bool {
        try services.sessions.isActive(tenantId: session.tenantId, id: session.id)
    }
}


extension TestClientProtocol {
    func refreshGrant(_ token: String, client: OAuthClient, scope: String? = nil, uri: String = "/t/acme/connect/token") async throws -> TestResponse {
        var fields = ["grant_type": "refresh_token", "refresh_token": token, "client_id": client.clientId]
        if let scope { fields["scope"] = scope }
        return try await execute(uri: uri, method: .post, headers: formHeaders, body: form(fields))
    }

    func revokeToken(_ token: String, client: OAuthClient, hint: String? = nil, uri: String = "/t/acme/connect/revocation") async throws -> TestResponse {
        var fields = ["token": token, "client_id": client.clientId]
        if let hint { fields["token_type_hint"] = hint }
        return try await execute(uri: uri, method: .post, headers: formHeaders, body: form(fields))
    }

    func introspectAsClient(_ token: String, as caller: IssuedClientSecret, hint: String? = nil) async throws -> [String: Any] {
        var fields = ["token": token]
        if let hint { fields["token_type_hint"] = hint }
        let response = try await execute(
            uri: "/t/acme/connect/introspect", method: .post, headers: basic(caller.client.clientId, caller.secret), body: form(fields))
        #expect(response.status == .ok)
        return response.json
    }

    /// Introspection authorized by `bearer` (a bearer-protected route), introspecting itself.
    func introspectWithBearer(_ bearer: String) async throws -> TestResponse {
        var headers = formHeaders
        headers[.authorization] = "Bearer " + bearer
        return try await execute(uri: "/connect/introspect", method: .post, headers: headers, body: form(["token": bearer]))
    }
}

@Suite struct RefreshTokenGrantRouteTests {
    @Test func refreshRotatesAndIssuesAUserTokenWithoutAnIDToken() async throws {
        let f = try await RefreshApp()
        try await f.oauth.app.test { client in
            let response = try await client.refreshGrant(f.refreshToken, client: f.web)
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(response.json["token_type"] as? String == "Bearer")
            #expect(response.json["scope"] as? String == f.scopes.joined(separator: " "))
            #expect(response.json["id_token"] == nil)
            let next = try #require(response.json["refresh_token"] as? String)
            #expect(next != f.refreshToken && next.hasPrefix("rt_"))
            let access = try #require(response.json["access_token"] as? String)
            let verified = try await f.services.tokenVerifier.verify(access)
            #expect(verified.subject == f.session.userId && verified.clientId == f.web.clientId)
            #expect(verified.claims.session_id == f.session.id && verified.claims.membership_id == f.session.membershipId)
            #expect(verified.claims.perm_ver == 1 && verified.claims.ent_ver == 1)

            // The user's versions move; the next refresh carries the new ones. A narrower scope
            // is allowed and narrows only this access token, not the grant.
            let tables = f.services.identityTables
            let tenantId = f.session.tenantId, userId = f.session.userId
            try await f.services.environment.write { txn in
                try txn.bumpSubjectVersions(tenantId: tenantId, subjectId: userId, permissions: true, entitlements: false, tables: tables)
            }
            let narrowed = try await client.refreshGrant(next, client: f.web, scope: "openid arbiter.api", uri: "/connect/token")
            #expect(narrowed.status == .ok)
            #expect(narrowed.json["scope"] as? String == "openid arbiter.api")
            let narrowedClaims = RefreshApp.payload(try #require(narrowed.json["access_token"] as? String))
            #expect(narrowedClaims["perm_ver"] == nil)  // no tenant_context asked for this time
            #expect(narrowedClaims["session_id"] as? String == f.session.id)

            let full = try await client.refreshGrant(try #require(narrowed.json["refresh_token"] as? String), client: f.web)
            #expect(full.json["scope"] as? String == f.scopes.joined(separator: " "))
            #expect(RefreshApp.payload(try #require(full.json["access_token"] as? String))["perm_ver"] as? Int == 2)
        }
    }

    @Test func eachRefusalIsTheRightRFC6749Error() async throws {
        let f = try await RefreshApp()
        // A token whose idle lifetime ran out (issued as if 15 days ago).
        let stale = try await f.services.refreshTokens.issue(
            client: f.web, session: f.session, scopes: f.scopes, now: Date().addingTimeInterval(-15 * 24 * 3600))
        try await f.oauth.app.test { client in
            func expectError(_ response: TestResponse, _ error: String, _ comment: Comment) {
                #expect(response.status == .badRequest, comment)
                #expect(response.json["error"] as? String == error, comment)
                #expect(response.headers[.cacheControl] == "no-store", comment)
            }
            let missing = try await client.execute(
                uri: "/t/acme/connect/token", method: .post, headers: formHeaders,
                body: form(["grant_type": "refresh_token", "client_id": f.web.clientId]))
            expectError(missing, "invalid_request", "no refresh_token")
            expectError(try await client.refreshGrant("", client: f.web), "invalid_request", "empty refresh_token")
            expectError(try await client.refreshGrant("rt_unknown", client: f.web), "invalid_grant", "unknown token")
            expectError(try await client.refreshGrant("eyJhbGciOi.x.y", client: f.web), "invalid_grant", "not a refresh token")
            expectError(try await client.refreshGrant(stale, client: f.web), "invalid_grant", "idle-expired token")
            expectError(try await client.refreshGrant(f.refreshToken, client: f.otherWeb), "invalid_grant", "another client's token")
            expectError(
                try await client.refreshGrant(f.refreshToken, client: f.web, scope: "openid arbiter.scim.admin"), "invalid_scope",
                "a scope the grant does not have")
            let automation = try await client.execute(
                uri: "/t/acme/connect/token", method: .post, headers: basic(f.automation.client.clientId, f.automation.secret),
                body: form(["grant_type": "refresh_token", "refresh_token": f.refreshToken]))
            expectError(automation, "unauthorized_client", "an automation client has no refresh grant")

            // None of that used the token up or touched the session.
            #expect(try f.sessionIsActive())
            let good = try await client.refreshGrant(f.refreshToken, client: f.web)
            #expect(good.status == .ok)
            let access = try #require(good.json["access_token"] as? String)
            #expect(try await client.introspectWithBearer(access).status == .ok)

            // Reuse of the rotated token: invalid_grant, and the session with all its tokens is gone.
            let reused = try await client.refreshGrant(f.refreshToken, client: f.web)
            expectError(reused, "invalid_grant", "reused token")
            #expect((reused.json["error_description"] as? String)?.contains("already used") == true)
            #expect(try !f.sessionIsActive())
            expectError(
                try await client.refreshGrant(try #require(good.json["refresh_token"] as? String), client: f.web), "invalid_grant",
                "the successor after reuse")
            let refused = try await client.introspectWithBearer(access)
            #expect(refused.status == .unauthorized)
            #expect(refused.json["error"] as? String == "invalid_token")
            #expect(try await client.introspectAsClient(access, as: f.automation) as NSDictionary == ["active": false] as NSDictionary)
        }
    }

    @Test func aSignedOutSessionStopsRefreshAndItsAccessTokens() async throws {
        let f = try await RefreshApp()
        try await f.oauth.app.test { client in
            let first = try await client.refreshGrant(f.refreshToken, client: f.web)
            let access = try #require(first.json["access_token"] as? String)
            let next = try #require(first.json["refresh_token"] as? String)
            #expect(try await client.introspectAsClient(access, as: f.automation)["active"] as? Bool == true)
            #expect(try await client.introspectWithBearer(access).status == .ok)

            try await f.services.sessions.revoke(tenantId: f.session.tenantId, id: f.session.id, reason: "sign-out", actor: "test")

            let bearer = try await client.introspectWithBearer(access)
            #expect(bearer.status == .unauthorized)
            #expect(bearer.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(try await client.introspectAsClient(access, as: f.automation) as NSDictionary == ["active": false] as NSDictionary)
            #expect(try await client.introspectAsClient(next, as: f.automation) as NSDictionary == ["active": false] as NSDictionary)
            #expect(try await client.refreshGrant(next, client: f.web).json["error"] as? String == "invalid_grant")
        }
    }
}

@Suite struct RevocationRouteTests {
    @Test func revokingARefreshTokenEndsItsFamilyButOnlyForItsOwnClient() async throws {
        let f = try await RefreshApp()
        try await f.oauth.app.test { client in
            // Another client: 200, nothing revoked.
            let foreign = try await client.revokeToken(f.refreshToken, client: f.otherWeb)
            #expect(foreign.status == .ok)
            #expect(foreign.headers[.cacheControl] == "no-store")
            #expect(try await client.introspectAsClient(f.refreshToken, as: f.automation)["active"] as? Bool == true)

            let rotated = try await client.refreshGrant(f.refreshToken, client: f.web)
            let current = try #require(rotated.json["refresh_token"] as? String)
            let described = try await client.introspectAsClient(current, as: f.automation, hint: "refresh_token")
            #expect(described["active"] as? Bool == true)
            #expect(described["token_type"] as? String == "refresh_token")
            #expect(described["client_id"] as? String == f.web.clientId)
            #expect(described["sub"] as? String == f.session.userId)
            #expect(described["scope"] as? String == f.scopes.joined(separator: " "))
            #expect((described["exp"] as? Int ?? 0) > Int(Date().timeIntervalSince1970))
            // The rotated one is no longer active (and asking about it is not a reuse).
            #expect(try await client.introspectAsClient(f.refreshToken, as: f.automation)["active"] as? Bool == false)

            // Revoking an earlier token of the family ends the family: the current one stops too.
            let revoked = try await client.revokeToken(f.refreshToken, client: f.web, hint: "refresh_token", uri: "/connect/revocation")
            #expect(revoked.status == .ok)
            #expect(revoked.body.readableBytes == 0)
            #expect(try await client.introspectAsClient(current, as: f.automation)["active"] as? Bool == false)
            #expect(try await client.refreshGrant(current, client: f.web).json["error"] as? String == "invalid_grant")
            // Revocation is not sign-out: the session lives on.
            #expect(try f.sessionIsActive())
        }
    }

    @Test func revokingAnAccessTokenRefusesItButLeavesTheSessionAndOtherTokens() async throws {
        let f = try await RefreshApp()
        try await f.oauth.app.test { client in
            let first = try await client.refreshGrant(f.refreshToken, client: f.web)
            let access = try #require(first.json["access_token"] as? String)
            let second = try await client.refreshGrant(try #require(first.json["refresh_token"] as? String), client: f.web)
            let sibling = try #require(second.json["access_token"] as? String)

            // Another client cannot revoke it.
            #expect(try await client.revokeToken(access, client: f.otherWeb).status == .ok)
            #expect(try await client.introspectWithBearer(access).status == .ok)

            // Its own client can; the hint may even be wrong.
            #expect(try await client.revokeToken(access, client: f.web, hint: "refresh_token").status == .ok)
            #expect(try await client.introspectWithBearer(access).status == .unauthorized)
            #expect(try await client.introspectAsClient(access, as: f.automation) as NSDictionary == ["active": false] as NSDictionary)
            #expect(try await client.revokeToken(access, client: f.web).status == .ok)  // again: still fine

            #expect(try f.sessionIsActive())
            #expect(try await client.introspectWithBearer(sibling).status == .ok)
            #expect(try await client.refreshGrant(try #require(second.json["refresh_token"] as? String), client: f.web).status == .ok)
        }
    }

    @Test func automationClientsRevokeTheirOwnClientCredentialsTokens() async throws {
        let f = try await RefreshApp()
        let id = f.automation.client.clientId
        try await f.oauth.app.test { client in
            let issued = try await client.execute(
                uri: "/connect/token", method: .post, headers: basic(id, f.automation.secret), body: form(["grant_type": "client_credentials"]))
            let access = try #require(issued.json["access_token"] as? String)
            let revoked = try await client.execute(
                uri: "/t/acme/connect/revocation", method: .post, headers: basic(id, f.automation.secret),
                body: form(["token": access, "token_type_hint": "access_token"]))
            #expect(revoked.status == .ok)
            #expect(try await client.introspectAsClient(access, as: f.automation) as NSDictionary == ["active": false] as NSDictionary)
        }
    }

    @Test func revocationErrors() async throws {
        let f = try await RefreshApp()
        try await f.oauth.app.test { client in
            // Unknown tokens of every shape are fine.
            for token in ["rt_nothing", "garbage", "a.b.c", String(repeating: "x", count: 9000)] {
                let response = try await client.revokeToken(token, client: f.web)
                #expect(response.status == .ok, "\(token.prefix(12))")
            }
            let noToken = try await client.execute(
                uri: "/t/acme/connect/revocation", method: .post, headers: formHeaders, body: form(["client_id": f.web.clientId]))
            #expect(noToken.status == .badRequest)
            #expect(noToken.json["error"] as? String == "invalid_request")

            let anonymous = try await client.execute(
                uri: "/t/acme/connect/revocation", method: .post, headers: formHeaders, body: form(["token": f.refreshToken]))
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.json["error"] as? String == "invalid_client")
            let wrongSecret = try await client.execute(
                uri: "/t/acme/connect/revocation", method: .post, headers: basic(f.automation.client.clientId, "wrong"),
                body: form(["token": f.refreshToken]))
            #expect(wrongSecret.status == .unauthorized)
            #expect(wrongSecret.headers[.wwwAuthenticate]?.hasPrefix("Basic") == true)
            let json = try await client.execute(
                uri: "/t/acme/connect/revocation", method: .post, headers: jsonHeaders, body: ByteBuffer(string: "{}"))
            #expect(json.json["error"] as? String == "invalid_request")
            let unknownTenant = try await client.revokeToken(f.refreshToken, client: f.web, uri: "/t/nobody/connect/revocation")
            #expect(unknownTenant.status == .notFound)

            // Nothing above revoked anything.
            #expect(try await client.refreshGrant(f.refreshToken, client: f.web).status == .ok)
        }
    }
}
