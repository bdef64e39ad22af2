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

/// Helpers shared by the scope suites: ids of the test tenants' users and scopes.
extension ManagementApp {
    func organizationId(_ slug: String = "acme") -> String { tenants[slug]!.organizationId }

    /// The user id behind `memberToken(slug)` (its user name is derived from its roles).
    func memberUserId(_ slug: String = "acme", roles: [String] = ["member"], active: Bool = true) throws -> String {
        let tenantId = tenantId(slug)
        let name = "member-\(roles.joined(separator: "-"))-\(active)"
        let tables = services.identityTables
        let bytes = try services.environment.read { try $0.get(tables.userNames, Key(.string(tenantId), .string(name))) }
        return String(decoding: try #require(bytes), as: UTF8.self)
    }

    func permVer(_ slug: String, _ subjectId: String) throws -> Int64 {
        let tenantId = tenantId(slug)
        let tables = services.identityTables
        return try services.environment.read { try $0.subjectVersions(tenantId: tenantId, subjectId: subjectId, tables: tables) }.permVer
    }
}

extension TestClientProtocol {
    /// Creates a scope and returns its id.
    func createScope(_ token: String, organizationId: String, parentId: String? = nil, name: String) async throws -> String {
        var body: [String: Any] = ["organizationId": organizationId, "name": name]
        if let parentId { body["parentId"] = parentId }
        let response = try await call(.post, "/api/runtime/scopes", token, body)
        #expect(response.status == .created, "creating scope \(name): \(String(buffer: response.body))")
        return try #require(response.json["id"] as? String)
    }
}

@Suite struct ScopeRouteTests {
    @Test func createReadListDeleteATree() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let org = m.organizationId()
        let tenantId = m.tenantId("acme")
        try await m.test { client in
            let created = try await client.call(.post, "/api/runtime/scopes", admin, ["organizationId": org, "name": "acme"])
            #expect(created.status == .created)
            let root = try #require(created.json["id"] as? String)
            #expect(root.hasPrefix("scp_"))
            #expect(created.headers[.location] == "/api/runtime/scopes/\(root)")
            #expect(created.json["path"] as? String == "/acme")
            #expect(created.json["depth"] as? Int == 0)
            #expect(created.json["parentId"] == nil)
            #expect(created.json["organizationId"] as? String == org)
            let projects = try await client.createScope(admin, organizationId: org, parentId: root, name: "projects")
            let apollo = try await client.createScope(admin, organizationId: org, parentId: projects, name: "apollo")
            let db = try await client.createScope(admin, organizationId: org, parentId: apollo, name: "db")

            let fetched = try await client.call(.get, "/api/runtime/scopes/\(db)", admin)
            #expect(fetched.status == .ok)
            #expect(fetched.json["path"] as? String == "/acme/projects/apollo/db")
            #expect(fetched.json["depth"] as? Int == 3)
            #expect(fetched.json["parentId"] as? String == apollo)
            #expect(fetched.json["name"] as? String == "db")

            // Paging, by organization and tenant-wide.
            let first = try await client.call(.get, "/api/runtime/scopes?organizationId=\(org)&limit=3", admin)
            #expect(first.status == .ok)
            let firstItems = try #require(first.json["items"] as? [[String: Any]])
            #expect(firstItems.count == 3)
            let after = try #require(first.json["nextAfter"] as? String)
            let second = try await client.call(.get, "/api/runtime/scopes?organizationId=\(org)&limit=3&after=\(after)", admin)
            let secondItems = try #require(second.json["items"] as? [[String: Any]])
            #expect(secondItems.count == 1)
            #expect(second.json["nextAfter"] == nil)
            let ids = Set((firstItems + secondItems).compactMap { $0["id"] as? String })
            #expect(ids == [root, projects, apollo, db])
            let all = try await client.call(.get, "/api/runtime/scopes", admin)
            #expect(Set((all.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }) == ids)
            #expect(try await client.call(.get, "/api/runtime/scopes?organizationId=org_nope", admin).status == .notFound)
            #expect(try await client.call(.get, "/api/runtime/scopes?limit=0", admin).fieldErrors == ["limit"])

            // The graph holds the tree.
            let entity = try m.services.graph.read(tenant: tenantId) { try $0.entity(EntityUID(type: "Scope", id: db)) }
            #expect(entity?.parents == [EntityUID(type: "Scope", id: apollo)])
            #expect(entity?.attributes["path"] == .string("/acme/projects/apollo/db"))
            #expect(entity?.attributes["depth"] == .long(3))
            let rootEntity = try m.services.graph.read(tenant: tenantId) { try $0.entity(EntityUID(type: "Scope", id: root)) }
            #expect(rootEntity?.parents == [EntityUID(type: "Organization", id: org)])

            // No cascade: a scope with children is refused.
            let refused = try await client.call(.delete, "/api/runtime/scopes/\(apollo)", admin)
            #expect(refused.status == .conflict)
            #expect(refused.problemType == "scope-has-children")
            #expect(try await client.call(.get, "/api/runtime/scopes/\(apollo)", admin).status == .ok)

            let revisionBefore = try m.services.environment.read { try $0.revision(tenant: tenantId) }
            #expect(try await client.call(.delete, "/api/runtime/scopes/\(db)", admin).status == .noContent)
            #expect(try m.services.environment.read { try $0.revision(tenant: tenantId) } > revisionBefore)
            #expect(try await client.call(.get, "/api/runtime/scopes/\(db)", admin).status == .notFound)
            #expect(try await client.call(.delete, "/api/runtime/scopes/\(db)", admin).status == .notFound)
            #expect(try m.services.graph.read(tenant: tenantId) { try $0.entity(EntityUID(type: "Scope", id: db)) } == nil)
            // Its path is free again, and its parent can go now.
            _ = try await client.createScope(admin, organizationId: org, parentId: apollo, name: "db")
        }
        let events = try m.services.environment.read { try $0.auditEvents(tenant: tenantId, limit: 100) }
        #expect(events.filter { $0.action == "scope.create" }.count == 5)
        #expect(events.contains { $0.action == "scope.delete" && $0.reason?.contains("/acme/projects/apollo/db") == true })
    }

    @Test func validationConflictsAndDepth() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let org = m.organizationId()
        try await m.test { client in
            let missing = try await client.call(.post, "/api/runtime/scopes", admin, [:])
            #expect(missing.status == .badRequest)
            #expect(Set(missing.fieldErrors) == ["organizationId", "name"])
            let bad = try await client.call(
                .post, "/api/runtime/scopes", admin, ["organizationId": org, "name": "a/b", "tenantId": "ten_x", "parentId": 3])
            #expect(Set(bad.fieldErrors) == ["name", "tenantId", "parentId"])
            for name in ["", "-x", String(repeating: "a", count: 65), "sp ace", "ü"] {
                #expect(try await client.call(.post, "/api/runtime/scopes", admin, ["organizationId": org, "name": name]).fieldErrors == ["name"])
            }
            #expect(try await client.call(.post, "/api/runtime/scopes", admin, ["organizationId": "org_nope", "name": "x"]).status == .notFound)
            #expect(try await client.call(
                .post, "/api/runtime/scopes", admin, ["organizationId": org, "parentId": "scp_nope", "name": "x"]).status == .notFound)

            let root = try await client.createScope(admin, organizationId: org, name: "root")
            let taken = try await client.call(.post, "/api/runtime/scopes", admin, ["organizationId": org, "name": "root"])
            #expect(taken.status == .conflict)
            #expect(taken.problemType == "scope-path-taken")
            // Same name under another parent is fine.
            let other = try await client.createScope(admin, organizationId: org, name: "other")
            _ = try await client.createScope(admin, organizationId: org, parentId: other, name: "root")

            // 16 levels: depths 0…15; a 17th is refused.
            var parent = root
            for level in 1...15 { parent = try await client.createScope(admin, organizationId: org, parentId: parent, name: "l\(level)") }
            #expect(try await client.call(.get, "/api/runtime/scopes/\(parent)", admin).json["depth"] as? Int == 15)
            let tooDeep = try await client.call(.post, "/api/runtime/scopes", admin, ["organizationId": org, "parentId": parent, "name": "x"])
            #expect(tooDeep.status == .badRequest)
            #expect(tooDeep.fieldErrors == ["parentId"])

            let malformed = try await client.execute(
                uri: "/api/runtime/scopes", method: .post, headers: bearer(admin), body: ByteBuffer(string: "{\"name\":"))
            #expect(malformed.status == .badRequest)
            #expect(try await client.call(.get, "/api/runtime/scopes/" + String(repeating: "x", count: 300), admin).status == .notFound)
        }
    }

    @Test func grantsPutGetDeleteMovePermVer() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        _ = try await m.memberToken()
        let member = try m.memberUserId()
        let org = m.organizationId()
        let tenantId = m.tenantId("acme")
        try await m.test { client in
            let scope = try await client.createScope(admin, organizationId: org, name: "acme")
            let before = try m.permVer("acme", member)
            let put = try await client.call(
                .put, "/api/runtime/scopes/\(scope)/grants/\(member)", admin,
                ["grants": [["action": "read", "effect": "allow"], ["action": "*", "effect": "deny"]]])
            #expect(put.status == .ok, "\(String(buffer: put.body))")
            #expect(put.json["memberId"] as? String == member)
            #expect(put.json["scopeId"] as? String == scope)
            let grants = try #require(put.json["grants"] as? [[String: String]])
            #expect(grants == [["action": "read", "effect": "allow"], ["action": "*", "effect": "deny"]])
            #expect(try m.permVer("acme", member) == before + 1)

            let got = try await client.call(.get, "/api/runtime/scopes/\(scope)/grants/\(member)", admin)
            #expect(got.status == .ok)
            #expect((got.json["grants"] as? [[String: String]])?.count == 2)

            // Replaced as a whole.
            let replaced = try await client.call(
                .put, "/api/runtime/scopes/\(scope)/grants/\(member)", admin, ["grants": [["action": "documents/write", "effect": "allow"]]])
            #expect((replaced.json["grants"] as? [[String: String]]) == [["action": "documents/write", "effect": "allow"]])
            #expect(try m.permVer("acme", member) == before + 2)

            // Every validation error at once.
            let invalid = try await client.call(
                .put, "/api/runtime/scopes/\(scope)/grants/\(member)", admin,
                ["grants": [["action": "read", "effect": "maybe"], ["action": "a b", "effect": "allow"], ["action": "read", "effect": "deny", "x": 1], "read"],
                 "extra": true])
            #expect(invalid.status == .badRequest)
            #expect(Set(invalid.fieldErrors) == ["grants[0].effect", "grants[1].action", "grants[2].x", "grants[3]", "extra"])
            let duplicate = try await client.call(
                .put, "/api/runtime/scopes/\(scope)/grants/\(member)", admin,
                ["grants": [["action": "read", "effect": "allow"], ["action": "read", "effect": "deny"]]])
            #expect(duplicate.fieldErrors == ["grants[1].action"])
            #expect(try await client.call(.put, "/api/runtime/scopes/\(scope)/grants/\(member)", admin, ["grants": []]).fieldErrors == ["grants"])
            #expect(try await client.call(.put, "/api/runtime/scopes/\(scope)/grants/\(member)", admin, [:]).fieldErrors == ["grants"])
            let tooMany = (0..<33).map { ["action": "a\($0)", "effect": "allow"] }
            #expect(try await client.call(.put, "/api/runtime/scopes/\(scope)/grants/\(member)", admin, ["grants": tooMany]).fieldErrors == ["grants"])
            // Nothing of the refused bodies was written.
            #expect((try await client.call(.get, "/api/runtime/scopes/\(scope)/grants/\(member)", admin).json["grants"] as? [[String: String]])?.count == 1)
            #expect(try m.permVer("acme", member) == before + 2)

            // Unknown members and scopes.
            let body: [String: Any] = ["grants": [["action": "read", "effect": "allow"]]]
            #expect(try await client.call(.put, "/api/runtime/scopes/\(scope)/grants/usr_nope", admin, body).status == .notFound)
            #expect(try await client.call(.put, "/api/runtime/scopes/scp_nope/grants/\(member)", admin, body).status == .notFound)
            #expect(try await client.call(.get, "/api/runtime/scopes/\(scope)/grants/usr_nope", admin).status == .notFound)

            #expect(try await client.call(.delete, "/api/runtime/scopes/\(scope)/grants/\(member)", admin).status == .noContent)
            #expect(try m.permVer("acme", member) == before + 3)
            #expect(try await client.call(.delete, "/api/runtime/scopes/\(scope)/grants/\(member)", admin).status == .notFound)
            #expect(try await client.call(.get, "/api/runtime/scopes/\(scope)/grants/\(member)", admin).status == .notFound)

            // Deleting a scope takes its grants with it and moves the members' perm_ver.
            _ = try await client.call(.put, "/api/runtime/scopes/\(scope)/grants/\(member)", admin, body)
            #expect(try m.permVer("acme", member) == before + 4)
            #expect(try await client.call(.delete, "/api/runtime/scopes/\(scope)", admin).status == .noContent)
            #expect(try m.permVer("acme", member) == before + 5)
            let tables = m.services.scopeTables
            #expect(try m.services.environment.read { try $0.grants(tenantId: tenantId, scopeId: scope, tables: tables) }.isEmpty)
        }
        let events = try m.services.environment.read { try $0.auditEvents(tenant: tenantId, limit: 100) }
        #expect(events.contains { $0.action == "scope.grants.put" && $0.reason?.contains("read=allow") == true })
        #expect(events.contains { $0.action == "scope.grants.delete" })
    }

    @Test func anotherTenantsIdsAre404AndLeaveItsDataUnchanged() async throws {
        let m = try await ManagementApp()
        let acmeAdmin = try await m.adminToken("acme")
        let globexAdmin = try await m.adminToken("globex")
        _ = try await m.memberToken("acme")
        let acmeMember = try m.memberUserId("acme")
        let globexUser = m.tenants["globex"]!.administratorUserId
        let acmeOrg = m.organizationId("acme")
        let globexOrg = m.organizationId("globex")
        try await m.test { client in
            let scope = try await client.createScope(acmeAdmin, organizationId: acmeOrg, name: "acme")
            let grant: [String: Any] = ["grants": [["action": "read", "effect": "allow"]]]
            #expect(try await client.call(.put, "/api/runtime/scopes/\(scope)/grants/\(acmeMember)", acmeAdmin, grant).status == .ok)
            let permVer = try m.permVer("acme", acmeMember)

            #expect(try await client.call(.get, "/api/runtime/scopes/\(scope)", globexAdmin).status == .notFound)
            #expect(try await client.call(.delete, "/api/runtime/scopes/\(scope)", globexAdmin).status == .notFound)
            #expect(try await client.call(.put, "/api/runtime/scopes/\(scope)/grants/\(acmeMember)", globexAdmin, grant).status == .notFound)
            #expect(try await client.call(.get, "/api/runtime/scopes/\(scope)/grants/\(acmeMember)", globexAdmin).status == .notFound)
            #expect(try await client.call(.delete, "/api/runtime/scopes/\(scope)/grants/\(acmeMember)", globexAdmin).status == .notFound)
            // Naming acme's organization or parent from globex.
            #expect(try await client.call(.post, "/api/runtime/scopes", globexAdmin, ["organizationId": acmeOrg, "name": "x"]).status == .notFound)
            #expect(try await client.call(
                .post, "/api/runtime/scopes", globexAdmin, ["organizationId": globexOrg, "parentId": scope, "name": "x"]).status == .notFound)
            #expect(try await client.call(.get, "/api/runtime/scopes?organizationId=\(acmeOrg)", globexAdmin).status == .notFound)
            #expect((try await client.call(.get, "/api/runtime/scopes", globexAdmin).json["items"] as? [Any])?.isEmpty == true)
            // Granting acme's scope to a globex user.
            #expect(try await client.call(.put, "/api/runtime/scopes/\(scope)/grants/\(globexUser)", acmeAdmin, grant).status == .notFound)
            // Paths are per tenant: globex may use the same one.
            _ = try await client.createScope(globexAdmin, organizationId: globexOrg, name: "acme")

            // acme's data is as it was.
            let still = try await client.call(.get, "/api/runtime/scopes/\(scope)", acmeAdmin)
            #expect(still.status == .ok)
            #expect(still.json["path"] as? String == "/acme")
            let grants = try await client.call(.get, "/api/runtime/scopes/\(scope)/grants/\(acmeMember)", acmeAdmin)
            #expect((grants.json["grants"] as? [[String: String]]) == [["action": "read", "effect": "allow"]])
            #expect(try m.permVer("acme", acmeMember) == permVer)
        }
    }

    @Test func membersReadButCannotWriteAndClientsGetNothing() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let memberToken = try await m.memberToken()
        let member = try m.memberUserId()
        let clientToken = try await m.clientToken()
        let org = m.organizationId()
        try await m.test { client in
            let scope = try await client.createScope(admin, organizationId: org, name: "acme")
            let grant: [String: Any] = ["grants": [["action": "read", "effect": "allow"]]]
            #expect(try await client.call(.put, "/api/runtime/scopes/\(scope)/grants/\(member)", admin, grant).status == .ok)

            #expect(try await client.call(.get, "/api/runtime/scopes/\(scope)", memberToken).status == .ok)
            #expect((try await client.call(.get, "/api/runtime/scopes", memberToken).json["items"] as? [Any])?.count == 1)
            #expect(try await client.call(.get, "/api/runtime/scopes/\(scope)/grants/\(member)", memberToken).status == .ok)
            for token in [memberToken, clientToken] {
                let create = try await client.call(.post, "/api/runtime/scopes", token, ["organizationId": org, "name": "x"])
                #expect(create.status == .forbidden)
                #expect(try await client.call(.put, "/api/runtime/scopes/\(scope)/grants/\(member)", token, grant).status == .forbidden)
                #expect(try await client.call(.delete, "/api/runtime/scopes/\(scope)/grants/\(member)", token).status == .forbidden)
                #expect(try await client.call(.delete, "/api/runtime/scopes/\(scope)", token).status == .forbidden)
            }
            #expect(try await client.call(.get, "/api/runtime/scopes/\(scope)", clientToken).status == .forbidden)
            let anonymous = try await client.call(.get, "/api/runtime/scopes", nil)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            // Still there, grants unchanged.
            #expect(try await client.call(.get, "/api/runtime/scopes/\(scope)/grants/\(member)", admin).status == .ok)
        }
    }
}
