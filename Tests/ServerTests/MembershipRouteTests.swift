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

/// Reads of the policy graph and of Identity state that the organizations route tests share.
extension ManagementApp {
    func identityEntity(_ slug: String, _ type: String, _ id: String) throws -> Evaluator.Entity? {
        try services.graph.read(tenant: tenantId(slug)) { try $0.entity(EntityUID(type: type, id: id)) }
    }

    func identityRevision(_ slug: String) throws -> UInt64 {
        let tenantId = tenantId(slug)
        return try services.environment.read { try $0.revision(tenant: tenantId) }
    }

    func userPermVer(_ slug: String, userId: String) throws -> Int64 {
        let tenantId = tenantId(slug), tables = services.identityTables
        return try services.environment.read { try $0.subjectVersions(tenantId: tenantId, subjectId: userId, tables: tables).permVer }
    }

    func tenantAuditActions(_ slug: String) throws -> [String] {
        let tenantId = tenantId(slug)
        return try services.environment.read { try $0.auditEvents(tenant: tenantId, limit: 1000).map(\.action) }
    }

    func firstOrganizationId(_ slug: String) -> String { tenants[slug]!.organizationId }
    func membershipsURI(_ slug: String) -> String { "/api/organizations/\(firstOrganizationId(slug))/memberships" }
}

func identityParents(_ entity: Evaluator.Entity?) -> Set<String> { Set(entity?.parents.map(\.description) ?? []) }

@Suite struct MembershipRouteTests {
    static let adaPassword = "a long passphrase for ada"

    static func newUser(_ name: String = "ada") -> [String: Any] {
        ["user": ["userName": name, "email": "\(name)@acme.example", "password": adaPassword], "roles": ["editor"]]
    }

    @Test func registrationProjectsTheTenantItsOrganizationAndAdministrator() async throws {
        let m = try await ManagementApp()
        let r = m.tenants["acme"]!
        let tenant = try #require(try m.identityEntity("acme", "Tenant", r.tenantId))
        #expect(tenant.attributes["slug"] == .string("acme"))
        let organization = try #require(try m.identityEntity("acme", "Organization", r.organizationId))
        #expect(organization.parents == [EntityUID(type: "Tenant", id: r.tenantId)])
        #expect(organization.attributes["tenant"] == .entity(EntityUID(type: "Tenant", id: r.tenantId)))
        let admin = try #require(try m.identityEntity("acme", "User", r.administratorUserId))
        #expect(admin.attributes["roles"] == .set([.string("administrator")]))
        #expect(admin.attributes["userName"] == .string("admin") && admin.attributes["email"] == .string("admin@acme.example"))
        #expect(admin.attributes["active"] == .bool(true))
        #expect(identityParents(admin) == [#"Tenant::"\#(r.tenantId)""#, #"Organization::"\#(r.organizationId)""#, #"Role::"administrator""#])
        #expect(try m.identityEntity("acme", "Role", "administrator") != nil)
        // Nothing of acme in globex's graph.
        #expect(try m.identityEntity("globex", "User", r.administratorUserId) == nil)
    }

    @Test func addReadChangeRolesAndRemoveAMember() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let uri = m.membershipsURI("acme")
        try await m.test { client in
            let revision0 = try m.identityRevision("acme")
            let created = try await client.call(.post, uri, admin, Self.newUser())
            #expect(created.status == .created)
            let membershipId = try #require(created.json["id"] as? String)
            let userId = try #require(created.json["userId"] as? String)
            #expect(created.headers[.location] == "\(uri)/\(membershipId)")
            #expect(created.json["roles"] as? [String] == ["editor"])
            #expect(created.json["userName"] as? String == "ada" && created.json["password"] == nil)
            #expect(try m.identityRevision("acme") == revision0 + 1)
            #expect(try m.userPermVer("acme", userId: userId) == 2)

            var user = try #require(try m.identityEntity("acme", "User", userId))
            #expect(user.attributes["roles"] == .set([.string("editor")]))
            #expect(user.attributes["userName"] == .string("ada"))
            #expect(identityParents(user) == [#"Tenant::"\#(m.tenantId("acme"))""#, #"Organization::"\#(m.firstOrganizationId("acme"))""#, #"Role::"editor""#])

            // The new user can sign in with the password given.
            _ = try await m.userToken("acme", userName: "ada", password: Self.adaPassword)

            let read = try await client.call(.get, "\(uri)/\(membershipId)", admin)
            #expect(read.status == .ok && read.json["email"] as? String == "ada@acme.example")
            let list = try await client.call(.get, uri, admin)
            let ids = (list.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
            #expect(Set(ids) == [membershipId, m.tenants["acme"]!.membershipId])

            // An existing user can join by id too — but not twice.
            let twice = try await client.call(.post, uri, admin, ["userId": userId])
            #expect(twice.status == .conflict && twice.problemType == "membership-exists")
            let taken = try await client.call(.post, uri, admin, Self.newUser())
            #expect(taken.status == .conflict && taken.problemType == "user-name-taken")

            let roles = try await client.call(.put, "\(uri)/\(membershipId)/roles", admin, ["roles": ["viewer", "billing", "viewer"]])
            #expect(roles.status == .ok)
            #expect(roles.json["roles"] as? [String] == ["billing", "viewer"])
            #expect(try m.identityRevision("acme") == revision0 + 2)
            #expect(try m.userPermVer("acme", userId: userId) == 3)
            user = try #require(try m.identityEntity("acme", "User", userId))
            #expect(user.attributes["roles"] == .set([.string("billing"), .string("viewer")]))
            #expect(identityParents(user).contains(#"Role::"viewer""#) && !identityParents(user).contains(#"Role::"editor""#))

            // Same roles again: no change, no revision, no version.
            let same = try await client.call(.put, "\(uri)/\(membershipId)/roles", admin, ["roles": ["viewer", "billing"]])
            #expect(same.status == .ok)
            #expect(try m.identityRevision("acme") == revision0 + 2 && m.userPermVer("acme", userId: userId) == 3)

            let deleted = try await client.call(.delete, "\(uri)/\(membershipId)", admin)
            #expect(deleted.status == .noContent)
            #expect(try await client.call(.get, "\(uri)/\(membershipId)", admin).status == .notFound)
            #expect(try m.userPermVer("acme", userId: userId) == 4)
            user = try #require(try m.identityEntity("acme", "User", userId))
            #expect(user.attributes["roles"] == .set([]))
            #expect(identityParents(user) == [#"Tenant::"\#(m.tenantId("acme"))""#])

            let actions = try m.tenantAuditActions("acme")
            for action in ["user.create", "membership.create", "membership.roles", "membership.delete"] {
                #expect(actions.contains(action), "\(action)")
            }
        }
    }

    @Test func validationErrors() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let uri = m.membershipsURI("acme")
        try await m.test { client in
            func fields(_ body: [String: Any], _ path: String? = nil, method: HTTPRequest.Method = .post) async throws -> [String] {
                let response = try await client.call(method, path ?? uri, admin, body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.isProblem && response.problemType == "validation-error")
                return response.fieldErrors
            }
            #expect(try await fields([:]) == ["userId"])
            #expect(try await fields(["userId": "usr_x", "user": ["userName": "x", "email": "x@acme.example", "password": Self.adaPassword]]) == ["userId"])
            #expect(try await fields(["user": ["userName": "has space", "email": "no", "password": "short"]])
                == ["user.userName", "user.email", "user.password"])
            #expect(try await fields(["user": ["userName": "x"]]) == ["user.email", "user.password"])
            #expect(try await fields(["userId": "usr_x", "roles": ["ok", "not ok"], "extra": 1]) == ["extra", "roles[1]"])
            #expect(try await fields(["userId": "usr_x", "roles": "admin"]) == ["roles"])
            #expect(try await fields(["userId": "usr_unknown"]) == ["userId"])
            let membership = m.tenants["acme"]!.membershipId
            #expect(try await fields([:], "\(uri)/\(membership)/roles", method: .put) == ["roles"])
            #expect(try await fields(["roles": Array(repeating: "r", count: 21)], "\(uri)/\(membership)/roles", method: .put) == ["roles"])

            let notJSON = try await client.execute(
                uri: uri, method: .post, headers: [.authorization: "Bearer \(admin)", .contentType: "text/plain"], body: jsonBody(["userId": "x"]))
            #expect(notJSON.status == .unsupportedMediaType)
        }
        // Nothing was created.
        #expect(try m.tenantAuditActions("acme").filter { $0.hasPrefix("membership.") || $0 == "user.create" }.isEmpty)
    }

    @Test func bodiesAreBounded() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        try await m.test { client in
            let huge = try await client.call(.post, m.membershipsURI("acme"), admin, ["userId": String(repeating: "x", count: 2 << 20)])
            #expect(huge.status == .contentTooLarge)
        }
    }

    @Test func theLastAdministratorCannotBeRemovedOrDemoted() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let uri = m.membershipsURI("acme")
        let adminMembership = m.tenants["acme"]!.membershipId
        try await m.test { client in
            let revision = try m.identityRevision("acme")
            let delete = try await client.call(.delete, "\(uri)/\(adminMembership)", admin)
            #expect(delete.status == .conflict && delete.problemType == "last-administrator" && delete.isProblem)
            let demote = try await client.call(.put, "\(uri)/\(adminMembership)/roles", admin, ["roles": ["member"]])
            #expect(demote.status == .conflict && demote.problemType == "last-administrator")
            #expect(try m.identityRevision("acme") == revision)

            // With a second administrator the first can step down.
            var second = Self.newUser("grace")
            second["roles"] = ["administrator"]
            #expect(try await client.call(.post, uri, admin, second).status == .created)
            #expect(try await client.call(.put, "\(uri)/\(adminMembership)/roles", admin, ["roles": ["member"]]).status == .ok)
            let adminUser = try #require(try m.identityEntity("acme", "User", m.tenants["acme"]!.administratorUserId))
            #expect(adminUser.attributes["roles"] == .set([.string("member")]))
        }
    }

    @Test func anotherTenantsIdsAre404AndLeaveItsDataUnchanged() async throws {
        let m = try await ManagementApp()
        let acmeAdmin = try await m.adminToken("acme")
        let globexAdmin = try await m.adminToken("globex")
        let globex = m.tenants["globex"]!
        let globexURI = m.membershipsURI("globex")
        let acmeURI = m.membershipsURI("acme")
        let (globexMember, globexUserBefore) = try await m.test { client in
            let created = try await client.call(.post, globexURI, globexAdmin, Self.newUser("gus"))
            let id = try #require(created.json["id"] as? String)
            return (id, try m.identityEntity("globex", "User", try #require(created.json["userId"] as? String)))
        }
        let revision = try m.identityRevision("globex")
        let audit = try m.tenantAuditActions("globex")
        try await m.test { client in
            for (method, path, body) in [
                (HTTPRequest.Method.get, globexURI, nil),
                (.post, globexURI, Self.newUser("eve")),
                (.get, "\(globexURI)/\(globexMember)", nil),
                (.delete, "\(globexURI)/\(globexMember)", nil),
                (.put, "\(globexURI)/\(globexMember)/roles", ["roles": ["administrator"]]),
                // acme's organization with globex's membership id
                (.get, "\(acmeURI)/\(globexMember)", nil),
                (.delete, "\(acmeURI)/\(globexMember)", nil),
                (.put, "\(acmeURI)/\(globex.membershipId)/roles", ["roles": []]),
                (.get, "/api/organizations/org_made_up/memberships", nil),
            ] as [(HTTPRequest.Method, String, [String: Any]?)] {
                let response = try await client.call(method, path, acmeAdmin, body)
                #expect(response.status == .notFound, "\(method) \(path)")
                #expect(response.isProblem)
            }
            // globex's user id as a body reference is simply not a user of acme.
            let foreignUser = try await client.call(.post, acmeURI, acmeAdmin, ["userId": globex.administratorUserId])
            #expect(foreignUser.status == .badRequest && foreignUser.fieldErrors == ["userId"])
        }
        #expect(try m.identityRevision("globex") == revision)
        #expect(try m.tenantAuditActions("globex") == audit)
        #expect(try m.identityEntity("globex", "User", try #require(globexUserBefore).uid.id) == globexUserBefore)
        #expect(try m.identityEntity("acme", "User", globex.administratorUserId) == nil)
    }

    @Test func membersReadButCannotWriteAndClientsGetNothing() async throws {
        let m = try await ManagementApp()
        let member = try await m.memberToken()
        let machine = try await m.clientToken()
        let uri = m.membershipsURI("acme")
        let adminMembership = m.tenants["acme"]!.membershipId
        let revision = try m.identityRevision("acme")
        try await m.test { client in
            #expect(try await client.call(.get, uri, member).status == .ok)
            #expect(try await client.call(.get, "\(uri)/\(adminMembership)", member).status == .ok)
            for (method, path, body) in [
                (HTTPRequest.Method.post, uri, Self.newUser()),
                (.delete, "\(uri)/\(adminMembership)", nil),
                (.put, "\(uri)/\(adminMembership)/roles", ["roles": ["member"]]),
            ] as [(HTTPRequest.Method, String, [String: Any]?)] {
                let response = try await client.call(method, path, member, body)
                #expect(response.status == .forbidden, "\(method) \(path)")
                #expect(response.problemType == "forbidden")
                #expect(try await client.call(method, path, machine, body).status == .forbidden)
            }
            #expect(try await client.call(.get, uri, machine).status == .forbidden)
            #expect(try await client.call(.get, uri, nil).status == .unauthorized)
        }
        #expect(try m.identityRevision("acme") == revision)
    }

    /// perm_ver is per user: a role change moves it in the same transaction, and a token
    /// issued afterwards (by the issuer, and by a real refresh grant) carries the new value.
    @Test func aRoleChangeMovesPermVerAndAFreshTokenCarriesIt() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let uri = m.membershipsURI("acme")
        let (membershipId, userId) = try await m.test { client in
            let created = try await client.call(.post, uri, admin, Self.newUser())
            return (try #require(created.json["id"] as? String), try #require(created.json["userId"] as? String))
        }
        let (token, session) = try await m.userToken("acme", userName: "ada", password: Self.adaPassword)
        let before = try #require(try await m.services.tokenVerifier.verify(token).claims.perm_ver)
        #expect(before == (try m.userPermVer("acme", userId: userId)))
        let web = try #require(try m.services.clients.client(id: "cli_web_acme"))
        let refreshToken = try await m.services.refreshTokens.issue(client: web, session: session, scopes: ["arbiter.api", "tenant_context"])

        try await m.test { client in
            let changed = try await client.call(.put, "\(uri)/\(membershipId)/roles", admin, ["roles": ["editor", "approver"]])
            #expect(changed.status == .ok)
        }
        let after = try m.userPermVer("acme", userId: userId)
        #expect(after == before + 1)

        let subject = try m.services.sessions.subject(of: session)
        #expect(subject.versions.permVer == after)
        let issued = try await m.services.tokenIssuer.issue(TokenGrant(
            client: web, tenantSlug: "acme", scopes: ["arbiter.api", "tenant_context"], user: subject))
        #expect(try await m.services.tokenVerifier.verify(issued.token).claims.perm_ver == after)

        try await m.test { client in
            let refreshed = try await client.refreshGrant(refreshToken, client: web)
            #expect(refreshed.status == .ok)
            let access = try #require(refreshed.json["access_token"] as? String)
            #expect(RefreshApp.payload(access)["perm_ver"] as? Int == Int(after))

            // The runtime API reads the re-projected graph: the user's roles as they are now,
            // and the same permVer a fresh token carries.
            let me = try await client.call(.get, "/api/runtime/authorization/me", token)
            #expect(me.status == .ok)
            #expect(me.json["roles"] as? [String] == ["approver", "editor"])
            #expect(me.json["permVer"] as? Int == Int(after))
        }
        // The old token still says what it said: callers compare it with the current value.
        #expect(try await m.services.tokenVerifier.verify(token).claims.perm_ver == before)
    }

    /// A user's entity carries parents from licensing too (`SeatPool`); re-projecting the
    /// user after a role or group change keeps them.
    @Test func reprojectionKeepsTheUsersSeats() async throws {
        let m = try await ManagementApp()
        let (publisher, _) = try await m.manifestPublisher()
        let admin = try await m.adminToken("globex")
        let uri = m.membershipsURI("globex")
        try await m.test { client in
            let member = try await client.call(.post, uri, admin, Self.newUser("gus"))
            let membershipId = try #require(member.json["id"] as? String)
            let userId = try #require(member.json["userId"] as? String)
            #expect(try await client.call(.post, "/api/runtime/manifests", publisher, crmManifest).status == .created)
            #expect(try await client.call(.post, "/api/marketplace/installations", admin, ["productKey": "acme.crm"]).status == .created)
            let subscription = try await client.call(.post, "/api/licensing/subscriptions", admin, ["productKey": "acme.crm", "seats": 1])
            let subscriptionId = try #require(subscription.json["id"] as? String)
            let seat = try await client.call(
                .post, "/api/licensing/seat-assignments", admin, ["subscriptionId": subscriptionId, "userId": userId])
            #expect(seat.status == .created)
            #expect(identityParents(try m.identityEntity("globex", "User", userId)).contains(#"SeatPool::"acme.crm""#))

            #expect(try await client.call(.put, "\(uri)/\(membershipId)/roles", admin, ["roles": ["analyst"]]).status == .ok)
            let user = try m.identityEntity("globex", "User", userId)
            #expect(identityParents(user).contains(#"SeatPool::"acme.crm""#))
            #expect(identityParents(user).contains(#"Role::"analyst""#))
        }
    }

    @Test func clientsAreProjectedWhenCreatedAndDeleted() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        try await m.test { client in
            let app = try await client.call(.post, "/api/applications", admin, ["name": "Billing"])
            let appId = try #require(app.json["id"] as? String)
            let created = try await client.call(
                .post, "/api/applications/\(appId)/clients", admin,
                ["name": "Sync", "purpose": "automation", "scopes": ["arbiter.api", "tenant_context"]])
            #expect(created.status == .created)
            let clientId = try #require(created.json["clientId"] as? String)
            let entity = try #require(try m.identityEntity("acme", "Client", clientId))
            #expect(entity.parents == [EntityUID(type: "Tenant", id: m.tenantId("acme"))])
            #expect(entity.attributes["scopes"] == .set([.string("arbiter.api"), .string("tenant_context")]))
            #expect(entity.attributes["tenant"] == .entity(EntityUID(type: "Tenant", id: m.tenantId("acme"))))

            let patched = try await client.call(.patch, "/api/applications/\(appId)/clients/\(clientId)", admin, ["scopes": ["arbiter.api"]])
            #expect(patched.status == .ok)
            #expect(try m.identityEntity("acme", "Client", clientId)?.attributes["scopes"] == .set([.string("arbiter.api")]))

            #expect(try await client.call(.delete, "/api/applications/\(appId)/clients/\(clientId)", admin).status == .noContent)
            #expect(try m.identityEntity("acme", "Client", clientId) == nil)
        }
    }
}
