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

@Suite struct SCIMGroupRouteTests {
    static func groupPolicy(_ groupId: String) -> String {
        """
        kind: policy
        id: deployers
        rules:
          - id: deployers-deploy
            effect: allow
            principal: User
            actions: [deploy]
            when: principal in Group::"\(groupId)"
        """
    }

    @Test func groupMembershipAloneChangesACheck() async throws {
        let s = try await SCIMFixture()
        let checker = try await s.f.checkerToken()
        let (connectionId, token) = try await s.connection()
        let base = SCIMFixture.base(connectionId)
        try await s.m.test { client in
            let ada = try #require(try await client.scim(.post, base + "/Users", token, SCIMFixture.user("ada")).json["id"] as? String)
            let bob = try #require(try await client.scim(.post, base + "/Users", token, SCIMFixture.user("bob")).json["id"] as? String)
            let created = try await client.scim(.post, base + "/Groups", token, SCIMFixture.group("Deployers", members: [ada]))
            #expect(created.status == .created && created.isSCIM)
            let groupId = try #require(created.json["id"] as? String)
            #expect(groupId.hasPrefix("grp_"))
            #expect(created.json["displayName"] as? String == "Deployers")
            let members = try #require(created.json["members"] as? [[String: Any]])
            #expect(members.compactMap { $0["value"] as? String } == [ada])
            #expect(members.first?["display"] as? String == "ada")
            #expect((created.json["meta"] as? [String: Any])?["resourceType"] as? String == "Group")
            #expect(created.headers[.location]?.hasSuffix("\(base)/Groups/\(groupId)") == true)
            let group = try #require(try s.m.identityEntity("acme", "Group", groupId))
            #expect(group.parents == [EntityUID(type: "Organization", id: s.m.firstOrganizationId("acme"))])
            #expect(identityParents(try s.m.identityEntity("acme", "User", ada)).contains(#"Group::"\#(groupId)""#))
            // The user resource lists its group.
            let adaRead = try await client.scim(.get, base + "/Users/\(ada)", token)
            #expect((adaRead.json["groups"] as? [[String: Any]])?.compactMap { $0["value"] as? String } == [groupId])

            try await s.f.activate("acme", Self.groupPolicy(groupId))
            #expect(try await s.check(client, checker, userId: ada, action: "deploy").allowed == true)
            #expect(try await s.check(client, checker, userId: bob, action: "deploy").allowed == false)

            // Only the group's membership changes; nothing else is done between the checks.
            let bobPerm = try s.m.userPermVer("acme", userId: bob)
            let swapped = try await client.scim(.put, base + "/Groups/\(groupId)", token, SCIMFixture.group("Deployers", members: [bob]))
            #expect(swapped.status == .ok)
            #expect((swapped.json["members"] as? [[String: Any]])?.compactMap { $0["value"] as? String } == [bob])
            #expect(try s.m.userPermVer("acme", userId: bob) == bobPerm + 1)
            #expect(try await s.check(client, checker, userId: ada, action: "deploy").allowed == false)
            #expect(try await s.check(client, checker, userId: bob, action: "deploy").allowed == true)

            // Renaming keeps the members and renames the graph entity.
            let renamed = try await client.scim(.put, base + "/Groups/\(groupId)", token, SCIMFixture.group("Release", members: [bob]))
            #expect(renamed.json["displayName"] as? String == "Release")
            #expect(try s.m.identityEntity("acme", "Group", groupId)?.attributes["name"] == .string("Release"))

            #expect(try await client.scim(.delete, base + "/Groups/\(groupId)", token).status == .noContent)
            #expect(try s.m.identityEntity("acme", "Group", groupId) == nil)
            #expect(try await s.check(client, checker, userId: bob, action: "deploy").allowed == false)
            #expect(try await client.scim(.get, base + "/Groups/\(groupId)", token).status == .notFound)
        }
    }

    @Test func membersMustBeUsersOfTheConnection() async throws {
        let s = try await SCIMFixture()
        let (connectionId, token) = try await s.connection()
        let (otherId, otherToken) = try await s.connection()
        let base = SCIMFixture.base(connectionId)
        try await s.m.test { client in
            let stranger = try #require(
                try await client.scim(.post, SCIMFixture.base(otherId) + "/Users", otherToken, SCIMFixture.user("stranger")).json["id"] as? String)
            let own = try #require(try await client.scim(.post, base + "/Users", token, SCIMFixture.user("own")).json["id"] as? String)
            // Another connection's user, an unknown id, a user the administrator made: left out,
            // as if not sent (the connection learns nothing about them and cannot add them).
            for (index, members) in [[stranger, own], ["usr_nobody", own], [s.m.tenants["acme"]!.administratorUserId, own]].enumerated() {
                let response = try await client.scim(.post, base + "/Groups", token, SCIMFixture.group("G\(index)", members: members))
                #expect(response.status == .created, "\(members)")
                #expect((response.json["members"] as? [[String: Any]])?.compactMap { $0["value"] as? String } == [own], "\(members)")
            }
            #expect(!identityParents(try s.m.identityEntity("acme", "User", stranger)).contains { $0.hasPrefix("Group::") })
            #expect(!identityParents(try s.m.identityEntity("acme", "User", s.m.tenants["acme"]!.administratorUserId)).contains { $0.hasPrefix("Group::") })
            for body in [[:], ["displayName": ""], ["displayName": "G", "members": "x"], ["displayName": "G", "members": [["value": 5]]]]
                as [[String: Any]] {
                let response = try await client.scim(.post, base + "/Groups", token, body)
                #expect(response.status == .badRequest && response.isSCIMError, "\(body)")
            }
            // Another connection cannot see or change the group.
            let groupId = try #require(try await client.scim(.post, base + "/Groups", token, SCIMFixture.group("Mine")).json["id"] as? String)
            #expect(try await client.scim(.get, SCIMFixture.base(otherId) + "/Groups/\(groupId)", otherToken).status == .notFound)
            #expect(try await client.scim(.delete, SCIMFixture.base(otherId) + "/Groups/\(groupId)", otherToken).status == .notFound)
            #expect(try await client.scim(.get, base + "/Groups/\(groupId)", otherToken).status == .notFound)
        }
    }

    @Test func aConnectionWithoutJITDefaultsCannotProvision() async throws {
        let s = try await SCIMFixture()
        let (connectionId, token) = try await s.connection(jit: false)
        try await s.m.test { client in
            let user = try await client.scim(.post, SCIMFixture.base(connectionId) + "/Users", token, SCIMFixture.user("ada"))
            #expect(user.status == .conflict && user.isSCIMError)
            let group = try await client.scim(.post, SCIMFixture.base(connectionId) + "/Groups", token, SCIMFixture.group("G"))
            #expect(group.status == .conflict && group.isSCIMError)
        }
    }
}
