import Evaluator
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Store
import Testing
@testable import Server

/// PATCH, filters, projection, .search and discovery through the real routes.
@Suite struct SCIMPatchAndQueryRouteTests {
    @Test func patchSemanticsEndToEnd() async throws {
        let s = try await SCIMFixture()
        let checker = try await s.f.checkerToken()
        let (connectionId, token) = try await s.connection()
        let base = SCIMFixture.base(connectionId)
        try await s.m.test { client in
            let ada = try #require(try await client.scim(.post, base + "/Users", token, SCIMFixture.user("ada")).json["id"] as? String)
            let bob = try #require(try await client.scim(.post, base + "/Users", token, SCIMFixture.user("bob")).json["id"] as? String)
            // Replace with a value-filtered path, add without a path, remove a sub-attribute.
            let patched = try await client.scim(.patch, base + "/Users/\(ada)", token, SCIMFixture.patch([
                ["op": "replace", "path": "emails[type eq \"work\"].value", "value": "ada@new.example"],
                ["op": "add", "value": ["displayName": "Ada L.", "title": "Engineer"]],
                ["op": "remove", "path": "name.givenName"],
            ]))
            #expect(patched.status == .ok && patched.isSCIM)
            #expect((patched.json["emails"] as? [[String: Any]])?.first?["value"] as? String == "ada@new.example")
            #expect(patched.json["displayName"] as? String == "Ada L." && patched.json["title"] as? String == "Engineer")
            #expect((patched.json["name"] as? [String: Any])?["givenName"] == nil)
            #expect((patched.json["meta"] as? [String: Any])?["version"] as? String == "W/\"2\"")
            #expect(try s.m.identityEntity("acme", "User", ada)?.attributes["email"] == .string("ada@new.example"))

            // Mistakes are SCIM 400s and change nothing.
            for (operations, scimType) in [
                ([["op": "replace", "path": "id", "value": "usr_x"]], "mutability"),
                ([["op": "replace", "path": "emails[type eq ", "value": "x"]], "invalidPath"),
                ([["op": "replace", "path": "emails[type eq \"home\"].value", "value": "x@y.z"]], "noTarget"),
                ([["op": "explode", "path": "title"]], "invalidSyntax"),
            ] as [([[String: Any]], String)] {
                let response = try await client.scim(.patch, base + "/Users/\(ada)", token, SCIMFixture.patch(operations))
                #expect(response.status == .badRequest && response.isSCIMError, "\(operations)")
                #expect(response.scimType == scimType, "\(operations): \(response.json)")
            }
            let tooMany = try await client.scim(.patch, base + "/Users/\(ada)", token, SCIMFixture.patch(
                Array(repeating: ["op": "add", "path": "title", "value": "x"], count: 101)))
            #expect(tooMany.status == .badRequest && tooMany.isSCIMError)
            #expect(try await client.scim(.get, base + "/Users/\(ada)", token).json["title"] as? String == "Engineer")

            // Group members: add by path, remove by value filter, replace all.
            let group = try #require(try await client.scim(.post, base + "/Groups", token, SCIMFixture.group("Ops")).json["id"] as? String)
            try await s.f.activate("acme", SCIMGroupRouteTests.groupPolicy(group))
            func members(_ response: TestResponse) -> [String] {
                ((response.json["members"] as? [[String: Any]]) ?? []).compactMap { $0["value"] as? String }.sorted()
            }
            let added = try await client.scim(.patch, base + "/Groups/\(group)", token, SCIMFixture.patch([
                ["op": "add", "path": "members", "value": [["value": ada], ["value": bob]]],
            ]))
            #expect(members(added) == [ada, bob].sorted())
            #expect(try await s.check(client, checker, userId: bob, action: "deploy").allowed == true)
            let removed = try await client.scim(.patch, base + "/Groups/\(group)", token, SCIMFixture.patch([
                ["op": "remove", "path": "members[value eq \"\(bob)\"]"],
            ]))
            #expect(members(removed) == [ada])
            #expect(try await s.check(client, checker, userId: bob, action: "deploy").allowed == false)
            let replaced = try await client.scim(.patch, base + "/Groups/\(group)", token, SCIMFixture.patch([
                ["op": "replace", "path": "members", "value": [["value": bob]]],
                ["op": "replace", "path": "displayName", "value": "Operations"],
            ]))
            #expect(members(replaced) == [bob] && replaced.json["displayName"] as? String == "Operations")
            #expect(try await s.check(client, checker, userId: ada, action: "deploy").allowed == false)
            #expect(try await s.check(client, checker, userId: bob, action: "deploy").allowed == true)

            // Deprovisioning by PATCH (Entra's string boolean and capitalised op).
            let off = try await client.scim(.patch, base + "/Users/\(bob)", token, SCIMFixture.patch([
                ["op": "Replace", "path": "active", "value": "False"],
            ]))
            #expect(off.status == .ok && off.json["active"] as? Bool == false)
            let denied = try await s.check(client, checker, userId: bob, action: "deploy")
            #expect(denied.allowed == false && denied.reasons == ["inactive-users-are-denied"])
            #expect(try await client.scim(.patch, base + "/Users/usr_nobody", token, SCIMFixture.patch([
                ["op": "replace", "path": "active", "value": false],
            ])).status == .notFound)
        }
    }

    @Test func filtersProjectionSearchAndDiscovery() async throws {
        let s = try await SCIMFixture()
        let (connectionId, token) = try await s.connection()
        let base = SCIMFixture.base(connectionId)
        try await s.m.test { client in
            let ada = try #require(try await client.scim(.post, base + "/Users", token, SCIMFixture.user("ada", externalId: "x1")).json["id"] as? String)
            let before = SCIMResponse.timestamp(Date().addingTimeInterval(-60))
            _ = try await client.scim(.post, base + "/Users", token, SCIMFixture.user("bob", active: false))
            _ = try await client.scim(.post, base + "/Groups", token, SCIMFixture.group("Admins", members: [ada]))
            func ids(_ query: String) async throws -> [String] {
                let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                let response = try await client.scim(.get, base + "/Users?filter=\(encoded)", token)
                #expect(response.status == .ok, "\(query)")
                return response.resources.compactMap { $0["userName"] as? String }.sorted()
            }
            #expect(try await ids("userName eq \"ADA\"") == ["ada"])
            #expect(try await ids("externalId eq \"x1\"") == ["ada"])
            #expect(try await ids("externalId eq \"X1\"") == [])
            #expect(try await ids("emails.value co \"@example\" and not (active eq false)") == ["ada"])
            #expect(try await ids("active eq false or userName sw \"a\"") == ["ada", "bob"])
            #expect(try await ids("meta.lastModified gt \"\(before)\"") == ["ada", "bob"])
            #expect(try await ids("emails[type eq \"work\" and value ew \"example.com\"]") == ["ada", "bob"])
            let bad = try await client.scim(.get, base + "/Users?filter=userName%20eq", token)
            #expect(bad.status == .badRequest && bad.scimType == "invalidFilter" && bad.isSCIMError)

            let projected = try await client.scim(.get, base + "/Users/\(ada)?attributes=userName", token)
            #expect(Set(projected.json.keys) == ["schemas", "id", "userName", "meta"])
            let excluded = try await client.scim(.get, base + "/Users?excludedAttributes=emails,name", token)
            #expect(excluded.resources.allSatisfy { $0["emails"] == nil && $0["name"] == nil && $0["userName"] != nil })

            let search = try await client.scim(.post, base + "/.search", token, [
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "startIndex": 1, "count": 10,
            ])
            #expect(search.status == .ok && search.json["totalResults"] as? Int == 3)
            let userSearch = try await client.scim(.post, base + "/Users/.search", token, [
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "userName eq \"bob\"",
                "attributes": ["userName"],
            ])
            #expect(userSearch.resources.compactMap { $0["userName"] as? String } == ["bob"])
            #expect(userSearch.resources.first?["emails"] == nil)

            let config = try await client.scim(.get, base + "/ServiceProviderConfig", token)
            #expect(config.isSCIM && (config.json["patch"] as? [String: Any])?["supported"] as? Bool == true)
            #expect((config.json["bulk"] as? [String: Any])?["supported"] as? Bool == false)
            let types = try await client.scim(.get, base + "/ResourceTypes", token)
            #expect(Set(types.resources.compactMap { $0["name"] as? String }) == ["User", "Group"])
            #expect(try await client.scim(.get, base + "/ResourceTypes/User", token).json["endpoint"] as? String == "/Users")
            let schema = try await client.scim(.get, base + "/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group", token)
            #expect(schema.status == .ok && schema.json["id"] as? String == "urn:ietf:params:scim:schemas:core:2.0:Group")
            let write = try await client.scim(.post, base + "/Schemas", token, [:])
            #expect(write.status == .methodNotAllowed && write.isSCIMError)
            let nowhere = try await client.scim(.get, base + "/Nowhere/at/all", token)
            #expect(nowhere.status == .notFound && nowhere.isSCIMError)
        }
    }
}
