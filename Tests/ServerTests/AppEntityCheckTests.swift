import Evaluator
import Foundation
import HummingbirdTesting
import Identity
import PolicyLang
import Testing
@testable import Server

/// Runtime checks run the built-in rules too. Over an application's own users and
/// resources (which carry none of Arbiter's attributes, such as `active`), those rules
/// must neither decide nor add evaluation errors to every answer.
@Suite struct AppEntityCheckTests {
    static let bundle = """
        kind: policy
        id: documents
        rules:
          - id: readers-read-documents
            effect: allow
            principal: User
            actions: [read]
            resource: Document
            when: principal.team == "readers"
        """

    @Test func appUsersGetTheTenantsDecisionWithoutBuiltInErrors() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let checker = try await m.clientToken(scopes: ["arbiter.api", "arbiter.runtime.check", "tenant_context"])
        _ = try await m.services.graph.apply(tenant: m.tenantId("acme"), upserts: [
            Entity(uid: EntityUID(type: "User", id: "alice"), attributes: ["team": .string("readers")]),
            Entity(uid: EntityUID(type: "User", id: "bob"), attributes: ["team": .string("writers")]),
            Entity(uid: EntityUID(type: "Document", id: "d1")),
        ], actor: "test")
        try await m.test { client in
            let uploaded = try await client.call(.put, "/api/runtime/policies", admin, ["files": ["documents.yaml": Self.bundle]])
            #expect(uploaded.status == .created)
            for (user, allowed) in [("alice", true), ("bob", false)] {
                let answer = try await client.call(.post, "/api/runtime/authorization/check", checker, [
                    "principal": ["type": "User", "id": user], "action": "read", "resource": ["type": "Document", "id": "d1"],
                ])
                #expect(answer.status == .ok)
                #expect(answer.json["allowed"] as? Bool == allowed, "\(user)")
                #expect((answer.json["errors"] as? [Any])?.isEmpty == true, "\(user): \(answer.json["errors"] ?? "")")
            }
        }
    }
}
