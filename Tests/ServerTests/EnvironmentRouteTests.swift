import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Store
import Testing
@testable import Server

@Suite struct EnvironmentRouteTests {
    @Test func createListGetOneOfEachKind() async throws {
        let m = try await ManagementApp(plan: "growth")
        let admin = try await m.adminToken()
        try await m.test { client in
            let app = try await client.call(.post, "/api/applications", admin, ["name": "Shop"])
            let appId = try #require(app.json["id"] as? String)
            let created = try await client.call(.post, "/api/applications/\(appId)/environments", admin, ["kind": "development"])
            #expect(created.status == .created)
            let envId = try #require(created.json["id"] as? String)
            #expect(envId.hasPrefix("env_"))
            #expect(created.json["kind"] as? String == "development")
            #expect(created.json["name"] as? String == "Development")
            #expect(created.json["applicationId"] as? String == appId)
            let location = try #require(created.headers[.location])
            #expect(location == "/api/applications/\(appId)/environments/\(envId)")
            let fetched = try await client.call(.get, location, admin)
            #expect(fetched.status == .ok)
            #expect(fetched.json["id"] as? String == envId)

            let named = try await client.call(
                .post, "/api/applications/\(appId)/environments", admin, ["kind": "production", "name": "Live"])
            #expect(named.status == .created)
            #expect(named.json["name"] as? String == "Live")
            let again = try await client.call(.post, "/api/applications/\(appId)/environments", admin, ["kind": "production"])
            #expect(again.status == .conflict)
            #expect(again.problemType == "environment-exists")
            #expect(try await client.call(.post, "/api/applications/\(appId)/environments", admin, ["kind": "staging"]).status == .created)

            let listed = try await client.call(.get, "/api/applications/\(appId)/environments", admin)
            #expect(listed.status == .ok)
            let kinds = (listed.json["items"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }
            #expect(Set(kinds ?? []) == ["development", "staging", "production"])

            #expect(try await client.call(.get, "/api/applications/\(appId)/environments/env_nope", admin).status == .notFound)
            #expect(try await client.call(.get, "/api/applications/app_nope/environments", admin).status == .notFound)
            #expect(try await client.call(.post, "/api/applications/app_nope/environments", admin, ["kind": "staging"]).status == .notFound)
        }
    }

    @Test func environmentQuotaIs409() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let quota = PlanQuotas.of(.developer).maxEnvironments
        #expect(quota == 2)
        try await m.test { client in
            let app = try await client.call(.post, "/api/applications", admin, ["name": "Shop"])
            let appId = try #require(app.json["id"] as? String)
            #expect(try await client.call(.post, "/api/applications/\(appId)/environments", admin, ["kind": "development"]).status == .created)
            #expect(try await client.call(.post, "/api/applications/\(appId)/environments", admin, ["kind": "staging"]).status == .created)
            let over = try await client.call(.post, "/api/applications/\(appId)/environments", admin, ["kind": "production"])
            #expect(over.status == .conflict)
            #expect(over.isProblem)
            #expect(over.problemType == "quota-exceeded")
            #expect((over.json["detail"] as? String)?.contains("maxEnvironments") == true)
            let listed = try await client.call(.get, "/api/applications/\(appId)/environments", admin)
            #expect((listed.json["items"] as? [[String: Any]])?.count == 2)
        }
    }

    @Test func everyValidationError() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        try await m.test { client in
            let app = try await client.call(.post, "/api/applications", admin, ["name": "Shop"])
            let appId = try #require(app.json["id"] as? String)
            let uri = "/api/applications/\(appId)/environments"
            #expect(try await client.call(.post, uri, admin, [:]).fieldErrors == ["kind"])
            #expect(try await client.call(.post, uri, admin, ["kind": "qa"]).fieldErrors == ["kind"])
            #expect(try await client.call(.post, uri, admin, ["kind": 1]).fieldErrors == ["kind"])
            #expect(Set(try await client.call(.post, uri, admin, ["kind": "staging", "applicationId": "app_x"]).fieldErrors) == ["applicationId"])
            #expect(try await client.call(.post, uri, admin, ["kind": "staging", "name": " "]).fieldErrors == ["name"])
            #expect(try await client.call(.post, uri, admin, ["kind": "staging", "name": true]).fieldErrors == ["name"])
        }
        #expect(try m.services.clients.environments(
            tenantId: m.tenantId("acme"),
            applicationId: try m.services.clients.applications(tenantId: m.tenantId("acme"), after: nil, limit: 1).items[0].id).isEmpty)
    }
}
