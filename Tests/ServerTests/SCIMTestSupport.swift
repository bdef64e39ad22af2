import Evaluator
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Identity
import NIOCore
import Store
import Testing
@testable import Server

/// Tenants with enterprise connections whose SCIM tokens are rotated, and SCIM calls.
struct SCIMFixture {
    let f: RuntimeFixture
    var m: ManagementApp { f.m }
    var services: ArbiterApplication.Services { m.services }

    init() async throws { f = try await RuntimeFixture() }

    /// A connection of `slug` provisioning into its first organization with `roles`, and its
    /// freshly rotated SCIM token.
    func connection(_ slug: String = "acme", roles: [String] = ["member"], jit: Bool = true) async throws -> (id: String, token: String) {
        let tenantId = m.tenantId(slug)
        let id = RandomID.make(prefix: "con")
        let now = Date()
        let connection = EnterpriseConnection(
            id: id, tenantId: tenantId, type: .oidc, name: "Okta", providerKey: "okta",
            oidc: OIDCSettings(issuer: "https://example.okta.com", clientId: "abc", scopes: ["openid"], claimMappings: [:]),
            jit: jit ? JITDefaults(organizationId: m.tenants[slug]!.organizationId, roles: roles) : nil, createdAt: now, updatedAt: now)
        let tables = services.enterpriseTables
        try await services.environment.write { txn in
            try txn.putJSON(tables.connections, Key(.string(tenantId), .string(id)), connection)
            try txn.put(tables.connectionTenants, Key(.string(id)), Array(tenantId.utf8))
        }
        let token = try await services.scimTokens.rotate(tenantId: tenantId, connectionId: id, actor: "test")
        return (id, token)
    }

    static func base(_ connectionId: String) -> String { "/scim/v2/enterprise-connections/\(connectionId)" }

    static func user(_ userName: String, active: Bool = true, externalId: String? = nil) -> [String: Any] {
        var body: [String: Any] = [
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": userName,
            "name": ["givenName": "Ada", "familyName": "Lovelace"],
            "emails": [["value": "\(userName)@example.com", "type": "work", "primary": true]], "active": active,
        ]
        if let externalId { body["externalId"] = externalId }
        return body
    }

    static func group(_ displayName: String, members: [String] = []) -> [String: Any] {
        [
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": displayName,
            "members": members.map { ["value": $0] },
        ]
    }

    static func patch(_ operations: [[String: Any]]) -> [String: Any] {
        ["schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations]
    }

    /// A sign-in session of a provisioned user and a refresh token under it.
    func signIn(_ slug: String, userId: String) async throws -> (session: SignInSession, refreshToken: String) {
        let tenantId = m.tenantId(slug), tables = services.membershipTables
        let (tenant, user, membership) = try services.environment.read { txn in
            (try txn.getJSON(Tenant.self, tables.identity.tenants, Key(.string(tenantId)))!,
             try txn.user(tenantId: tenantId, id: userId, tables: tables)!,
             try txn.memberships(ofUser: userId, tenantId: tenantId, tables: tables)[0])
        }
        let session = try await services.sessions.start(SignedInUser(tenant: tenant, user: user, membership: membership))
        let client = try await m.webClient(slug)
        let refresh = try await services.refreshTokens.issue(client: client, session: session, scopes: ["openid"])
        return (session, refresh)
    }

    /// A check of `action` by the user `userId` on the tenant, as an application backend asks it.
    func check(_ client: any TestClientProtocol, _ checker: String, userId: String, action: String) async throws -> TestResponse {
        try await client.check(checker, ["action": action, "principal": ["type": "User", "id": userId]])
    }
}

extension TestClientProtocol {
    /// A SCIM request: bearer token, `application/scim+json` body.
    func scim(_ method: HTTPRequest.Method, _ uri: String, _ token: String?, _ body: [String: Any]? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/scim+json" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map(jsonBody))
    }
}

extension TestResponse {
    var isSCIM: Bool { headers[.contentType] == "application/scim+json" }
    var scimType: String? { json["scimType"] as? String }
    var isSCIMError: Bool {
        isSCIM && (json["schemas"] as? [String]) == ["urn:ietf:params:scim:api:messages:2.0:Error"]
            && json["status"] as? String == String(status.code)
    }
    var resources: [[String: Any]] { json["Resources"] as? [[String: Any]] ?? [] }
}
