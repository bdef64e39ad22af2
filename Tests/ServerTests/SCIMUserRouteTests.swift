import Evaluator
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Store
import Testing
@testable import Server

@Suite struct SCIMUserRouteTests {
    @Test func createReadReplaceAndDeleteAUser() async throws {
        let s = try await SCIMFixture()
        let (connectionId, token) = try await s.connection(roles: ["member", "engineer"])
        let users = SCIMFixture.base(connectionId) + "/Users"
        try await s.m.test { client in
            let revision0 = try s.m.identityRevision("acme")
            let created = try await client.scim(.post, users, token, SCIMFixture.user("ada", externalId: "okta-1"))
            #expect(created.status == .created)
            #expect(created.isSCIM)
            let id = try #require(created.json["id"] as? String)
            #expect(id.hasPrefix("usr_"))
            #expect(created.json["userName"] as? String == "ada")
            #expect(created.json["externalId"] as? String == "okta-1")
            #expect(created.json["active"] as? Bool == true)
            #expect((created.json["name"] as? [String: Any])?["givenName"] as? String == "Ada")
            #expect(created.json["schemas"] as? [String] == ["urn:ietf:params:scim:schemas:core:2.0:User"])
            let meta = try #require(created.json["meta"] as? [String: Any])
            #expect(meta["resourceType"] as? String == "User")
            #expect((meta["location"] as? String)?.hasSuffix("\(users)/\(id)") == true)
            #expect(created.headers[.location] == meta["location"] as? String)
            #expect(meta["version"] as? String == "W/\"1\"")
            #expect(meta["created"] as? String != nil && meta["lastModified"] as? String == meta["created"] as? String)
            #expect(try s.m.identityRevision("acme") == revision0 + 1)

            // A real tenant user with the connection's JIT membership, in the graph.
            let entity = try #require(try s.m.identityEntity("acme", "User", id))
            let parents = identityParents(entity)
            #expect(parents.contains(#"Organization::"\#(s.m.firstOrganizationId("acme"))""#))
            #expect(parents.contains(#"Role::"engineer""#) && parents.contains(#"Role::"member""#))
            #expect(entity.attributes["email"] == .string("ada@example.com"))
            #expect(entity.attributes["active"] == .bool(true))

            let read = try await client.scim(.get, "\(users)/\(id)", token)
            #expect(read.status == .ok && read.isSCIM)
            #expect(read.json["userName"] as? String == "ada")

            var replacement = SCIMFixture.user("ada.lovelace")
            replacement["emails"] = [["value": "ada@analytical.example", "primary": true]]
            let permBefore = try s.m.userPermVer("acme", userId: id)
            let replaced = try await client.scim(.put, "\(users)/\(id)", token, replacement)
            #expect(replaced.status == .ok)
            #expect(replaced.json["userName"] as? String == "ada.lovelace")
            #expect(replaced.json["externalId"] == nil)
            #expect((replaced.json["meta"] as? [String: Any])?["version"] as? String == "W/\"2\"")
            #expect(try s.m.identityEntity("acme", "User", id)?.attributes["userName"] == .string("ada.lovelace"))
            #expect(try s.m.userPermVer("acme", userId: id) == permBefore + 1)
            // The old name is free again, the new one taken.
            #expect(try await client.scim(.post, users, token, SCIMFixture.user("ada")).status == .created)

            #expect(try await client.scim(.delete, "\(users)/\(id)", token).status == .noContent)
            let gone = try await client.scim(.get, "\(users)/\(id)", token)
            #expect(gone.status == .notFound && gone.isSCIMError)
            #expect(try s.m.identityEntity("acme", "User", id) == nil)
            #expect(try await client.scim(.delete, "\(users)/\(id)", token).status == .notFound)
            let actions = try s.m.tenantAuditActions("acme")
            for action in ["scim.user.create", "scim.user.replace", "scim.user.delete", "membership.create", "membership.delete"] {
                #expect(actions.contains(action), "\(action)")
            }
        }
    }

    @Test func userNamesAreUniqueInTheTenant() async throws {
        let s = try await SCIMFixture()
        let (connectionId, token) = try await s.connection()
        let (otherId, otherToken) = try await s.connection()
        let users = SCIMFixture.base(connectionId) + "/Users"
        try await s.m.test { client in
            #expect(try await client.scim(.post, users, token, SCIMFixture.user("grace")).status == .created)
            for (uri, t, name) in [(users, token, "grace"), (users, token, "GRACE"), (users, token, "admin"),
                                   (SCIMFixture.base(otherId) + "/Users", otherToken, "grace")] {
                let taken = try await client.scim(.post, uri, t, SCIMFixture.user(name))
                #expect(taken.status == .conflict, "\(name)")
                #expect(taken.isSCIMError && taken.scimType == "uniqueness", "\(name)")
            }
            let second = try #require(try await client.scim(.post, users, token, SCIMFixture.user("hopper")).json["id"] as? String)
            let clash = try await client.scim(.put, "\(users)/\(second)", token, SCIMFixture.user("Grace"))
            #expect(clash.status == .conflict && clash.scimType == "uniqueness")
            // Nothing half-written: the user is still hopper.
            #expect(try await client.scim(.get, "\(users)/\(second)", token).json["userName"] as? String == "hopper")
        }
    }

    @Test func badBodiesAreSCIMErrors() async throws {
        let s = try await SCIMFixture()
        let (connectionId, token) = try await s.connection()
        let users = SCIMFixture.base(connectionId) + "/Users"
        try await s.m.test { client in
            for body in [
                [:], ["userName": 5], ["userName": "has space"], ["userName": "x", "active": "maybe"],
                ["userName": "x", "emails": "a@b"], ["userName": "x", "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"]],
            ] as [[String: Any]] {
                let response = try await client.scim(.post, users, token, body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.isSCIMError, "\(body)")
                #expect(["invalidValue", "invalidSyntax"].contains(response.scimType ?? ""), "\(body)")
            }
            let notJSON = try await client.execute(
                uri: users, method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "application/scim+json"],
                body: ByteBuffer(string: "{nope"))
            #expect(notJSON.status == .badRequest && notJSON.scimType == "invalidSyntax")
            let xml = try await client.execute(
                uri: users, method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "text/xml"],
                body: ByteBuffer(string: "<user/>"))
            #expect(xml.status == .unsupportedMediaType && xml.isSCIMError)
            // Entra ID's string booleans are understood.
            var entra = SCIMFixture.user("entra")
            entra["active"] = "False"
            let created = try await client.scim(.post, users, token, entra)
            #expect(created.status == .created && created.json["active"] as? Bool == false)
        }
    }

    @Test func tokensReachOnlyTheirOwnConnection() async throws {
        let s = try await SCIMFixture()
        let (acmeId, acmeToken) = try await s.connection("acme")
        let (acme2Id, acme2Token) = try await s.connection("acme")
        let (globexId, globexToken) = try await s.connection("globex")
        try await s.m.test { client in
            let user = try #require(
                try await client.scim(.post, SCIMFixture.base(acmeId) + "/Users", acmeToken, SCIMFixture.user("ada")).json["id"] as? String)
            // No token, a wrong token: 401.
            for token in [nil, "scim_not-a-token", "garbage"] as [String?] {
                let response = try await client.scim(.get, SCIMFixture.base(acmeId) + "/Users", token)
                #expect(response.status == .unauthorized && response.isSCIMError)
            }
            // Another connection's token (same tenant or another): 404 on this connection.
            for token in [acme2Token, globexToken] {
                for (method, path) in [(HTTPRequest.Method.get, "/Users"), (.get, "/Users/\(user)"), (.delete, "/Users/\(user)"),
                                       (.get, "/ServiceProviderConfig")] {
                    let response = try await client.scim(method, SCIMFixture.base(acmeId) + path, token)
                    #expect(response.status == .notFound && response.isSCIMError, "\(method) \(path)")
                }
            }
            // Its own connection does not hold the other connection's user.
            for (id, token) in [(acme2Id, acme2Token), (globexId, globexToken)] {
                #expect(try await client.scim(.get, SCIMFixture.base(id) + "/Users/\(user)", token).status == .notFound)
                #expect(try await client.scim(.put, SCIMFixture.base(id) + "/Users/\(user)", token, SCIMFixture.user("x")).status == .notFound)
                #expect(try await client.scim(.delete, SCIMFixture.base(id) + "/Users/\(user)", token).status == .notFound)
                let list = try await client.scim(.get, SCIMFixture.base(id) + "/Users", token)
                #expect(list.json["totalResults"] as? Int == 0)
            }
            #expect(try await client.scim(.get, SCIMFixture.base(acmeId) + "/Users/\(user)", acmeToken).status == .ok)
            // A rotated token stops working.
            _ = try await s.services.scimTokens.rotate(tenantId: s.m.tenantId("acme"), connectionId: acmeId, actor: "test")
            #expect(try await client.scim(.get, SCIMFixture.base(acmeId) + "/Users", acmeToken).status == .unauthorized)
        }
    }

    @Test func paginationEdges() async throws {
        let s = try await SCIMFixture()
        let (connectionId, token) = try await s.connection()
        let users = SCIMFixture.base(connectionId) + "/Users"
        try await s.m.test { client in
            for index in 1...5 {
                #expect(try await client.scim(.post, users, token, SCIMFixture.user("user\(index)")).status == .created)
            }
            func page(_ query: String) async throws -> (total: Int?, start: Int?, items: Int?, ids: [String]) {
                let response = try await client.scim(.get, "\(users)?\(query)", token)
                #expect(response.status == .ok, "\(query)")
                #expect(response.json["schemas"] as? [String] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"])
                return (response.json["totalResults"] as? Int, response.json["startIndex"] as? Int,
                        response.json["itemsPerPage"] as? Int, response.resources.compactMap { $0["id"] as? String })
            }
            let all = try await page("")
            #expect(all.total == 5 && all.start == 1 && all.items == 5 && Set(all.ids).count == 5)
            let zero = try await page("startIndex=0&count=2")
            #expect(zero.total == 5 && zero.start == 1 && zero.items == 2 && zero.ids == Array(all.ids[0..<2]))
            let negative = try await page("startIndex=-7&count=2")
            #expect(negative.start == 1 && negative.ids == Array(all.ids[0..<2]))
            let second = try await page("startIndex=3&count=2")
            #expect(second.start == 3 && second.ids == Array(all.ids[2..<4]))
            let last = try await page("startIndex=5&count=10")
            #expect(last.total == 5 && last.items == 1 && last.ids == [all.ids[4]])
            let beyond = try await page("startIndex=6")
            #expect(beyond.total == 5 && beyond.start == 6 && beyond.items == 0 && beyond.ids.isEmpty)
            let countZero = try await page("count=0")
            #expect(countZero.total == 5 && countZero.items == 0)
            let countNegative = try await page("count=-3")
            #expect(countNegative.total == 5 && countNegative.items == 0)
            let huge = try await page("count=100000")
            #expect(huge.items == 5)
            for bad in ["count=abc", "startIndex=1.5"] {
                let response = try await client.scim(.get, "\(users)?\(bad)", token)
                #expect(response.status == .badRequest && response.scimType == "invalidValue", "\(bad)")
            }
        }
    }

    @Test func deprovisioningRevokesSignInsAndChecksDenyAtOnce() async throws {
        let s = try await SCIMFixture()
        try await s.f.activate("acme", """
            kind: policy
            id: members
            rules:
              - id: members-deploy
                effect: allow
                principal: User
                actions: [deploy]
                when: principal.roles.contains("member")
            """)
        let checker = try await s.f.checkerToken()
        let (connectionId, token) = try await s.connection()
        let users = SCIMFixture.base(connectionId) + "/Users"
        try await s.m.test { client in
            let id = try #require(try await client.scim(.post, users, token, SCIMFixture.user("ada")).json["id"] as? String)
            let (session, refresh) = try await s.signIn("acme", userId: id)
            let allowed = try await s.check(client, checker, userId: id, action: "deploy")
            #expect(allowed.allowed == true && allowed.reasons == ["members-deploy"])
            let permBefore = try s.m.userPermVer("acme", userId: id)

            let off = try await client.scim(.put, "\(users)/\(id)", token, SCIMFixture.user("ada", active: false))
            #expect(off.status == .ok && off.json["active"] as? Bool == false)
            #expect(try s.m.userPermVer("acme", userId: id) == permBefore + 1)
            #expect(try s.services.sessions.session(tenantId: s.m.tenantId("acme"), id: session.id)?.revokedAt != nil)
            #expect(try s.services.refreshTokens.family(of: refresh, tenantId: s.m.tenantId("acme"))?.revokedAt != nil)
            let denied = try await s.check(client, checker, userId: id, action: "deploy")
            #expect(denied.allowed == false && denied.reasons == ["inactive-users-are-denied"])

            // Back on: checks allow again (the old sessions stay revoked).
            #expect(try await client.scim(.put, "\(users)/\(id)", token, SCIMFixture.user("ada")).status == .ok)
            #expect(try await s.check(client, checker, userId: id, action: "deploy").allowed == true)
            #expect(try s.services.sessions.session(tenantId: s.m.tenantId("acme"), id: session.id)?.revokedAt != nil)

            // DELETE: the same revocation, and the principal is gone from the graph.
            let (session2, refresh2) = try await s.signIn("acme", userId: id)
            #expect(try await client.scim(.delete, "\(users)/\(id)", token).status == .noContent)
            #expect(try s.services.sessions.session(tenantId: s.m.tenantId("acme"), id: session2.id)?.revokedAt != nil)
            #expect(try s.services.refreshTokens.family(of: refresh2, tenantId: s.m.tenantId("acme"))?.revokedAt != nil)
            #expect(try await s.check(client, checker, userId: id, action: "deploy").allowed == false)
        }
    }
}
