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

@Suite struct GroupRouteTests {
    func groupsURI(_ m: ManagementApp, _ slug: String = "acme") -> String { "/api/organizations/\(m.firstOrganizationId(slug))/groups" }

    @Test func createFillEmptyAndDeleteAGroup() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let uri = groupsURI(m)
        try await m.test { client in
            let member = try await client.call(.post, m.membershipsURI("acme"), admin, MembershipRouteTests.newUser())
            let membershipId = try #require(member.json["id"] as? String)
            let userId = try #require(member.json["userId"] as? String)
            let revision0 = try m.identityRevision("acme")

            let created = try await client.call(.post, uri, admin, ["name": " Editors "])
            #expect(created.status == .created)
            let groupId = try #require(created.json["id"] as? String)
            #expect(created.json["name"] as? String == "Editors" && created.json["memberIds"] as? [String] == [])
            #expect(created.headers[.location] == "\(uri)/\(groupId)")
            let group = try #require(try m.identityEntity("acme", "Group", groupId))
            #expect(group.parents == [EntityUID(type: "Organization", id: m.firstOrganizationId("acme"))])
            #expect(group.attributes["name"] == .string("Editors"))
            #expect(group.attributes["tenant"] == .entity(EntityUID(type: "Tenant", id: m.tenantId("acme"))))
            #expect(try m.identityRevision("acme") == revision0 + 1)

            let permBefore = try m.userPermVer("acme", userId: userId)
            #expect(try await client.call(.put, "\(uri)/\(groupId)/members/\(membershipId)", admin).status == .noContent)
            #expect(try m.userPermVer("acme", userId: userId) == permBefore + 1)
            #expect(try m.identityRevision("acme") == revision0 + 2)
            var user = try #require(try m.identityEntity("acme", "User", userId))
            #expect(identityParents(user).contains(#"Group::"\#(groupId)""#))
            #expect(identityParents(user).contains(#"Organization::"\#(m.firstOrganizationId("acme"))""#))
            // Idempotent: again changes nothing.
            #expect(try await client.call(.put, "\(uri)/\(groupId)/members/\(membershipId)", admin).status == .noContent)
            #expect(try m.userPermVer("acme", userId: userId) == permBefore + 1 && m.identityRevision("acme") == revision0 + 2)

            let read = try await client.call(.get, "\(uri)/\(groupId)", admin)
            #expect(read.json["memberIds"] as? [String] == [membershipId])
            let membership = try await client.call(.get, "\(m.membershipsURI("acme"))/\(membershipId)", admin)
            #expect(membership.json["groupIds"] as? [String] == [groupId])
            let list = try await client.call(.get, uri, admin)
            #expect((list.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [groupId])

            #expect(try await client.call(.delete, "\(uri)/\(groupId)/members/\(membershipId)", admin).status == .noContent)
            user = try #require(try m.identityEntity("acme", "User", userId))
            #expect(!identityParents(user).contains(#"Group::"\#(groupId)""#))
            #expect(try m.userPermVer("acme", userId: userId) == permBefore + 2)
            let notIn = try await client.call(.delete, "\(uri)/\(groupId)/members/\(membershipId)", admin)
            #expect(notIn.status == .notFound && notIn.isProblem)

            // Deleting a group takes it off its members.
            #expect(try await client.call(.put, "\(uri)/\(groupId)/members/\(membershipId)", admin).status == .noContent)
            #expect(try await client.call(.delete, "\(uri)/\(groupId)", admin).status == .noContent)
            #expect(try m.identityEntity("acme", "Group", groupId) == nil)
            user = try #require(try m.identityEntity("acme", "User", userId))
            #expect(!identityParents(user).contains(#"Group::"\#(groupId)""#))
            #expect(try m.userPermVer("acme", userId: userId) == permBefore + 4)
            #expect(try await client.call(.get, "\(uri)/\(groupId)", admin).status == .notFound)

            let actions = try m.tenantAuditActions("acme")
            for action in ["group.create", "group.member.add", "group.member.remove", "group.delete"] {
                #expect(actions.contains(action), "\(action)")
            }
        }
    }

    @Test func removingAMembershipTakesItOutOfItsGroups() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let uri = groupsURI(m)
        try await m.test { client in
            let member = try await client.call(.post, m.membershipsURI("acme"), admin, MembershipRouteTests.newUser())
            let membershipId = try #require(member.json["id"] as? String)
            let groupId = try #require(try await client.call(.post, uri, admin, ["name": "Ops"]).json["id"] as? String)
            #expect(try await client.call(.put, "\(uri)/\(groupId)/members/\(membershipId)", admin).status == .noContent)
            #expect(try await client.call(.delete, "\(m.membershipsURI("acme"))/\(membershipId)", admin).status == .noContent)
            #expect(try await client.call(.get, "\(uri)/\(groupId)", admin).json["memberIds"] as? [String] == [])
        }
    }

    @Test func validationErrors() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let uri = groupsURI(m)
        try await m.test { client in
            for (body, fields) in [
                ([:], ["name"]), (["name": "  "], ["name"]), (["name": 5], ["name"]),
                (["name": String(repeating: "n", count: 201)], ["name"]), (["name": "ok", "members": []], ["members"]),
            ] as [([String: Any], [String])] {
                let response = try await client.call(.post, uri, admin, body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.fieldErrors == fields, "\(body)")
            }
            let groupId = try #require(try await client.call(.post, uri, admin, ["name": "Ops"]).json["id"] as? String)
            let unknown = try await client.call(.put, "\(uri)/\(groupId)/members/mem_nobody", admin)
            #expect(unknown.status == .notFound)
        }
    }

    @Test func anotherTenantsIdsAre404AndLeaveItsDataUnchanged() async throws {
        let m = try await ManagementApp()
        let acmeAdmin = try await m.adminToken("acme")
        let globexAdmin = try await m.adminToken("globex")
        let globexGroups = groupsURI(m, "globex")
        let acmeGroups = groupsURI(m, "acme")
        let globexMembership = m.tenants["globex"]!.membershipId
        let (globexGroup, acmeGroup) = try await m.test { client in
            let g = try #require(try await client.call(.post, globexGroups, globexAdmin, ["name": "G"]).json["id"] as? String)
            #expect(try await client.call(.put, "\(globexGroups)/\(g)/members/\(globexMembership)", globexAdmin).status == .noContent)
            let a = try #require(try await client.call(.post, acmeGroups, acmeAdmin, ["name": "A"]).json["id"] as? String)
            return (g, a)
        }
        let revision = try m.identityRevision("globex")
        let globexUser = try m.identityEntity("globex", "User", m.tenants["globex"]!.administratorUserId)
        try await m.test { client in
            for (method, path, body) in [
                (HTTPRequest.Method.get, globexGroups, nil),
                (.post, globexGroups, ["name": "X"]),
                (.get, "\(globexGroups)/\(globexGroup)", nil),
                (.delete, "\(globexGroups)/\(globexGroup)", nil),
                (.put, "\(globexGroups)/\(globexGroup)/members/\(globexMembership)", nil),
                (.delete, "\(globexGroups)/\(globexGroup)/members/\(globexMembership)", nil),
                // acme's organization, globex's group or membership
                (.get, "\(acmeGroups)/\(globexGroup)", nil),
                (.delete, "\(acmeGroups)/\(globexGroup)", nil),
                (.put, "\(acmeGroups)/\(acmeGroup)/members/\(globexMembership)", nil),
            ] as [(HTTPRequest.Method, String, [String: Any]?)] {
                let response = try await client.call(method, path, acmeAdmin, body)
                #expect(response.status == .notFound, "\(method) \(path)")
            }
            #expect(try await client.call(.get, "\(globexGroups)/\(globexGroup)", globexAdmin).json["memberIds"] as? [String] == [globexMembership])
        }
        #expect(try m.identityRevision("globex") == revision)
        #expect(try m.identityEntity("globex", "User", m.tenants["globex"]!.administratorUserId) == globexUser)
        #expect(try m.identityEntity("globex", "Group", globexGroup) != nil)
    }

    @Test func membersReadButCannotWrite() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let member = try await m.memberToken()
        let uri = groupsURI(m)
        let adminMembership = m.tenants["acme"]!.membershipId
        let groupId = try await m.test { client in
            try #require(try await client.call(.post, uri, admin, ["name": "Ops"]).json["id"] as? String)
        }
        let revision = try m.identityRevision("acme")
        try await m.test { client in
            #expect(try await client.call(.get, uri, member).status == .ok)
            #expect(try await client.call(.get, "\(uri)/\(groupId)", member).status == .ok)
            for (method, path, body) in [
                (HTTPRequest.Method.post, uri, ["name": "Mine"]),
                (.delete, "\(uri)/\(groupId)", nil),
                (.put, "\(uri)/\(groupId)/members/\(adminMembership)", nil),
                (.delete, "\(uri)/\(groupId)/members/\(adminMembership)", nil),
            ] as [(HTTPRequest.Method, String, [String: Any]?)] {
                let response = try await client.call(method, path, member, body)
                #expect(response.status == .forbidden, "\(method) \(path)")
                #expect(response.problemType == "forbidden")
            }
        }
        #expect(try m.identityRevision("acme") == revision)
    }
}
