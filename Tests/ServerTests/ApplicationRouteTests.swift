import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Store
import Testing
@testable import Server

@Suite struct ApplicationRouteTests {
    @Test func createGetListPatchDelete() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        try await m.test { client in
            let created = try await client.call(
                .post, "/api/applications", admin, ["name": "Billing Portal", "key": "billing", "externalConsumption": true])
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            #expect(id.hasPrefix("app_"))
            #expect(created.headers[.location] == "/api/applications/\(id)")
            #expect(created.headers[.contentType] == "application/json")
            #expect(created.json["key"] as? String == "billing")
            #expect(created.json["name"] as? String == "Billing Portal")
            #expect(created.json["status"] as? String == "active")
            #expect(created.json["externalConsumption"] as? Bool == true)
            #expect(created.json["createdAt"] is String && created.json["updatedAt"] is String)

            let fetched = try await client.call(.get, "/api/applications/\(id)", admin)
            #expect(fetched.status == .ok)
            #expect(fetched.json["key"] as? String == "billing")

            let derived = try await client.call(.post, "/api/applications", admin, ["name": "  Mobile App (iOS)  "])
            #expect(derived.status == .created)
            #expect(derived.json["key"] as? String == "mobile-app-ios")
            #expect(derived.json["name"] as? String == "Mobile App (iOS)")
            #expect(derived.json["externalConsumption"] as? Bool == false)

            let listed = try await client.call(.get, "/api/applications", admin)
            #expect(listed.status == .ok)
            let items = try #require(listed.json["items"] as? [[String: Any]])
            #expect(Set(items.compactMap { $0["key"] as? String }) == ["billing", "mobile-app-ios"])
            #expect(listed.json["nextAfter"] == nil)

            let patched = try await client.call(
                .patch, "/api/applications/\(id)", admin,
                ["name": "Billing", "key": "billing-v2", "status": "disabled", "externalConsumption": false])
            #expect(patched.status == .ok)
            #expect(patched.json["name"] as? String == "Billing")
            #expect(patched.json["key"] as? String == "billing-v2")
            #expect(patched.json["status"] as? String == "disabled")
            #expect(patched.json["externalConsumption"] as? Bool == false)
            // The old key is free again.
            #expect(try await client.call(.post, "/api/applications", admin, ["name": "New", "key": "billing"]).status == .created)

            let deleted = try await client.call(.delete, "/api/applications/\(id)", admin)
            #expect(deleted.status == .noContent)
            #expect(try await client.call(.get, "/api/applications/\(id)", admin).status == .notFound)
            #expect(try await client.call(.delete, "/api/applications/\(id)", admin).status == .notFound)
            // Its key is released with it.
            #expect(try await client.call(.post, "/api/applications", admin, ["name": "Again", "key": "billing-v2"]).status == .created)
        }
        let events = try m.services.environment.read { try $0.auditEvents(tenant: m.tenantId("acme"), limit: 100) }
        #expect(events.contains { $0.action == "application.create" })
        #expect(events.contains { $0.action == "application.update" && $0.reason?.contains("key=billing-v2") == true })
        #expect(events.contains { $0.action == "application.delete" })
    }

    @Test func keysAreUniquePerTenant() async throws {
        let m = try await ManagementApp(plan: "growth")
        let admin = try await m.adminToken()
        try await m.test { client in
            #expect(try await client.call(.post, "/api/applications", admin, ["name": "A", "key": "web"]).status == .created)
            let taken = try await client.call(.post, "/api/applications", admin, ["name": "B", "key": "web"])
            #expect(taken.status == .conflict)
            #expect(taken.problemType == "application-key-taken")
            // A derived key that is taken gets a suffix rather than failing.
            let derived = try await client.call(.post, "/api/applications", admin, ["name": "Web"])
            #expect(derived.status == .created)
            let key = try #require(derived.json["key"] as? String)
            #expect(key.hasPrefix("web-") && key != "web" && ApplicationKey.isValid(key))
            let other = try await client.call(.post, "/api/applications", admin, ["name": "C", "key": "other"])
            let otherId = try #require(other.json["id"] as? String)
            let clash = try await client.call(.patch, "/api/applications/\(otherId)", admin, ["key": "web"])
            #expect(clash.status == .conflict)
            #expect(clash.problemType == "application-key-taken")
            #expect(try await client.call(.get, "/api/applications/\(otherId)", admin).json["key"] as? String == "other")
        }
    }

    @Test func everyValidationError() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        try await m.test { client in
            let missing = try await client.call(.post, "/api/applications", admin, [:])
            #expect(missing.status == .badRequest)
            #expect(missing.problemType == "validation-error")
            #expect(missing.fieldErrors == ["name"])

            let bad = try await client.call(
                .post, "/api/applications", admin,
                ["name": 5, "key": "Not A Slug", "externalConsumption": "yes", "tenantId": "ten_other"])
            #expect(bad.status == .badRequest)
            #expect(Set(bad.fieldErrors) == ["name", "externalConsumption", "tenantId"])

            let badKey = try await client.call(.post, "/api/applications", admin, ["name": "A", "key": "-edge-"])
            #expect(badKey.fieldErrors == ["key"])
            let longKey = try await client.call(.post, "/api/applications", admin, ["name": "A", "key": String(repeating: "a", count: 64)])
            #expect(longKey.fieldErrors == ["key"])
            let blank = try await client.call(.post, "/api/applications", admin, ["name": "   "])
            #expect(blank.fieldErrors == ["name"])
            let long = try await client.call(.post, "/api/applications", admin, ["name": String(repeating: "x", count: 201)])
            #expect(long.fieldErrors == ["name"])

            let notJSON = try await client.execute(
                uri: "/api/applications", method: .post,
                headers: [.authorization: "Bearer \(admin)", .contentType: "text/plain"], body: ByteBuffer(string: "name=x"))
            #expect(notJSON.status == .unsupportedMediaType)
            let malformed = try await client.execute(
                uri: "/api/applications", method: .post, headers: bearer(admin), body: ByteBuffer(string: "{\"name\":"))
            #expect(malformed.status == .badRequest)
            #expect(malformed.problemType == "malformed-body")
            let array = try await client.execute(
                uri: "/api/applications", method: .post, headers: bearer(admin), body: ByteBuffer(string: "[]"))
            #expect(array.status == .badRequest)

            let app = try await client.call(.post, "/api/applications", admin, ["name": "A"])
            let id = try #require(app.json["id"] as? String)
            let empty = try await client.call(.patch, "/api/applications/\(id)", admin, [:])
            #expect(empty.status == .badRequest)
            #expect(empty.fieldErrors == ["body"])
            let badPatch = try await client.call(
                .patch, "/api/applications/\(id)", admin, ["status": "archived", "key": "UPPER", "name": "", "id": "app_x"])
            #expect(Set(badPatch.fieldErrors) == ["status", "id"])
            let badRules = try await client.call(.patch, "/api/applications/\(id)", admin, ["key": "UPPER", "name": ""])
            #expect(Set(badRules.fieldErrors) == ["key", "name"])
            #expect(try await client.call(.get, "/api/applications/\(id)", admin).json["name"] as? String == "A")

            let badLimit = try await client.call(.get, "/api/applications?limit=0", admin)
            #expect(badLimit.status == .badRequest)
            #expect(badLimit.fieldErrors == ["limit"])
            #expect(try await client.call(.get, "/api/applications?limit=101", admin).status == .badRequest)
            #expect(try await client.call(.get, "/api/applications?limit=x", admin).status == .badRequest)
        }
        #expect(try m.services.clients.applications(tenantId: m.tenantId("acme"), after: nil, limit: 10).items.count == 1)
    }

    @Test func pagingWalksEveryApplicationOnce() async throws {
        let m = try await ManagementApp(plan: "growth")
        let admin = try await m.adminToken()
        try await m.test { client in
            for i in 0..<5 {
                #expect(try await client.call(.post, "/api/applications", admin, ["name": "App \(i)"]).status == .created)
            }
            var seen: [String] = []
            var after: String?
            var pages = 0
            repeat {
                let uri = "/api/applications?limit=2" + (after.map { "&after=\($0)" } ?? "")
                let page = try await client.call(.get, uri, admin)
                #expect(page.status == .ok)
                let items = try #require(page.json["items"] as? [[String: Any]])
                #expect(items.count <= 2)
                seen += items.compactMap { $0["id"] as? String }
                after = page.json["nextAfter"] as? String
                pages += 1
            } while after != nil && pages < 10
            #expect(pages == 3)
            #expect(seen.count == 5 && Set(seen).count == 5)
            #expect(seen == seen.sorted())
        }
    }

    @Test func applicationQuotaIs409InsideTheTransaction() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let quota = PlanQuotas.of(.developer).maxApplications
        try await m.test { client in
            // More creates at once than the quota allows: exactly the quota succeeds.
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for i in 0..<(quota + 3) {
                    group.addTask { try await client.call(.post, "/api/applications", admin, ["name": "App \(i)"]).status }
                }
                var all: [HTTPResponse.Status] = []
                for try await status in group { all.append(status) }
                return all
            }
            #expect(statuses.filter { $0 == .created }.count == quota)
            #expect(statuses.filter { $0 == .conflict }.count == 3)
            let over = try await client.call(.post, "/api/applications", admin, ["name": "One more"])
            #expect(over.status == .conflict)
            #expect(over.isProblem)
            #expect(over.problemType == "quota-exceeded")
            #expect((over.json["detail"] as? String)?.contains("maxApplications") == true)
        }
        #expect(try m.services.clients.applications(tenantId: m.tenantId("acme"), after: nil, limit: 100).items.count == quota)
    }

    @Test func anApplicationWithClientsIsNotDeleted() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        try await m.test { client in
            let app = try await client.call(.post, "/api/applications", admin, ["name": "A"])
            let id = try #require(app.json["id"] as? String)
            #expect(try await client.call(.post, "/api/applications/\(id)/environments", admin, ["kind": "production"]).status == .created)
            let created = try await client.call(
                .post, "/api/applications/\(id)/clients", admin, ["name": "x", "purpose": "automation", "scopes": ["arbiter.api"]])
            let clientId = try #require(created.json["clientId"] as? String)
            let refused = try await client.call(.delete, "/api/applications/\(id)", admin)
            #expect(refused.status == .conflict)
            #expect(refused.problemType == "application-has-clients")
            #expect(try await client.call(.delete, "/api/applications/\(id)/clients/\(clientId)", admin).status == .noContent)
            #expect(try await client.call(.delete, "/api/applications/\(id)", admin).status == .noContent)
        }
        // Its environments went with it.
        let tables = m.services.oauthTables
        let left = try m.services.environment.read { try $0.entries(tables.environments, prefix: Key(.string(m.tenantId("acme")))).count }
        #expect(left == 0)
    }

    @Test func recordsWrittenBeforeKeysExistStillRead() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let tenantId = m.tenantId("acme")
        let old: [String: Any] = [
            "id": "app_legacy1", "tenantId": tenantId, "name": "Legacy", "status": "active", "createdAt": 1_700_000_000_000,
        ]
        let bytes = Array(try JSONSerialization.data(withJSONObject: old))
        let tables = m.services.oauthTables
        try await m.services.environment.write { txn in
            try txn.put(tables.applications, Key(.string(tenantId), .string("app_legacy1")), bytes)
        }
        try await m.test { client in
            let fetched = try await client.call(.get, "/api/applications/app_legacy1", admin)
            #expect(fetched.status == .ok)
            #expect(fetched.json["key"] as? String == "app-legacy1")
            #expect(fetched.json["externalConsumption"] as? Bool == false)
            #expect(fetched.json["updatedAt"] as? String == fetched.json["createdAt"] as? String)
            let patched = try await client.call(.patch, "/api/applications/app_legacy1", admin, ["key": "legacy"])
            #expect(patched.json["key"] as? String == "legacy")
        }
    }
}
