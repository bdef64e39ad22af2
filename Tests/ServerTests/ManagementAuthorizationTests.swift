import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import NIOCore
import Evaluator
import Store
import Testing
@testable import Server

/// A TestApp with registered tenants and helpers that mint the tokens the management API
/// sees: an administrator's and a plain member's user tokens (through a real password
/// sign-in and session), and client-credentials tokens.
struct ManagementApp {
    let app: TestApp
    /// slug → registration result
    let tenants: [String: TenantRegistrationResult]
    static let password = "ChangeThisPassword123!"

    init(
        slugs: [String] = ["acme", "globex"], plan: String = "developer",
        configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws {
        app = try TestApp(configure: configure)
        var tenants: [String: TenantRegistrationResult] = [:]
        for slug in slugs {
            tenants[slug] = try await app.services.registrar.register(TenantRegistration(
                tenantName: slug.capitalized, tenantSlug: slug, userName: "admin", email: "admin@\(slug).example",
                password: Self.password, planCode: plan))
        }
        self.tenants = tenants
    }

    var services: ArbiterApplication.Services { app.services }
    func tenantId(_ slug: String) -> String { tenants[slug]!.tenantId }

    /// A first-party sign-in client written straight into the tables (no application, so
    /// it does not count against the application quota; it does count as a client).
    func webClient(_ slug: String) async throws -> OAuthClient {
        let tenantId = tenantId(slug)
        let client = OAuthClient(
            clientId: "cli_web_\(slug)", tenantId: tenantId, applicationId: "app_console", name: "Console",
            purpose: .interactiveWeb, status: .active, scopes: ["openid", "arbiter.api", "tenant_context"], secrets: [],
            createdAt: Date(), isPublic: true, redirectURIs: ["http://localhost/cb"])
        let tables = services.oauthTables
        try await services.environment.write { txn in
            try txn.putJSON(tables.clients, Key(.string(tenantId), .string(client.clientId)), client)
            try txn.put(tables.clientTenants, Key(.string(client.clientId)), Array(tenantId.utf8))
        }
        return client
    }

    /// A user token after a real password sign-in and session.
    func userToken(
        _ slug: String, userName: String = "admin", password: String = ManagementApp.password,
        scopes: [String] = ["arbiter.api", "tenant_context"]
    ) async throws -> (token: String, session: SignInSession) {
        let signIn = PasswordSignIn(
            environment: services.environment, tables: services.identityTables, hasher: PasswordHasher(cost: 4))
        let user = try #require(try await signIn.authenticate(tenantSlug: slug, userName: userName, password: password))
        let session = try await services.sessions.start(user)
        let subject = try services.sessions.subject(of: session)
        var client = try services.clients.client(id: "cli_web_\(slug)")
        if client == nil { client = try await webClient(slug) }
        let issued = try await services.tokenIssuer.issue(TokenGrant(client: client!, tenantSlug: slug, scopes: scopes, user: subject))
        return (issued.token, session)
    }

    func adminToken(_ slug: String = "acme") async throws -> String { try await userToken(slug).token }

    /// A second member of the tenant's first organization without the administrator role.
    func memberToken(_ slug: String = "acme", active: Bool = true, roles: [String] = ["member"]) async throws -> String {
        let tenantId = tenantId(slug)
        let organizationId = tenants[slug]!.organizationId
        let userName = "member-\(roles.joined(separator: "-"))-\(active)"
        let userId = RandomID.make(prefix: "usr")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        // User and Membership have no public initializer: write their stored JSON.
        let user: [String: Any] = [
            "id": userId, "tenantId": tenantId, "userName": userName, "email": "\(userName)@\(slug).example",
            "passwordHash": await PasswordHasher(cost: 4).hash(Self.password), "active": true, "createdAt": now,
        ]
        let membership: [String: Any] = [
            "id": RandomID.make(prefix: "mem"), "tenantId": tenantId, "organizationId": organizationId, "userId": userId,
            "roles": roles, "createdAt": now,
        ]
        let userBytes = Array(try JSONSerialization.data(withJSONObject: user))
        let membershipBytes = Array(try JSONSerialization.data(withJSONObject: membership))
        let membershipId = membership["id"] as! String
        let tables = services.identityTables
        try await services.environment.write { txn in
            try txn.put(tables.users, Key(.string(tenantId), .string(userId)), userBytes)
            try txn.put(tables.userNames, Key(.string(tenantId), .string(userName.lowercased())), Array(userId.utf8))
            try txn.put(tables.memberships, Key(.string(tenantId), .string(membershipId)), membershipBytes)
        }
        let token = try await userToken(slug, userName: userName).token
        if !active {
            // Deprovisioned after signing in: the token still verifies, the policy denies.
            var inactive = user
            inactive["active"] = false
            let inactiveBytes = Array(try JSONSerialization.data(withJSONObject: inactive))
            try await services.environment.write { txn in
                try txn.put(tables.users, Key(.string(tenantId), .string(userId)), inactiveBytes)
            }
        }
        return token
    }

    /// A client-credentials token of an automation client (made by the operator).
    func clientToken(_ slug: String = "acme", scopes: [String] = ["arbiter.api", "tenant_context"]) async throws -> String {
        let tenantId = tenantId(slug)
        let client = OAuthClient(
            clientId: RandomID.make(prefix: "cli"), tenantId: tenantId, applicationId: "app_ops", name: "Ops",
            purpose: .automation, status: .active, scopes: scopes, secrets: [], createdAt: Date())
        let tables = services.oauthTables
        try await services.environment.write { txn in
            try txn.putJSON(tables.clients, Key(.string(tenantId), .string(client.clientId)), client)
            try txn.put(tables.clientTenants, Key(.string(client.clientId)), Array(tenantId.utf8))
        }
        return try await services.tokenIssuer.issue(client: client, tenantSlug: slug, scopes: scopes).token
    }

    func test<T>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        try await app.test(.router, body)
    }
}

func bearer(_ token: String, json: Bool = true) -> HTTPFields {
    var headers: HTTPFields = [.authorization: "Bearer \(token)"]
    if json { headers[.contentType] = "application/json" }
    return headers
}

extension TestClientProtocol {
    /// A JSON request with a bearer token.
    func call(_ method: HTTPRequest.Method, _ uri: String, _ token: String?, _ body: [String: Any]? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map(jsonBody))
    }
}

extension TestResponse {
    var problemType: String? { (json["type"] as? String).map { $0.replacingOccurrences(of: "urn:arbiter:problem:", with: "") } }
    var isProblem: Bool { headers[.contentType] == "application/problem+json" }
}

@Suite struct ManagementAuthorizationTests {
    @Test func noTokenIs401WithABearerChallenge() async throws {
        let m = try await ManagementApp()
        try await m.test { client in
            for (method, uri) in [(HTTPRequest.Method.get, "/api/applications"), (.post, "/api/applications"),
                                  (.get, "/api/applications/app_x/clients"), (.post, "/api/applications/app_x/clients/cli_x/secrets")] {
                let response = try await client.call(method, uri, nil, method == .post ? ["name": "x"] : nil)
                #expect(response.status == .unauthorized)
                #expect(response.isProblem)
                #expect(response.problemType == "authentication-required")
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            }
            let garbage = try await client.call(.get, "/api/applications", "not.a.token")
            #expect(garbage.status == .unauthorized)
            #expect(garbage.isProblem)
            #expect(garbage.problemType == "invalid-token")
            #expect(garbage.headers[.wwwAuthenticate]?.contains(#"error="invalid_token""#) == true)
        }
    }

    @Test func aTokenWithoutArbiterAPIIs403() async throws {
        let m = try await ManagementApp()
        let token = try await m.userToken("acme", scopes: ["openid", "tenant_context"]).token
        try await m.test { client in
            let response = try await client.call(.get, "/api/applications", token)
            #expect(response.status == .forbidden)
            #expect(response.problemType == "insufficient-scope")
            #expect(response.headers[.wwwAuthenticate]?.contains(#"error="insufficient_scope""#) == true)
            let create = try await client.call(.post, "/api/applications", token, ["name": "Billing"])
            #expect(create.status == .forbidden)
        }
        #expect(try m.services.clients.applications(tenantId: m.tenantId("acme"), after: nil, limit: 10).items.isEmpty)
    }

    @Test func automationClientsWithArbiterAPIGetNoManagementRights() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let machine = try await m.clientToken()
        try await m.test { client in
            let app = try await client.call(.post, "/api/applications", admin, ["name": "Billing"])
            let appId = try #require(app.json["id"] as? String)
            for (method, uri, body) in [
                (HTTPRequest.Method.get, "/api/applications", nil),
                (.post, "/api/applications", ["name": "Other"]),
                (.get, "/api/applications/\(appId)", nil),
                (.patch, "/api/applications/\(appId)", ["name": "Renamed"]),
                (.delete, "/api/applications/\(appId)", nil),
                (.post, "/api/applications/\(appId)/clients", ["name": "x", "purpose": "automation", "scopes": ["arbiter.api"]]),
                (.post, "/api/applications/\(appId)/environments", ["kind": "production"]),
            ] as [(HTTPRequest.Method, String, [String: Any]?)] {
                let response = try await client.call(method, uri, machine, body)
                #expect(response.status == .forbidden, "\(method) \(uri)")
                #expect(response.problemType == "forbidden")
            }
        }
        #expect(try m.services.clients.application(tenantId: m.tenantId("acme"), id: "x") == nil)
        #expect(try m.services.clients.applications(tenantId: m.tenantId("acme"), after: nil, limit: 10).items.map(\.name) == ["Billing"])
    }

    @Test func membersReadButCannotWrite() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let member = try await m.memberToken()
        try await m.test { client in
            let app = try await client.call(.post, "/api/applications", admin, ["name": "Billing"])
            let appId = try #require(app.json["id"] as? String)
            let created = try await client.call(
                .post, "/api/applications/\(appId)/clients", admin, ["name": "Sync", "purpose": "automation", "scopes": ["arbiter.api"]])
            let clientId = try #require(created.json["clientId"] as? String)
            let environment = try await client.call(.post, "/api/applications/\(appId)/environments", admin, ["kind": "development"])
            #expect(environment.status == .created)

            for uri in ["/api/applications", "/api/applications/\(appId)", "/api/applications/\(appId)/clients",
                        "/api/applications/\(appId)/clients/\(clientId)", "/api/applications/\(appId)/environments"] {
                let response = try await client.call(.get, uri, member)
                #expect(response.status == .ok, "GET \(uri)")
            }
            let listed = try await client.call(.get, "/api/applications", member)
            #expect((listed.json["items"] as? [[String: Any]])?.count == 1)

            for (method, uri, body) in [
                (HTTPRequest.Method.post, "/api/applications", ["name": "Other"]),
                (.patch, "/api/applications/\(appId)", ["name": "Renamed"]),
                (.delete, "/api/applications/\(appId)", nil),
                (.post, "/api/applications/\(appId)/environments", ["kind": "staging"]),
                (.post, "/api/applications/\(appId)/clients", ["name": "x", "purpose": "automation", "scopes": ["arbiter.api"]]),
                (.patch, "/api/applications/\(appId)/clients/\(clientId)", ["name": "Renamed"]),
                (.delete, "/api/applications/\(appId)/clients/\(clientId)", nil),
                (.post, "/api/applications/\(appId)/clients/\(clientId)/secrets", ["gracePeriodSeconds": 0]),
            ] as [(HTTPRequest.Method, String, [String: Any]?)] {
                let response = try await client.call(method, uri, member, body)
                #expect(response.status == .forbidden, "\(method) \(uri)")
                #expect(response.isProblem && response.problemType == "forbidden")
            }
        }
        let tenantId = m.tenantId("acme")
        let apps = try m.services.clients.applications(tenantId: tenantId, after: nil, limit: 10).items
        #expect(apps.map(\.name) == ["Billing"])
        let clients = try m.services.clients.clients(tenantId: tenantId, applicationId: apps[0].id, after: nil, limit: 10).items
        #expect(clients.map(\.name) == ["Sync"] && clients[0].secrets.count == 1)
    }

    @Test func deprovisionedUsersAndEndedSessionsAreRefused() async throws {
        let m = try await ManagementApp()
        let inactive = try await m.memberToken(active: false, roles: ["administrator"])
        let (admin, session) = try await m.userToken("acme")
        try await m.test { client in
            let denied = try await client.call(.get, "/api/applications", inactive)
            #expect(denied.status == .forbidden)
            #expect(try await client.call(.get, "/api/applications", admin).status == .ok)
            try await m.services.sessions.revoke(tenantId: m.tenantId("acme"), id: session.id, reason: "sign-out", actor: "test")
            let revoked = try await client.call(.get, "/api/applications", admin)
            #expect(revoked.status == .unauthorized)
            #expect(revoked.problemType == "invalid-token")
        }
    }

    @Test func anotherTenantsIdsAre404AndLeaveItsDataUnchanged() async throws {
        let m = try await ManagementApp()
        let acmeAdmin = try await m.adminToken("acme")
        let globexAdmin = try await m.adminToken("globex")
        let (theirApp, theirClient, theirSecret): (String, String, String) = try await m.test { client in
            let app = try await client.call(.post, "/api/applications", globexAdmin, ["name": "Globex App", "key": "shared"])
            let appId = try #require(app.json["id"] as? String)
            let created = try await client.call(
                .post, "/api/applications/\(appId)/clients", globexAdmin,
                ["name": "Globex sync", "purpose": "automation", "scopes": ["arbiter.api"]])
            #expect(try await client.call(.post, "/api/applications/\(appId)/environments", globexAdmin, ["kind": "production"]).status == .created)
            return (appId, try #require(created.json["clientId"] as? String), try #require(created.json["clientSecret"] as? String))
        }
        let globexId = m.tenantId("globex")
        let before = try m.services.clients.client(tenantId: globexId, id: theirClient)
        let appBefore = try m.services.clients.application(tenantId: globexId, id: theirApp)
        let mine: String = try await m.test { client in
            let app = try await client.call(.post, "/api/applications", acmeAdmin, ["name": "Acme App"])
            return try #require(app.json["id"] as? String)
        }
        try await m.test { client in
            let attempts: [(HTTPRequest.Method, String, [String: Any]?)] = [
                (.get, "/api/applications/\(theirApp)", nil),
                (.patch, "/api/applications/\(theirApp)", ["name": "Pwned"]),
                (.delete, "/api/applications/\(theirApp)", nil),
                (.get, "/api/applications/\(theirApp)/environments", nil),
                (.post, "/api/applications/\(theirApp)/environments", ["kind": "staging"]),
                (.get, "/api/applications/\(theirApp)/clients", nil),
                (.post, "/api/applications/\(theirApp)/clients", ["name": "x", "purpose": "automation", "scopes": ["arbiter.api"]]),
                (.get, "/api/applications/\(theirApp)/clients/\(theirClient)", nil),
                (.patch, "/api/applications/\(theirApp)/clients/\(theirClient)", ["status": "disabled"]),
                (.delete, "/api/applications/\(theirApp)/clients/\(theirClient)", nil),
                (.post, "/api/applications/\(theirApp)/clients/\(theirClient)/secrets", ["gracePeriodSeconds": 0]),
                // Their client under my application: still not mine.
                (.get, "/api/applications/\(mine)/clients/\(theirClient)", nil),
                (.patch, "/api/applications/\(mine)/clients/\(theirClient)", ["name": "Pwned"]),
                (.delete, "/api/applications/\(mine)/clients/\(theirClient)", nil),
                (.post, "/api/applications/\(mine)/clients/\(theirClient)/secrets", [:]),
            ]
            for (method, uri, body) in attempts {
                let response = try await client.call(method, uri, acmeAdmin, body)
                #expect(response.status == .notFound, "\(method) \(uri)")
                #expect(response.isProblem && response.problemType == "not-found")
            }
            let listed = try await client.call(.get, "/api/applications", acmeAdmin)
            #expect((listed.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [mine])
            // The key namespace is per tenant: acme may use globex's key.
            #expect(try await client.call(.post, "/api/applications", acmeAdmin, ["name": "Mine too", "key": "shared"]).status == .created)
        }
        #expect(try m.services.clients.client(tenantId: globexId, id: theirClient) == before)
        #expect(try m.services.clients.application(tenantId: globexId, id: theirApp) == appBefore)
        #expect(try m.services.clients.environments(tenantId: globexId, applicationId: theirApp).count == 1)
        #expect(try m.services.clients.authenticate(clientId: theirClient, secret: theirSecret) != nil)
    }

    @Test func crossTenantResourcesAreDeniedByRuleToo() async throws {
        let m = try await ManagementApp()
        let token = try await m.adminToken("acme")
        let verified = try await m.services.tokenVerifier.verify(token)
        let authorizer = ManagementAuthorizer(services: m.services)
        let caller = try authorizer.caller(token: verified)
        #expect(caller.tenantId == m.tenantId("acme"))
        let own = ManagementAuthorizer.application(tenantId: caller.tenantId, id: "app_1")
        #expect(authorizer.allows(caller, .update, own))
        let foreign = ManagementAuthorizer.application(tenantId: m.tenantId("globex"), id: "app_2")
        let decision = authorizer.decide(caller, .read, foreign, related: [])
        #expect(decision.decision == Decision.Effect.deny)
        #expect(decision.reasons == ["users-stay-in-their-tenant"])
    }
}
