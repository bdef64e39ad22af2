import Evaluator
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import PolicyLang
import Store
import Testing
@testable import Server

/// `check-scoped` on a 4-level tree of acme's organization:
/// /acme (0) → /acme/projects (1) → /acme/projects/apollo (2) → /acme/projects/apollo/db (3),
/// asked by a plain member with their own token.
@Suite struct CheckScopedRouteTests {
    struct Tree {
        var root: String
        var projects: String
        var apollo: String
        var db: String
    }

    func tree(_ client: any TestClientProtocol, _ m: ManagementApp, _ admin: String) async throws -> Tree {
        let org = m.organizationId()
        let root = try await client.createScope(admin, organizationId: org, name: "acme")
        let projects = try await client.createScope(admin, organizationId: org, parentId: root, name: "projects")
        let apollo = try await client.createScope(admin, organizationId: org, parentId: projects, name: "apollo")
        let db = try await client.createScope(admin, organizationId: org, parentId: apollo, name: "db")
        return Tree(root: root, projects: projects, apollo: apollo, db: db)
    }

    func grant(
        _ client: any TestClientProtocol, _ admin: String, _ scope: String, _ member: String, _ grants: [(String, String)]
    ) async throws {
        let body: [String: Any] = ["grants": grants.map { ["action": $0.0, "effect": $0.1] }]
        let response = try await client.call(.put, "/api/runtime/scopes/\(scope)/grants/\(member)", admin, body)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
    }

    /// `memberToken` writes the user and membership straight into the tables; project the
    /// user into the graph as the memberships API would.
    func project(_ m: ManagementApp, _ userId: String, slug: String = "acme") async throws {
        let (tenantId, graph, tables, licensing) = (m.tenantId(slug), m.services.graph, m.services.membershipTables, m.services.licensing)
        try await m.services.environment.write { txn in
            try IdentityFacts.projectUser(tenantId: tenantId, userId: userId, graph: graph, tables: tables, licensing: licensing, in: txn)
            try txn.bumpRevision(tenant: tenantId)
        }
    }

    func check(_ client: any TestClientProtocol, _ token: String?, _ body: [String: Any]) async throws -> TestResponse {
        try await client.call(.post, "/api/runtime/authorization/check-scoped", token, body)
    }

    @Test func nearestScopeWinsAndPathsNameScopes() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let token = try await m.memberToken()
        let member = try m.memberUserId()
        try await project(m, member)
        try await m.test { client in
            let t = try await tree(client, m, admin)
            try await grant(client, admin, t.root, member, [("read", "deny")])
            try await grant(client, admin, t.apollo, member, [("read", "allow")])

            let answer = try await check(client, token, ["action": "read", "scope": t.db])
            #expect(answer.status == .ok, "\(String(buffer: answer.body))")
            #expect(answer.json["decision"] as? String == "allow")
            #expect(answer.json["allowed"] as? Bool == true)
            #expect(answer.json["matchedScope"] as? String == t.apollo)
            #expect(answer.json["matchedScopePath"] as? String == "/acme/projects/apollo")
            #expect(answer.json["scopeDepth"] as? Int == 2)
            #expect(answer.json["scopeEffect"] as? String == "allow")
            #expect(answer.json["basis"] as? String == "scope")
            #expect((answer.json["scope"] as? [String: String])?["path"] == "/acme/projects/apollo/db")
            #expect(answer.json["revision"] is String)
            #expect(answer.json["permVer"] is Int && answer.json["entVer"] is Int)

            // The same scope named by its path.
            let byPath = try await check(client, token, ["action": "read", "scope": "/acme/projects/apollo/db"])
            #expect(byPath.json["matchedScope"] as? String == t.apollo)
            #expect((byPath.json["scope"] as? [String: String])?["id"] == t.db)

            // Above apollo only the root's deny is on the way.
            let above = try await check(client, token, ["action": "read", "scope": "/acme/projects"])
            #expect(above.json["decision"] as? String == "deny")
            #expect(above.json["matchedScope"] as? String == t.root)
            #expect(above.json["scopeDepth"] as? Int == 0)
            #expect(above.json["scopeEffect"] as? String == "deny")

            // A nearer deny beats the farther allow.
            try await grant(client, admin, t.db, member, [("read", "deny")])
            let nearer = try await check(client, token, ["action": "read", "scope": t.db])
            #expect(nearer.json["decision"] as? String == "deny")
            #expect(nearer.json["scopeDepth"] as? Int == 3)
            #expect(try await check(client, token, ["action": "read", "scope": t.apollo]).json["decision"] as? String == "allow")

            // Another member's grants are not this member's.
            let adminAnswer = try await check(client, admin, ["action": "read", "scope": t.db])
            #expect(adminAnswer.json["matchedScope"] is NSNull)
            #expect(adminAnswer.json["basis"] as? String == "policy")
            // No built-in management rule leaks into check-scoped: an administrator gets no
            // `read` on scopes from the policies.
            #expect(adminAnswer.json["decision"] as? String == "deny")
        }
    }

    @Test func grantsCountOnlyForCurrentMembersOfTheOrganization() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let token = try await m.memberToken()
        let member = try m.memberUserId()
        let tenantId = m.tenantId("acme")
        try await m.test { client in
            let t = try await tree(client, m, admin)
            // Not yet in the graph as a member of the organization: the tree is silent.
            try await grant(client, admin, t.apollo, member, [("read", "allow")])
            let before = try await check(client, token, ["action": "read", "scope": t.db])
            #expect(before.json["matchedScope"] is NSNull)
            #expect(before.json["decision"] as? String == "deny")
            try await project(m, member)
            let member1 = try await check(client, token, ["action": "read", "scope": t.db])
            #expect(member1.json["matchedScope"] as? String == t.apollo)
            #expect(member1.json["decision"] as? String == "allow")
            // The membership ends (the user stays in the tenant): the grant no longer counts.
            let tables = m.services.identityTables
            try await m.services.environment.write { txn in
                for row in try txn.entries(tables.memberships, prefix: Key(.string(tenantId))) {
                    if try StoredJSON.decode(Membership.self, from: row.value).userId == member { try txn.delete(tables.memberships, row.key) }
                }
            }
            try await project(m, member)
            let after = try await check(client, token, ["action": "read", "scope": t.db])
            #expect(after.json["matchedScope"] is NSNull)
            #expect(after.json["decision"] as? String == "deny")
        }
    }

    @Test func denyBeatsAllowAtEqualDepthAndWildcards() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let token = try await m.memberToken()
        let member = try m.memberUserId()
        try await project(m, member)
        try await m.test { client in
            let t = try await tree(client, m, admin)
            // One scope, both effects match `write`: deny wins.
            try await grant(client, admin, t.apollo, member, [("write", "allow"), ("*", "deny")])
            let write = try await check(client, token, ["action": "write", "scope": t.db])
            #expect(write.json["decision"] as? String == "deny")
            #expect(write.json["matchedScope"] as? String == t.apollo)
            #expect(write.json["scopeDepth"] as? Int == 2)
            #expect(write.json["scopeEffect"] as? String == "deny")

            // `*` at projects covers any action; a specific grant nearer still wins for its action.
            try await grant(client, admin, t.apollo, member, [("read", "allow")])
            try await grant(client, admin, t.projects, member, [("*", "allow"), ("read", "deny")])
            let delete = try await check(client, token, ["action": "delete", "scope": t.db])
            #expect(delete.json["decision"] as? String == "allow")
            #expect(delete.json["matchedScope"] as? String == t.projects)
            #expect(delete.json["scopeDepth"] as? Int == 1)
            let read = try await check(client, token, ["action": "read", "scope": t.db])
            #expect(read.json["decision"] as? String == "allow")
            #expect(read.json["matchedScope"] as? String == t.apollo)
            // At projects itself, `*` allow and `read` deny are at equal depth: deny.
            let readAtProjects = try await check(client, token, ["action": "read", "scope": t.projects])
            #expect(readAtProjects.json["decision"] as? String == "deny")
            #expect(readAtProjects.json["scopeEffect"] as? String == "deny")

            // No grant on the way for the action: the policies decide (nothing allows: deny).
            #expect(try await client.call(.delete, "/api/runtime/scopes/\(t.projects)/grants/\(member)", admin).status == .noContent)
            let share = try await check(client, token, ["action": "share", "scope": t.db])
            #expect(share.json["decision"] as? String == "deny")
            #expect(share.json["matchedScope"] is NSNull)
            #expect(share.json["scopeDepth"] is NSNull)
            #expect(share.json["scopeEffect"] is NSNull)
            #expect(share.json["basis"] as? String == "policy")
        }
    }

    @Test func compiledDenyRulesOverrideScopeAllows() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let token = try await m.memberToken()
        let member = try m.memberUserId()
        try await project(m, member)
        let tenantId = m.tenantId("acme")
        try await m.test { client in
            let t = try await tree(client, m, admin)
            let hermes = try await client.createScope(admin, organizationId: m.organizationId(), parentId: t.projects, name: "hermes")
            try await grant(client, admin, t.db, member, [("*", "allow")])
            try await grant(client, admin, hermes, member, [("*", "allow"), ("view", "deny")])
            #expect(try await check(client, token, ["action": "export", "scope": t.db]).json["decision"] as? String == "allow")

            // The tenant's bundle: no exports anywhere under apollo; everyone may view.
            let output = PolicyBuild.build(files: ["acme.yaml": """
                kind: policy
                id: acme-rules
                rules:
                  - id: no-export-under-apollo
                    effect: deny
                    actions: [export]
                    when: resource in Scope::"\(t.apollo)"
                  - id: everyone-views
                    effect: allow
                    actions: [view]
                """])
            let bundle = try #require(output.bundle, "\(output.diagnostics)")
            let info = try await m.services.tenantBundles.save(bundle, tenant: tenantId, actor: "test", activate: true)
            m.services.policies.activate(ActiveBundle(version: info.version, program: Program(bundle: bundle)), tenant: tenantId)

            let export = try await check(client, token, ["action": "export", "scope": t.db])
            #expect(export.json["decision"] as? String == "deny")
            #expect(export.json["basis"] as? String == "policyDeny")
            #expect(export.json["reasons"] as? [String] == ["no-export-under-apollo"])
            // The scope walk still says what it found.
            #expect(export.json["matchedScope"] as? String == t.db)
            #expect(export.json["scopeEffect"] as? String == "allow")
            // Outside apollo the same grant allows.
            let elsewhere = try await check(client, token, ["action": "export", "scope": hermes])
            #expect(elsewhere.json["decision"] as? String == "allow")
            #expect(elsewhere.json["basis"] as? String == "scope")
            // A named resource under apollo is caught by the rule too.
            let named = try await check(
                client, token, ["action": "export", "scope": hermes, "resource": ["type": "Scope", "id": t.db]])
            #expect(named.json["decision"] as? String == "deny")

            // A scope deny refuses where a policy allows; with no grant, the policy's allow stands.
            let view = try await check(client, token, ["action": "view", "scope": hermes])
            #expect(view.json["decision"] as? String == "deny")
            #expect(view.json["basis"] as? String == "scope")
            let viewRoot = try await check(client, token, ["action": "view", "scope": t.root])
            #expect(viewRoot.json["decision"] as? String == "allow")
            #expect(viewRoot.json["basis"] as? String == "policy")
            #expect(viewRoot.json["reasons"] as? [String] == ["everyone-views"])
        }
    }

    @Test func entitlementIsRequiredWhenNamed() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let token = try await m.memberToken()
        let member = try m.memberUserId()
        try await project(m, member)
        let tenantId = m.tenantId("acme")
        try await m.test { client in
            let t = try await tree(client, m, admin)
            try await grant(client, admin, t.root, member, [("*", "allow")])
            let missing = try await check(client, token, ["action": "read", "scope": t.db, "entitlement": "billing/invoices"])
            #expect(missing.json["decision"] as? String == "deny")
            #expect(missing.json["basis"] as? String == "notEntitled")
            #expect(missing.json["entitled"] as? Bool == false)

            let feature = EntityUID(type: "Feature", id: "billing/invoices")
            _ = try await m.services.graph.apply(
                tenant: tenantId, upserts: [Evaluator.Entity(uid: feature, attributes: ["entitled": .bool(false)])], actor: "test")
            #expect(try await check(client, token, ["action": "read", "scope": t.db, "entitlement": "billing/invoices"])
                .json["basis"] as? String == "notEntitled")
            _ = try await m.services.graph.apply(
                tenant: tenantId, upserts: [Evaluator.Entity(uid: feature, attributes: ["entitled": .bool(true)])], actor: "test")
            let entitled = try await check(client, token, ["action": "read", "scope": t.db, "entitlement": "billing/invoices"])
            #expect(entitled.json["decision"] as? String == "allow")
            #expect(entitled.json["entitled"] as? Bool == true)
            #expect(entitled.json["basis"] as? String == "scope")
            // Without entitlement the field is absent.
            #expect(try await check(client, token, ["action": "read", "scope": t.db]).json["entitled"] == nil)
        }
    }

    @Test func unknownAndForeignScopesAndBadBodies() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let token = try await m.memberToken()
        let member = try m.memberUserId()
        try await project(m, member)
        let globex = try await m.adminToken("globex")
        try await m.test { client in
            let t = try await tree(client, m, admin)
            for scope in ["scp_nope", "/nope", "/acme/projects/nope", "not-a-path-or-id"] {
                let answer = try await check(client, token, ["action": "read", "scope": scope])
                #expect(answer.status == .notFound, "\(scope)")
            }
            // Another tenant's scope, by id or path, is not found from globex.
            #expect(try await check(client, globex, ["action": "read", "scope": t.db]).status == .notFound)
            #expect(try await check(client, globex, ["action": "read", "scope": "/acme/projects"]).status == .notFound)

            let noScope = try await check(client, token, ["action": "read"])
            #expect(noScope.status == .badRequest)
            #expect(noScope.fieldErrors == ["scope"])
            let bad = try await check(client, token, ["action": "read", "scope": 5, "entitlement": false, "extra": 1])
            #expect(Set(bad.fieldErrors) == ["scope", "entitlement", "extra"])
            #expect(try await check(client, token, ["scope": t.db]).fieldErrors == ["action"])
            #expect(try await check(client, nil, ["action": "read", "scope": t.db]).status == .unauthorized)
            // Naming another principal needs the capability scope.
            let other = try await check(
                client, token, ["action": "read", "scope": t.db, "principal": ["type": "User", "id": m.tenants["acme"]!.administratorUserId]])
            #expect(other.status == .forbidden)
            // A revision the tenant has not reached.
            #expect(try await check(client, token, ["action": "read", "scope": t.db, "atLeastRevision": "99999999"]).status == .conflict)

            // perm_ver in the answer moves with the member's grants.
            let before = try #require(try await check(client, token, ["action": "read", "scope": t.db]).json["permVer"] as? Int)
            try await grant(client, admin, t.db, member, [("read", "allow")])
            let after = try await check(client, token, ["action": "read", "scope": t.db])
            #expect(after.json["permVer"] as? Int == before + 1)
            #expect(after.json["decision"] as? String == "allow")
            // Read-your-writes: the revision answered is at least that of the change.
            let revision = try #require(after.json["revision"] as? String)
            #expect(try await check(client, token, ["action": "read", "scope": t.db, "atLeastRevision": revision]).status == .ok)
        }
    }
}
