import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import NIOCore
import Store
import Testing
@testable import Server

/// An application of the acme tenant, made through the API, and its clients' base path.
private func makeApplication(_ client: some TestClientProtocol, _ admin: String, name: String = "Shop") async throws -> String {
    let app = try await client.call(.post, "/api/applications", admin, ["name": name])
    let id = try #require(app.json["id"] as? String)
    return "/api/applications/\(id)/clients"
}

private func clientCredentials(_ client: some TestClientProtocol, _ id: String, _ secret: String) async throws -> TestResponse {
    try await client.execute(
        uri: "/t/acme/connect/token", method: .post, headers: basic(id, secret), body: form(["grant_type": "client_credentials"]))
}

@Suite struct ClientRouteTests {
    @Test func automationClientWithASecretShownOnce() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        try await m.test { client in
            let base = try await makeApplication(client, admin)
            let created = try await client.call(
                .post, base, admin, ["name": "Billing sync", "purpose": "automation", "scopes": ["arbiter.api", "tenant_context"]])
            #expect(created.status == .created)
            let id = try #require(created.json["clientId"] as? String)
            let secret = try #require(created.json["clientSecret"] as? String)
            #expect(secret.count == 43)
            #expect(created.headers[.location] == "\(base)/\(id)")
            #expect(created.headers[.cacheControl] == "no-store")
            #expect(created.json["purpose"] as? String == "automation")
            #expect(created.json["public"] as? Bool == false)
            #expect(created.json["grantTypes"] as? [String] == ["client_credentials"])
            #expect(created.json["tokenEndpointAuthMethods"] as? [String] == ["client_secret_basic", "client_secret_post"])
            #expect(created.json["redirectUris"] == nil)
            #expect((created.json["secrets"] as? [[String: Any]])?.count == 1)

            let fetched = try await client.call(.get, "\(base)/\(id)", admin)
            #expect(fetched.status == .ok)
            #expect(fetched.json["clientSecret"] == nil)
            let raw = String(buffer: fetched.body)
            #expect(!raw.contains(secret) && !raw.contains(ClientSecrets.hash(secret)) && !raw.contains("sha256"))
            let listed = try await client.call(.get, base, admin)
            let items = try #require(listed.json["items"] as? [[String: Any]])
            #expect(items.count == 1 && items[0]["clientId"] as? String == id && items[0]["clientSecret"] == nil)

            let token = try await clientCredentials(client, id, secret)
            #expect(token.status == .ok)
            #expect(token.json["scope"] as? String == "arbiter.api tenant_context")
        }
        let tenantId = m.tenantId("acme")
        let application = try #require(try m.services.clients.applications(tenantId: tenantId, after: nil, limit: 1).items.first)
        let stored = try m.services.clients.clients(tenantId: tenantId, applicationId: application.id, after: nil, limit: 5).items
        #expect(stored.count == 1)
        let record = try #require(stored.first)
        #expect(record.secrets.count == 1 && record.secrets[0].sha256.count == 64)
    }

    @Test func everyPurposeGetsTheRightAuthentication() async throws {
        let m = try await ManagementApp(plan: "growth")
        let admin = try await m.adminToken()
        let thumbprint = Base64URL.encode([UInt8](repeating: 7, count: 32))
        try await m.test { client in
            let base = try await makeApplication(client, admin)
            let publicWeb = try await client.call(.post, base, admin, [
                "name": "SPA", "purpose": "interactive_web", "scopes": ["openid", "profile", "arbiter.api"], "public": true,
                "redirectUris": ["https://app.example.com/callback", "http://localhost:3000/cb"],
                "postLogoutRedirectUris": ["https://app.example.com/"],
            ])
            #expect(publicWeb.status == .created)
            #expect(publicWeb.json["clientSecret"] == nil)
            #expect(publicWeb.json["public"] as? Bool == true)
            #expect(publicWeb.json["tokenEndpointAuthMethods"] as? [String] == ["none"])
            #expect(publicWeb.json["grantTypes"] as? [String] == ["authorization_code", "refresh_token"])
            #expect(publicWeb.json["redirectUris"] as? [String] == ["https://app.example.com/callback", "http://localhost:3000/cb"])
            #expect(publicWeb.json["postLogoutRedirectUris"] as? [String] == ["https://app.example.com/"])

            let confidentialWeb = try await client.call(.post, base, admin, [
                "name": "Server app", "purpose": "interactive_web", "scopes": ["openid"],
                "redirectUris": ["http://127.0.0.1:8080/cb"],
            ])
            #expect(confidentialWeb.status == .created)
            #expect(confidentialWeb.json["clientSecret"] is String)
            #expect(confidentialWeb.json["public"] as? Bool == false)

            let mtls = try await client.call(.post, base, admin, [
                "name": "mTLS", "purpose": "automation", "scopes": ["arbiter.api"],
                "tlsClientAuth": ["subjectDN": "CN=billing,O=Acme"],
            ])
            #expect(mtls.status == .created)
            #expect(mtls.json["clientSecret"] == nil)
            #expect(mtls.json["tokenEndpointAuthMethods"] as? [String] == ["tls_client_auth"])
            #expect((mtls.json["tlsClientAuth"] as? [String: Any])?["subjectDN"] as? String == "CN=billing,O=Acme")

            let selfSigned = try await client.call(.post, base, admin, [
                "name": "Self-signed", "purpose": "automation", "scopes": ["arbiter.api"],
                "selfSignedTLSClientAuth": ["thumbprintS256": thumbprint],
            ])
            #expect(selfSigned.status == .created)
            #expect(selfSigned.json["clientSecret"] == nil)
            #expect(selfSigned.json["tokenEndpointAuthMethods"] as? [String] == ["self_signed_tls_client_auth"])

            let device = try await client.call(.post, base, admin, ["name": "CLI", "purpose": "device", "scopes": ["openid", "offline_access"]])
            #expect(device.status == .created)
            #expect(device.json["clientSecret"] == nil)
            #expect(device.json["public"] as? Bool == true)

            let publisher = try await client.call(.post, base, admin, [
                "name": "CI", "purpose": "manifest_publisher", "scopes": ["arbiter.api"],
            ])
            #expect(publisher.status == .created)
            let publisherSecret = try #require(publisher.json["clientSecret"] as? String)
            #expect(publisher.json["tokenEndpointAuthMethods"] as? [String] == ["client_secret_basic"])
            let publisherId = try #require(publisher.json["clientId"] as? String)
            #expect(try await clientCredentials(client, publisherId, publisherSecret).status == .ok)

            // An environment of the same application can hold the client.
            let appPath = String(base.dropLast("/clients".count))
            let environment = try await client.call(.post, "\(appPath)/environments", admin, ["kind": "production"])
            let envId = try #require(environment.json["id"] as? String)
            let tied = try await client.call(.post, base, admin, [
                "name": "Prod sync", "purpose": "automation", "scopes": ["arbiter.api"], "environmentId": envId,
            ])
            #expect(tied.status == .created)
            #expect(tied.json["environmentId"] as? String == envId)
        }
    }

    @Test func everyValidationError() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        @Sendable func fields(_ r: TestResponse) -> Set<String> { Set(r.fieldErrors) }
        try await m.test { client in
            let base = try await makeApplication(client, admin)
            func post(_ body: [String: Any]) async throws -> TestResponse { try await client.call(.post, base, admin, body) }
            let web: [String: Any] = ["name": "Web", "purpose": "interactive_web", "scopes": ["openid"]]
            func webWith(_ extra: [String: Any]) -> [String: Any] { web.merging(extra) { $1 } }

            #expect(fields(try await post([:])) == ["name", "purpose", "scopes"])
            #expect(fields(try await post(["name": "x", "purpose": "robot", "scopes": ["arbiter.api"]])) == ["purpose"])
            #expect(fields(try await post(["name": "x", "purpose": "automation", "scopes": "arbiter.api"])) == ["scopes"])
            #expect(fields(try await post(["name": "x", "purpose": "automation", "scopes": ["arbiter.api"], "secret": "mine"])) == ["secret"])
            #expect(fields(try await post(["name": "x", "purpose": "automation", "scopes": ["arbiter.api"], "tenantId": "t"])) == ["tenantId"])
            #expect(fields(try await post(["name": "x", "purpose": "automation", "scopes": ["arbiter.scim.admin"]])) == ["scopes"])
            #expect(fields(try await post(["name": "x", "purpose": "automation", "scopes": ["openid"]])) == ["scopes"])
            #expect(fields(try await post(["name": "x", "purpose": "automation", "scopes": ["nope"]])) == ["scopes"])
            #expect(fields(try await post(["name": "x", "purpose": "automation", "scopes": []])) == ["scopes"])
            #expect(fields(try await post(["name": "", "purpose": "automation", "scopes": ["arbiter.api"]])) == ["name"])

            // interactive_web redirect URIs
            #expect(fields(try await post(web)) == ["redirectUris"])
            #expect(fields(try await post(webWith(["redirectUris": []]))) == ["redirectUris"])
            #expect(fields(try await post(webWith(["redirectUris": ["http://app.example.com/cb"]]))) == ["redirectUris"])
            #expect(fields(try await post(webWith(["redirectUris": ["https://app.example.com/cb#frag"]]))) == ["redirectUris"])
            #expect(fields(try await post(webWith(["redirectUris": ["/relative/cb"]]))) == ["redirectUris"])
            #expect(fields(try await post(webWith(["redirectUris": ["myapp://cb"]]))) == ["redirectUris"])
            #expect(fields(try await post(webWith(["redirectUris": ["https://user:pw@app.example.com/cb"]]))) == ["redirectUris"])
            #expect(fields(try await post(webWith(["redirectUris": ["https://a.example.com/cb", "https://a.example.com/cb"]]))) == ["redirectUris"])
            let eleven = (0..<11).map { "https://app.example.com/cb\($0)" }
            #expect(fields(try await post(webWith(["redirectUris": eleven]))) == ["redirectUris"])
            let huge = "https://app.example.com/" + String(repeating: "a", count: 2048)
            #expect(fields(try await post(webWith(["redirectUris": [huge]]))) == ["redirectUris"])
            #expect(fields(try await post(webWith(["redirectUris": [5]]))) == ["redirectUris"])
            #expect(fields(try await post(webWith([
                "redirectUris": ["https://app.example.com/cb"], "postLogoutRedirectUris": ["http://evil.example.com/"],
            ]))) == ["postLogoutRedirectUris"])
            #expect(fields(try await post(webWith([
                "redirectUris": ["https://app.example.com/cb"], "tlsClientAuth": ["subjectDN": "CN=x"],
            ]))) == ["tlsClientAuth"])

            // Purpose rules
            let automation: [String: Any] = ["name": "x", "purpose": "automation", "scopes": ["arbiter.api"]]
            func automationWith(_ extra: [String: Any]) -> [String: Any] { automation.merging(extra) { $1 } }
            #expect(fields(try await post(automationWith(["redirectUris": ["https://a.example.com/cb"]]))) == ["redirectUris"])
            #expect(fields(try await post(automationWith(["public": true]))) == ["public"])
            #expect(fields(try await post(automationWith(["public": "yes"]))) == ["public"])
            #expect(fields(try await post(automationWith(["tlsClientAuth": ["subjectDN": "no equals sign"]]))) == ["tlsClientAuth.subjectDN"])
            #expect(fields(try await post(automationWith(["tlsClientAuth": [:]]))) == ["tlsClientAuth.subjectDN"])
            #expect(fields(try await post(automationWith(["tlsClientAuth": ["subjectDN": "CN=x", "extra": 1]]))) == ["tlsClientAuth.extra"])
            #expect(fields(try await post(automationWith(["tlsClientAuth": "CN=x"]))) == ["tlsClientAuth"])
            #expect(fields(try await post(automationWith(["selfSignedTLSClientAuth": ["thumbprintS256": "short"]])))
                == ["selfSignedTLSClientAuth.thumbprintS256"])
            #expect(fields(try await post(automationWith([
                "tlsClientAuth": ["subjectDN": "CN=x"],
                "selfSignedTLSClientAuth": ["thumbprintS256": Base64URL.encode([UInt8](repeating: 1, count: 32))],
            ]))) == ["tlsClientAuth"])
            #expect(fields(try await post(automationWith(["environmentId": "env_missing"]))) == ["environmentId"])
            #expect(fields(try await post(["name": "x", "purpose": "device", "scopes": ["openid"], "public": false])) == ["public"])
            #expect(fields(try await post(["name": "x", "purpose": "manifest_publisher", "scopes": ["arbiter.api"], "public": true])) == ["public"])
            #expect(fields(try await post([
                "name": "x", "purpose": "manifest_publisher", "scopes": ["arbiter.api"], "tlsClientAuth": ["subjectDN": "CN=x"],
            ])) == ["tlsClientAuth"])

            let listed = try await client.call(.get, base, admin)
            #expect((listed.json["items"] as? [[String: Any]])?.isEmpty == true)
            #expect(try await client.call(.get, base + "?limit=500", admin).status == .badRequest)
        }
    }

    @Test func patchDeleteAndTheTokenEndpoint() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        try await m.test { client in
            let base = try await makeApplication(client, admin)
            let created = try await client.call(.post, base, admin, ["name": "Sync", "purpose": "automation", "scopes": ["arbiter.api"]])
            let id = try #require(created.json["clientId"] as? String)
            let secret = try #require(created.json["clientSecret"] as? String)

            let patched = try await client.call(
                .patch, "\(base)/\(id)", admin, ["name": "Sync v2", "scopes": ["arbiter.api", "tenant_context"]])
            #expect(patched.status == .ok)
            #expect(patched.json["name"] as? String == "Sync v2")
            #expect(patched.json["scopes"] as? [String] == ["arbiter.api", "tenant_context"])
            #expect(patched.json["clientSecret"] == nil)
            #expect(try await clientCredentials(client, id, secret).json["scope"] as? String == "arbiter.api tenant_context")

            let disabled = try await client.call(.patch, "\(base)/\(id)", admin, ["status": "disabled"])
            #expect(disabled.json["status"] as? String == "disabled")
            #expect(try await clientCredentials(client, id, secret).json["error"] as? String == "unauthorized_client")
            #expect(try await client.call(.patch, "\(base)/\(id)", admin, ["status": "active"]).status == .ok)

            // Bad patches change nothing.
            #expect(Set(try await client.call(.patch, "\(base)/\(id)", admin, [:]).fieldErrors) == ["body"])
            #expect(Set(try await client.call(.patch, "\(base)/\(id)", admin, ["scopes": ["arbiter.devices.agent"]]).fieldErrors) == ["scopes"])
            #expect(Set(try await client.call(.patch, "\(base)/\(id)", admin, ["redirectUris": ["https://a.example.com/"]]).fieldErrors) == ["redirectUris"])
            #expect(Set(try await client.call(.patch, "\(base)/\(id)", admin, ["status": "paused"]).fieldErrors) == ["status"])
            #expect(Set(try await client.call(.patch, "\(base)/\(id)", admin, ["purpose": "device"]).fieldErrors) == ["purpose"])
            #expect(Set(try await client.call(.patch, "\(base)/\(id)", admin, ["name": "", "scopes": []]).fieldErrors) == ["name", "scopes"])
            let unchanged = try await client.call(.get, "\(base)/\(id)", admin)
            #expect(unchanged.json["name"] as? String == "Sync v2")
            #expect(unchanged.json["scopes"] as? [String] == ["arbiter.api", "tenant_context"])

            let web = try await client.call(.post, base, admin, [
                "name": "Web", "purpose": "interactive_web", "scopes": ["openid"], "public": true,
                "redirectUris": ["https://a.example.com/cb"],
            ])
            let webId = try #require(web.json["clientId"] as? String)
            let moved = try await client.call(.patch, "\(base)/\(webId)", admin, [
                "redirectUris": ["https://b.example.com/cb"], "postLogoutRedirectUris": ["https://b.example.com/"],
            ])
            #expect(moved.json["redirectUris"] as? [String] == ["https://b.example.com/cb"])
            #expect(moved.json["postLogoutRedirectUris"] as? [String] == ["https://b.example.com/"])
            #expect(Set(try await client.call(.patch, "\(base)/\(webId)", admin, ["redirectUris": []]).fieldErrors) == ["redirectUris"])
            #expect(Set(try await client.call(.patch, "\(base)/\(webId)", admin, ["redirectUris": ["http://b.example.com/cb"]]).fieldErrors) == ["redirectUris"])

            #expect(try await client.call(.delete, "\(base)/\(id)", admin).status == .noContent)
            #expect(try await client.call(.get, "\(base)/\(id)", admin).status == .notFound)
            #expect(try await client.call(.delete, "\(base)/\(id)", admin).status == .notFound)
            #expect(try m.services.clients.client(id: id) == nil)
            let afterDelete = try await clientCredentials(client, id, secret)
            #expect(afterDelete.status == .unauthorized)
            #expect(afterDelete.json["error"] as? String == "invalid_client")
        }
        let events = try m.services.environment.read { try $0.auditEvents(tenant: m.tenantId("acme"), limit: 200) }
        #expect(events.contains { $0.action == "client.update" && $0.reason?.contains("status=disabled") == true })
        #expect(events.contains { $0.action == "client.delete" })
    }

    @Test func secretRotationWithGrace() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        try await m.test { client in
            let base = try await makeApplication(client, admin)
            let created = try await client.call(.post, base, admin, ["name": "Sync", "purpose": "automation", "scopes": ["arbiter.api"]])
            let id = try #require(created.json["clientId"] as? String)
            let first = try #require(created.json["clientSecret"] as? String)

            let rotated = try await client.call(.post, "\(base)/\(id)/secrets", admin, ["gracePeriodSeconds": 3600])
            #expect(rotated.status == .ok)
            #expect(rotated.headers[.cacheControl] == "no-store")
            let second = try #require(rotated.json["clientSecret"] as? String)
            #expect(second != first)
            let secrets = try #require(rotated.json["secrets"] as? [[String: Any]])
            #expect(secrets.count == 2)
            #expect(secrets.filter { $0["expiresAt"] != nil }.count == 1)
            // Both work within the grace period.
            #expect(try await clientCredentials(client, id, first).status == .ok)
            #expect(try await clientCredentials(client, id, second).status == .ok)
            // The secret is never shown again.
            #expect(try await client.call(.get, "\(base)/\(id)", admin).json["clientSecret"] == nil)

            // Without a grace period (an empty body means 0) the old ones stop at once.
            let immediate = try await client.execute(uri: "\(base)/\(id)/secrets", method: .post, headers: bearer(admin, json: false))
            #expect(immediate.status == .ok)
            let third = try #require(immediate.json["clientSecret"] as? String)
            #expect(try await clientCredentials(client, id, first).status == .unauthorized)
            #expect(try await clientCredentials(client, id, second).status == .unauthorized)
            #expect(try await clientCredentials(client, id, third).status == .ok)

            #expect(try await client.call(.post, "\(base)/\(id)/secrets", admin, ["gracePeriodSeconds": -1]).fieldErrors == ["gracePeriodSeconds"])
            #expect(try await client.call(.post, "\(base)/\(id)/secrets", admin, ["gracePeriodSeconds": 99_999_999]).fieldErrors == ["gracePeriodSeconds"])
            #expect(try await client.call(.post, "\(base)/\(id)/secrets", admin, ["gracePeriodSeconds": "1h"]).fieldErrors == ["gracePeriodSeconds"])
            #expect(try await client.call(.post, "\(base)/\(id)/secrets", admin, ["grace": 1]).fieldErrors == ["grace"])
            #expect(try await clientCredentials(client, id, third).status == .ok)

            let device = try await client.call(.post, base, admin, ["name": "CLI", "purpose": "device", "scopes": ["openid"]])
            let deviceId = try #require(device.json["clientId"] as? String)
            let noSecret = try await client.call(.post, "\(base)/\(deviceId)/secrets", admin, [:])
            #expect(noSecret.status == .badRequest)
            #expect(noSecret.fieldErrors == ["clientId"])
            #expect(try await client.call(.post, "\(base)/cli_nope/secrets", admin, [:]).status == .notFound)
        }
    }

    @Test func clientQuotaAndPaging() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let tenantId = m.tenantId("acme")
        let quota = PlanQuotas.of(.developer).maxClients
        try await m.test { client in
            let base = try await makeApplication(client, admin)
            // The console client the admin token came from counts too.
            let existing = try m.services.environment.read { try $0.entries(m.services.oauthTables.clients, prefix: Key(.string(tenantId))).count }
            var made = 0
            for i in 0..<(quota - existing) {
                let r = try await client.call(.post, base, admin, ["name": "c\(i)", "purpose": "automation", "scopes": ["arbiter.api"]])
                #expect(r.status == .created)
                made += 1
            }
            let over = try await client.call(.post, base, admin, ["name": "over", "purpose": "automation", "scopes": ["arbiter.api"]])
            #expect(over.status == .conflict)
            #expect(over.problemType == "quota-exceeded")
            #expect((over.json["detail"] as? String)?.contains("maxClients") == true)

            var seen: [String] = []
            var after: String?
            var pages = 0
            repeat {
                let page = try await client.call(.get, base + "?limit=4" + (after.map { "&after=\($0)" } ?? ""), admin)
                seen += (page.json["items"] as? [[String: Any]] ?? []).compactMap { $0["clientId"] as? String }
                after = page.json["nextAfter"] as? String
                pages += 1
            } while after != nil && pages < 10
            #expect(seen.count == made && Set(seen).count == made)
        }
    }
}
