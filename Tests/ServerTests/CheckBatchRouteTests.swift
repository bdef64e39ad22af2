import Evaluator
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import HummingbirdTesting
import PolicyLang
import Store
import Testing
@testable import Server

@Suite struct CheckBatchRouteTests {
    static let path = "/api/runtime/authorization/check-batch"

    @Test func answersInOrderAtOneRevision() async throws {
        let f = try await RuntimeFixture()
        try await f.activate("acme")
        let checker = try await f.checkerToken()
        let admin = try await f.m.adminToken()
        try await f.m.test { client in
            let checks: [[String: Any]] = [
                ["action": "read", "principal": ["type": "User", "id": f.acmeAdmin], "resource": ["type": "Document", "id": "doc-1"]],
                ["action": "read", "principal": ["type": "User", "id": f.acmeAdmin], "resource": ["type": "Document", "id": "doc-secret"]],
                ["action": "read", "principal": ["type": "User", "id": "usr_acme_gone"], "resource": ["type": "Document", "id": "doc-1"]],
                ["action": "sync"],
                ["action": "read", "principal": ["type": "User", "id": "usr_acme_bob"], "resource": ["type": "Document", "id": "doc-1"], "explain": true],
            ]
            let response = try await client.call(.post, Self.path, checker, ["checks": checks])
            #expect(response.status == .ok)
            let results = try #require(response.json["results"] as? [[String: Any]])
            #expect(results.map { $0["allowed"] as? Bool } == [true, false, false, true, true])
            #expect(results.map { $0["reasons"] as? [String] ?? [] } == [
                ["owners-read-documents"], ["nobody-reads-secrets"], ["inactive-users-are-denied"], ["clients-with-scope-sync"],
                ["editors-read-documents"],
            ])
            #expect(results[4]["trace"] is [Any])
            #expect(results[0]["trace"] == nil)
            #expect(results.allSatisfy { $0["permVer"] is Int && $0["entVer"] is Int })
            let revision = try #require(response.json["revision"] as? String)

            // One atLeastRevision for the whole batch: a later write is seen when asked for.
            let written = try await f.services.graph.apply(tenant: f.acme, upserts: [
                RuntimeFixture.user("usr_acme_gone", tenant: f.acme, organization: f.m.tenants["acme"]!.organizationId, roles: ["editor"]),
            ], actor: "test")
            #expect(written > UInt64(revision)!)
            let after = try await client.call(.post, Self.path, checker, [
                "checks": [checks[2]], "atLeastRevision": RevisionToken.encode(written),
            ])
            #expect((after.json["results"] as? [[String: Any]])?.first?["allowed"] as? Bool == true)
            let future = try await client.call(.post, Self.path, checker, [
                "checks": [checks[0]], "atLeastRevision": RevisionToken.encode(written + 50),
            ])
            #expect(future.status == .conflict)
            #expect(future.problemType == "revision-not-reached")

            // A user token may batch questions about itself, but not about others.
            let own = try await client.call(.post, Self.path, admin, ["checks": [["action": "read"], ["action": "delete"]]])
            #expect(own.status == .ok)
            let foreign = try await client.call(.post, Self.path, admin, ["checks": [["action": "read"], checks[4]]])
            #expect(foreign.status == .forbidden)
            #expect(foreign.problemType == "insufficient-scope")
        }
    }

    @Test func boundsAndValidation() async throws {
        let f = try await RuntimeFixture()
        let checker = try await f.checkerToken()
        try await f.m.test { client in
            let hundred = Array(repeating: ["action": "read"] as [String: Any], count: 100)
            let ok = try await client.call(.post, Self.path, checker, ["checks": hundred])
            #expect(ok.status == .ok)
            #expect((ok.json["results"] as? [Any])?.count == 100)

            let tooMany = try await client.call(.post, Self.path, checker, ["checks": hundred + [["action": "read"]]])
            #expect(tooMany.status == .badRequest)
            #expect(tooMany.problemType == "validation-error")
            #expect(tooMany.fieldErrors == ["checks"])

            let empty = try await client.call(.post, Self.path, checker, ["checks": [] as [Any]])
            #expect(empty.status == .ok)
            #expect((empty.json["results"] as? [Any])?.isEmpty == true)

            let bad = try await client.call(.post, Self.path, checker, [
                "checks": [["action": "read"], ["resource": ["type": "Document", "id": "x"]], ["action": "read", "atLeastRevision": "1"],
                           ["action": "read", "context": ["now": 1]]],
            ])
            #expect(bad.status == .badRequest)
            #expect(Set(bad.fieldErrors) == ["checks[1].action", "checks[2].atLeastRevision", "checks[3].context.now"])

            let missing = try await client.call(.post, Self.path, checker, ["check": []])
            #expect(Set(missing.fieldErrors) == ["check", "checks"])
            let none = try await client.call(.post, Self.path, nil, ["checks": hundred])
            #expect(none.status == .unauthorized)
        }
    }
}
