import Evaluator
import Foundation
import Identity
import PolicyLang
import Store
import Testing
@testable import Server

/// Helpers shared by the manifest, marketplace and licensing route tests.
extension ManagementApp {
    /// An application of the tenant (external by default) and a client-credentials token of
    /// a client of it (a `manifest_publisher` with `arbiter.manifest.publish` by default,
    /// as `arbiter admin create-client` makes it).
    func manifestPublisher(
        _ slug: String = "acme", key: String = "crm", external: Bool = true,
        purpose: ClientPurpose = .manifestPublisher, scopes: [String] = ["arbiter.manifest.publish"]
    ) async throws -> (token: String, applicationId: String) {
        let tenantId = tenantId(slug)
        let application = try await services.clients.createApplication(
            tenantId: tenantId, name: key.uppercased(), key: key, externalConsumption: external, actor: "test")
        let client = OAuthClient(
            clientId: RandomID.make(prefix: "cli"), tenantId: tenantId, applicationId: application.id, name: "Publisher",
            purpose: purpose, status: .active, scopes: scopes, secrets: [], createdAt: Date())
        let tables = services.oauthTables
        try await services.environment.write { txn in
            try txn.putJSON(tables.clients, Key(.string(tenantId), .string(client.clientId)), client)
            try txn.put(tables.clientTenants, Key(.string(client.clientId)), Array(tenantId.utf8))
        }
        let token = try await services.tokenIssuer.issue(client: client, tenantSlug: slug, scopes: scopes).token
        return (token, application.id)
    }

    func licensingUserId(_ slug: String, _ userName: String) throws -> String {
        let tenantId = tenantId(slug)
        let tables = services.identityTables
        let bytes = try services.environment.read { try $0.get(tables.userNames, Key(.string(tenantId), .string(userName.lowercased()))) }
        return String(decoding: try #require(bytes), as: UTF8.self)
    }

    func graphEntity(_ slug: String, _ type: String, _ id: String) throws -> Evaluator.Entity? {
        try services.graph.read(tenant: tenantId(slug)) { try $0.entity(EntityUID(type: type, id: id)) }
    }

    func entVersion(_ slug: String, _ subject: String) throws -> Int64 {
        let tables = services.identityTables
        return try services.environment.read {
            try $0.subjectVersions(tenantId: tenantId(slug), subjectId: subject, tables: tables).entVer
        }
    }

    func tenantRevision(_ slug: String) throws -> UInt64 {
        try services.environment.read { try $0.revision(tenant: tenantId(slug)) }
    }

    /// A User entity as the identity projection writes it, for users the tests made
    /// straight in the tables.
    func projectTestUser(_ slug: String, _ userId: String, roles: [String], active: Bool = true) async throws {
        let tenant = EntityUID(type: "Tenant", id: tenantId(slug))
        let user = Evaluator.Entity(
            uid: EntityUID(type: "User", id: userId),
            attributes: [
                "tenant": .entity(tenant), "userName": .string(userId), "email": .string("\(userId)@x.example"),
                "active": .bool(active), "roles": .set(Set(roles.map(Value.string))),
            ],
            parents: [tenant] + roles.map { EntityUID(type: "Role", id: $0) })
        _ = try await services.graph.apply(tenant: tenantId(slug), upserts: [user], actor: "test")
    }

    /// The built-in policies' decision over the tenant's graph, as a runtime check makes it.
    func licensingDecision(_ slug: String, user: String, action: String, feature: String) throws -> Decision {
        let authorizer = Authorizer(program: services.policies.builtIn)
        return try services.graph.read(tenant: tenantId(slug)) { entities in
            authorizer.authorize(
                Evaluator.Request(
                    principal: EntityUID(type: "User", id: user), action: EntityUID(type: "Action", id: action),
                    resource: EntityUID(type: "Feature", id: feature)),
                entities: entities)
        }
    }
}

/// The `crm` manifest: `reports` needs the analyst role and a seat and declares `export`;
/// `contacts` is open to every member.
var crmManifest: [String: Any] { [
    "version": "1.0.0",
    "features": [
        ["key": "reports", "name": "Reports", "actions": ["export", "view"], "roles": ["analyst"], "seatRequired": true],
        ["key": "contacts", "name": "Contacts", "actions": ["list"]],
    ],
] }
